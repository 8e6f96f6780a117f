"""Signing a webhook's body, and the reference code receivers verify it with."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

EVENT_HEADER = "X-Gorodok-Event"
DELIVERY_HEADER = "X-Gorodok-Delivery"
TIMESTAMP_HEADER = "X-Gorodok-Timestamp"
SIGNATURE_HEADER = "X-Gorodok-Signature"
SIGNATURE_VERSION = "v1"
USER_AGENT = "Gorodok-Webhooks/1"


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def sign(secret: str, timestamp: int | str, body: bytes | str) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` with the subscription's secret."""
    message = f"{timestamp}.".encode() + _as_bytes(body)
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _header(headers: Mapping, name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == wanted), None)
    return value if isinstance(value, str) else None


def verify_signature(secret: str, headers: Mapping, body: bytes | str, tolerance: int = 300,
                     now: float | None = None) -> bool:
    """Whether a webhook request really comes from Gorodok (reference code for receivers).

    ``headers`` is the request's headers (any mapping; names are matched case-insensitively) and
    ``body`` the raw request body exactly as received, before any JSON parsing. False when a header is
    missing or malformed, the timestamp is more than ``tolerance`` seconds from ``now``, or no ``v1``
    signature matches. To refuse a replay inside the tolerance too, remember the event ``id`` (or the
    ``X-Gorodok-Delivery`` id) of every request you accepted and refuse one you have seen.
    """
    timestamp = _header(headers, TIMESTAMP_HEADER)
    signature = _header(headers, SIGNATURE_HEADER)
    if not timestamp or not signature or not timestamp.isascii() or not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    expected = sign(secret, timestamp, body).encode("ascii")
    for part in signature.split(","):
        version, _sep, value = part.strip().partition("=")
        if version == SIGNATURE_VERSION and re.fullmatch(r"[0-9a-f]{64}", value) \
                and hmac.compare_digest(expected, value.encode("ascii")):
            return True
    return False
