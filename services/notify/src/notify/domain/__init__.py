"""Plain-Python rules of notifications: no framework imports."""
