"""Append-only audit log: regional actions in the public schema, municipal ones in the municipality's."""
