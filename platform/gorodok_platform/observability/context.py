"""Per-request and per-job context shared by logs and Sentry: the tenant and a request id."""

from __future__ import annotations

import structlog


def bind_tenant(schema_name: str | None) -> None:
    structlog.contextvars.bind_contextvars(tenant=schema_name)
    try:
        import sentry_sdk

        sentry_sdk.set_tag("tenant", schema_name or "none")
    except ImportError:  # pragma: no cover - sentry-sdk is a dependency
        pass
