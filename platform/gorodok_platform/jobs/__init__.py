"""Background jobs on Dramatiq, always run in an explicitly named tenant schema."""
