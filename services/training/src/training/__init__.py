"""Training records: financial-literacy programmes for clients and officers."""
