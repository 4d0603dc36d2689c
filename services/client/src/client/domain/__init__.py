"""Plain-Python rules of client intake: no framework imports."""
