"""Gorodok platform: settings, URL routing, accounts, jobs and observability."""
