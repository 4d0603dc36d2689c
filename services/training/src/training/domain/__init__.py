"""Plain-Python rules of training: programmes, sessions, enrolment, completion, certificates."""
