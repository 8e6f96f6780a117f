"""The client's address, as throttles and the audit log must see it behind an ingress.

``REMOTE_ADDR`` is the peer that connected to us: behind an ingress that is the proxy, the same for
every citizen. ``X-Forwarded-For`` names the client, but anyone can send it, so it is believed only
when the peer is one of ``TRUSTED_PROXIES`` (networks, e.g. the ingress pods' CIDR). The header is
then read from the right, skipping further trusted proxies (a chain of them), and the first address
that is not a trusted proxy is the client (the algorithm of nginx's ``real_ip_recursive``). A header
from an untrusted peer, or an entry that is not an address, is ignored: the peer is the client.

A library such as django-ipware takes the header's addresses on trust when they match a prefix list
and never checks the peer itself, which is exactly the spoofing this module exists to prevent.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in configured if value.strip())


def parse_trusted_proxies(values) -> tuple[Network, ...]:
    """Validate the setting (raises ValueError on a bad network)."""
    return _networks(tuple(values))


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str | None:
    """The client's IP address as text, or None when the request carries no peer address."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(entry)
        if address is None:
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
