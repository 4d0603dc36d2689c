"""Events in and out: CloudEvents codec, transactional outbox and relay, inbox, dead letters."""
