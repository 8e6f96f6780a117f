"""Sentry, when SENTRY_DSN is set: Django and Dramatiq errors, tagged with the tenant, no personal data."""

from __future__ import annotations

from typing import Any

SCRUBBED = "[scrubbed]"
_PERSONAL_KEYS = ("email", "phone", "address", "name", "passport", "snils", "inn", "password", "token")


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Drop what could identify a citizen or a member of staff before an event leaves the region."""
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for header in list(headers):
                if header.lower() in ("authorization", "cookie", "x-forwarded-for", "x-real-ip"):
                    headers[header] = SCRUBBED
    for values in (event.get("extra"), event.get("contexts", {}).get("payload")):
        if isinstance(values, dict):
            for key in list(values):
                if any(part in key.lower() for part in _PERSONAL_KEYS):
                    values[key] = SCRUBBED
    return event


def init_sentry(*, dsn: str, environment: str, release: str | None = None, traces_sample_rate: float = 0.01) -> bool:
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.dramatiq import DramatiqIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration(), DramatiqIntegration()],
        send_default_pii=False,
        before_send=scrub_event,
        max_request_body_size="never",
        # Local variables of a frame can be a citizen's appeal: never sent.
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
    )
    return True
