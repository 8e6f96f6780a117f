"""Behind an ingress every request comes from the proxy: the status lookup's throttle must count the
citizen named in X-Forwarded-For when (and only when) the peer is a trusted proxy."""

from __future__ import annotations

from django.test import RequestFactory

from gorodok_platform.client_address import client_address
from tests.conftest import graphql
from tests.test_graphql.test_appeals_public_status import STATUS, _registered

INGRESS = "10.42.0.7"
TRUSTED = ["10.42.0.0/16", "fd00::/8"]


def _lookup(client, tenant, number, code, **headers):
    return graphql(client, tenant.host, STATUS, {"number": number, "code": code}, **headers)


def test_citizens_behind_the_ingress_are_throttled_one_by_one(client, alpha, settings):
    settings.TRUSTED_PROXIES = TRUSTED
    appeal, code = _registered(alpha)
    for _ in range(10):
        _, body = _lookup(client, alpha, appeal.registration_number, "NOPE",
                          REMOTE_ADDR=INGRESS, HTTP_X_FORWARDED_FOR="203.0.113.5")
        assert body == {"data": {"appealStatus": None}}
    _, body = _lookup(client, alpha, appeal.registration_number, code,
                      REMOTE_ADDR=INGRESS, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # Another citizen through the same ingress is not blocked by the first one's failures.
    _, body = _lookup(client, alpha, appeal.registration_number, code,
                      REMOTE_ADDR=INGRESS, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert body["data"]["appealStatus"]["status"] == "REGISTERED"
    # A client that puts a fake address in front of the header is still counted by its real one.
    _, body = _lookup(client, alpha, appeal.registration_number, code,
                      REMOTE_ADDR=INGRESS, HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.5")
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


def test_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(client, alpha, settings):
    settings.TRUSTED_PROXIES = TRUSTED
    appeal, code = _registered(alpha)
    attacker = "203.0.113.66"
    for index in range(10):
        # A new "client" every time: were the header believed, the counter would never fill.
        _, body = _lookup(client, alpha, appeal.registration_number, "NOPE",
                          REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR=f"192.0.2.{index}")
        assert body == {"data": {"appealStatus": None}}
    _, body = _lookup(client, alpha, appeal.registration_number, code,
                      REMOTE_ADDR=attacker, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    # Nor can the attacker exhaust a citizen's allowance by naming the citizen.
    _, body = _lookup(client, alpha, appeal.registration_number, code,
                      REMOTE_ADDR=INGRESS, HTTP_X_FORWARDED_FOR="192.0.2.3")
    assert body["data"]["appealStatus"]["status"] == "REGISTERED"


def test_without_trusted_proxies_the_header_means_nothing(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR=INGRESS, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == INGRESS


def test_chains_of_proxies_and_garbage(settings):
    settings.TRUSTED_PROXIES = TRUSTED
    factory = RequestFactory()

    def resolve(forwarded, peer=INGRESS):
        return client_address(factory.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded))

    assert resolve("203.0.113.5, 10.42.3.3") == "203.0.113.5"  # two trusted hops
    assert resolve("") == INGRESS  # a trusted peer that forwarded nothing is itself the client
    assert resolve("not-an-ip, 203.0.113.5") == "203.0.113.5"
    assert resolve("203.0.113.5, not-an-ip") == INGRESS  # garbage next to the proxy: stop, believe nothing
    assert resolve("2001:db8::1", peer="fd00::5") == "2001:db8::1"
    assert client_address(factory.get("/", REMOTE_ADDR="")) is None
