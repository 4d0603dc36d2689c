"""Jembatan shared library: settings, database, auth, messaging, telemetry, HTTP defaults."""
