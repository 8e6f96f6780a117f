"""Second factor for regional administrators, and throttled sign-in everywhere."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from tests.conftest import ADMIN_PASSWORD, login

CONSOLE = "/admin/gorodok_tenants/municipality/"


def _password_only(client, host, email, password=ADMIN_PASSWORD):
    return client.post("/admin/login/", {"username": email, "password": password, "next": "/admin/"},
                       HTTP_HOST=host)


@pytest.fixture
def new_regional_admin(db):
    with schema_context("public"):
        return staff_user_create(email="fresh-admin@example.ru", password=ADMIN_PASSWORD, roles=[Role.REGIONAL_ADMIN])


def test_password_alone_does_not_open_the_console(client, new_regional_admin, region_host, settings):
    settings.REQUIRE_REGIONAL_2FA = True
    assert _password_only(client, region_host, new_regional_admin.email).status_code == 302
    response = client.get(CONSOLE, HTTP_HOST=region_host)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/two-factor/")


def _enrolment_link(issuer_client, region_host, user) -> str:
    """Another regional administrator issues the one-time link in the console (Regional staff → action)."""
    response = issuer_client.post("/admin/accounts/user/", {"action": "issue_enrolment_link",
                                                            "_selected_action": [user.pk]},
                                  HTTP_HOST=region_host, follow=True)
    match = re.search(r"http://[^/]+(/admin/two-factor/enrol/[^<\s]+/)", response.content.decode())
    assert match, response.content.decode()[-3000:]
    return match.group(1)


def test_a_password_alone_cannot_enrol_an_authenticator(client, new_regional_admin, region_host, settings):
    settings.REQUIRE_REGIONAL_2FA = True
    _password_only(client, region_host, new_regional_admin.email)
    page = client.get("/admin/two-factor/", HTTP_HOST=region_host)
    assert b"otpauth://totp/" not in page.content
    assert b"enrolment link" in page.content
    refused = client.post("/admin/two-factor/", {"token": "000000", "next": CONSOLE}, HTTP_HOST=region_host)
    assert refused.status_code == 403
    with schema_context("public"):
        assert not TOTPDevice.objects.filter(user=new_regional_admin).exists()
    assert client.get(CONSOLE, HTTP_HOST=region_host).status_code == 302


def test_development_enrols_without_a_link(client, new_regional_admin, region_host, settings):
    settings.REQUIRE_REGIONAL_2FA = True
    settings.REQUIRE_2FA_ENROLMENT_LINK = False
    _password_only(client, region_host, new_regional_admin.email)
    assert b"otpauth://totp/" in client.get("/admin/two-factor/", HTTP_HOST=region_host).content


def test_enrol_an_authenticator_then_sign_in_with_codes(client, new_regional_admin, regional_admin, region_host,
                                                         settings):
    settings.REQUIRE_REGIONAL_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off would make the retry below wait
    issuer = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(issuer, region_host, regional_admin.email)
    link = _enrolment_link(issuer, region_host, new_regional_admin)

    _password_only(client, region_host, new_regional_admin.email)
    opened = client.get(link, HTTP_HOST=region_host)  # a preview fetching the link does not spend it
    assert opened.status_code == 200 and new_regional_admin.email.encode() in opened.content
    followed = client.post(link, HTTP_HOST=region_host)
    assert followed.status_code == 302 and followed["Referrer-Policy"] == "no-referrer"
    page = client.get("/admin/two-factor/", HTTP_HOST=region_host)
    assert b"otpauth://totp/" in page.content
    with schema_context("public"):
        device = TOTPDevice.objects.get(user=new_regional_admin, confirmed=False)
    wrong = client.post("/admin/two-factor/", {"token": "000000", "next": CONSOLE}, HTTP_HOST=region_host)
    assert wrong.status_code == 200 and wrong.context["form"].errors
    done = client.post("/admin/two-factor/", {"token": f"{totp(device.bin_key):06d}", "next": CONSOLE},
                       HTTP_HOST=region_host)
    codes = done.context["recovery_codes"]
    assert len(codes) == 10
    assert client.get(CONSOLE, HTTP_HOST=region_host).status_code == 200
    # The link worked once.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert other.get(link, HTTP_HOST=region_host).status_code == 403
    assert other.post(link, HTTP_HOST=region_host).status_code == 403

    client.logout()
    _password_only(client, region_host, new_regional_admin.email)
    assert client.get(CONSOLE, HTTP_HOST=region_host).status_code == 302
    ok = client.post("/admin/two-factor/", {"token": codes[0], "next": CONSOLE}, HTTP_HOST=region_host)
    assert ok.status_code == 302 and ok["Location"] == CONSOLE
    assert client.get(CONSOLE, HTTP_HOST=region_host).status_code == 200

    client.logout()
    _password_only(client, region_host, new_regional_admin.email)
    reused = client.post("/admin/two-factor/", {"token": codes[0], "next": CONSOLE}, HTTP_HOST=region_host)
    assert reused.status_code == 200  # a recovery code works once
    assert client.get(CONSOLE, HTTP_HOST=region_host).status_code == 302


def test_nobody_issues_their_own_enrolment_link(client, regional_admin, region_host, settings, db):
    settings.REQUIRE_REGIONAL_2FA = True
    login(client, region_host, regional_admin.email)
    response = client.post("/admin/accounts/user/", {"action": "issue_enrolment_link",
                                                     "_selected_action": [regional_admin.pk]},
                           HTTP_HOST=region_host, follow=True)
    assert b"/admin/two-factor/enrol/" not in response.content
    assert b"Another regional administrator" in response.content


def test_the_operator_prints_a_link_for_the_first_administrator(client, new_regional_admin, region_host, settings):
    settings.REQUIRE_REGIONAL_2FA = True
    out = io.StringIO()
    call_command("two_factor_enrolment_link", new_regional_admin.email, stdout=out)
    link = re.search(r"(/admin/two-factor/enrol/\S+/)", out.getvalue()).group(1)
    _password_only(client, region_host, new_regional_admin.email)
    client.post(link, HTTP_HOST=region_host)
    assert b"otpauth://totp/" in client.get("/admin/two-factor/", HTTP_HOST=region_host).content


def test_an_enrolment_link_opened_before_signing_in_survives_the_sign_in(client, new_regional_admin, region_host,
                                                                       settings):
    settings.REQUIRE_REGIONAL_2FA = True
    out = io.StringIO()
    call_command("two_factor_enrolment_link", new_regional_admin.email, stdout=out)
    link = re.search(r"(/admin/two-factor/enrol/\S+/)", out.getvalue()).group(1)
    assert client.post(link, HTTP_HOST=region_host).status_code == 302
    assert client.get("/admin/two-factor/", HTTP_HOST=region_host).status_code == 302  # to the login page
    _password_only(client, region_host, new_regional_admin.email)
    assert b"otpauth://totp/" in client.get("/admin/two-factor/", HTTP_HOST=region_host).content


def test_development_may_skip_the_second_factor(client, new_regional_admin, region_host, settings):
    settings.REQUIRE_REGIONAL_2FA = False
    _password_only(client, region_host, new_regional_admin.email)
    assert client.get(CONSOLE, HTTP_HOST=region_host).status_code == 200


def test_two_factor_page_does_not_redirect_elsewhere(client, new_regional_admin, region_host, settings):
    settings.REQUIRE_REGIONAL_2FA = True
    _password_only(client, region_host, new_regional_admin.email)
    page = client.get("/admin/two-factor/?next=https://evil.example.com/", HTTP_HOST=region_host)
    assert page.context["next"] == "/admin/"


def test_repeated_failures_pause_the_account(client, alpha):
    for _ in range(5):
        response = _password_only(client, alpha.host, alpha.admin_email, password="wrong")
        assert response.status_code == 200
    blocked = _password_only(client, alpha.host, alpha.admin_email)  # even the right password waits now
    assert blocked.status_code == 200
    assert "throttled" in {e.code for e in blocked.context["form"].non_field_errors().as_data()}


def test_a_pause_in_one_municipality_does_not_lock_another(client, alpha, beta):
    with schema_context(beta.schema_name):
        User.objects.create_user(email=alpha.admin_email, password=ADMIN_PASSWORD, is_staff=True)
    for _ in range(5):
        _password_only(client, alpha.host, alpha.admin_email, password="wrong")
    assert _password_only(client, beta.host, alpha.admin_email).status_code == 302
