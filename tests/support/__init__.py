"""Helpers the tests share: building appeals and staff, API clients over HTTP, a webhook receiver."""
