"""Municipalities as tenants: models, routing, provisioning and the module registry."""
