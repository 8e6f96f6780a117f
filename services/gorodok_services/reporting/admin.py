"""Reporting in the regional console (templates, campaigns with progress, the comparison table and the
aggregates) and in the municipality's back office (its reports: fill, save, submit, see returns)."""
