"""Persistence of the client service's records, one module per kind of record.

NIKs are encrypted and indexed in `nik` and `clients` and nowhere else; every query that
returns a person takes the caller's `RegionScope`. Each repository works in the session of the
unit of work (or of the worker's transaction) that made it.
"""
