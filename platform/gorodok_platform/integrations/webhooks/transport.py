"""Where webhooks may go (no private addresses in production) and the POST itself, pinned to the
address that was checked."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gorodok_platform.integrations.models import (
    WebhookSubscription,
)
from gorodok_platform.integrations.webhooks.config import allow_private_targets

EXCERPT_CHARS = 500
READ_LIMIT_BYTES = 4096


class TargetRefused(Exception):
    """The URL is not one Gorodok may call (scheme, or an address inside the hosting network)."""


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def validate_target_url(url: str) -> str:
    """The URL, stripped, if a subscription may point at it; ValidationError otherwise."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise ValidationError({"url": ValidationError(_("Not a valid URL."), code="invalid")}) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": ValidationError(_("Give an http:// or https:// URL."), code="invalid")})
    if len(url) > WebhookSubscription._meta.get_field("url").max_length:
        raise ValidationError({"url": ValidationError(_("The URL is too long."), code="max_length")})
    if parts.username or parts.password:
        raise ValidationError({"url": ValidationError(_("Do not put credentials in the URL."), code="invalid")})
    if not allow_private_targets():
        host = parts.hostname
        private = host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
        with contextlib.suppress(ValueError):  # a name: resolved and checked at every delivery
            private = private or not _address_allowed(host)
        if private:
            raise ValidationError({"url": ValidationError(
                _("The URL points into a private network."), code="private_target")})
    return url


@dataclass
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def resolve_target(url: str) -> Target:
    """Resolve the URL's host once; the connection goes to the address checked here, so a name that
    changes its answer between the check and the request cannot lead into the private network."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ConnectionError(f"cannot resolve {parts.hostname}: {exc}") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise ConnectionError(f"cannot resolve {parts.hostname}")
    if not allow_private_targets() and not all(_address_allowed(a) for a in addresses):
        raise TargetRefused(f"{parts.hostname} resolves to a private address")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, parts.hostname, port, path, addresses[0])


@dataclass
class PostResult:
    status_code: int | None
    excerpt: str
    error: str
    retry: bool = True

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
    """POST ``body`` to ``url``; never follows redirects; reads at most a few kilobytes back."""
    try:
        target = resolve_target(url)
    except TargetRefused as exc:
        return PostResult(None, "", f"refused: {exc}", retry=False)
    except ConnectionError as exc:
        return PostResult(None, "", str(exc)[:1000])
    if target.scheme == "https":
        conn = http.client.HTTPSConnection(target.host, target.port, timeout=timeout,
                                           context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def pinned(address, timeout=timeout, source_address=None):
        return socket.create_connection((target.address, address[1]), timeout, source_address)

    conn._create_connection = pinned
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        excerpt = response.read(READ_LIMIT_BYTES).decode("utf-8", errors="replace")[:EXCERPT_CHARS]
        return PostResult(response.status, excerpt, "")
    except (OSError, http.client.HTTPException) as exc:
        return PostResult(None, "", f"{type(exc).__name__}: {exc}"[:1000])
    finally:
        conn.close()
