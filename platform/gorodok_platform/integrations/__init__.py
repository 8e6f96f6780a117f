"""Integrators: API clients with scopes, and webhooks fed by a transactional outbox."""
