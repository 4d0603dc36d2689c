"""The HTTP shapes of client intake (separate from the domain and the tables), one module
per resource; the breach shapes are in `breach_schemas`."""
