"""Client intake and case management."""
