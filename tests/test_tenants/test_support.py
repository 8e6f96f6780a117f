"""Support access: a regional admin enters a municipality's back office only through a support session
with a reason and an expiry, recorded in the audit logs and shown to the municipality's admins."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.audit.models import AuditEntry
from gorodok_tenants.models import MunicipalityStatus, SupportSession
from gorodok_tenants.provisioning.municipalities import public_url
from gorodok_tenants.support import services as support
from tests.conftest import ADMIN_PASSWORD, login

MIDDLEWARE = "gorodok_tenants.support.views.SupportAccessMiddleware"
REASON = "Appeal #42 is stuck in the registration queue"
LIST_PATH = "/admin/gorodok_tenants/supportsession/"


@pytest.fixture(autouse=True)
def _support_middleware(settings):
    middleware = list(settings.MIDDLEWARE)
    if MIDDLEWARE not in middleware:
        middleware.insert(middleware.index("django.contrib.messages.middleware.MessageMiddleware") + 1, MIDDLEWARE)
        settings.MIDDLEWARE = middleware


@pytest.fixture
def analyst(db):
    with schema_context("public"):
        return staff_user_create(email="analyst@example.ru", password=ADMIN_PASSWORD,
                                 roles=[Role.REGIONAL_ANALYST])


def _start(municipality, user, reason: str = REASON, minutes: int = 60, request=None):
    return support.support_session_start(
        municipality=municipality.municipality, regional_user=user, reason=reason, minutes=minutes, request=request
    )


def _code(error: ValidationError) -> str:
    return error.error_list[0].code


def _enter(client, url: str, host: str):
    parts = urlsplit(url)
    return client.get(parts.path, HTTP_HOST=host)


def _audit(schema: str, action: str, session: SupportSession) -> list[AuditEntry]:
    with schema_context(schema):
        return list(AuditEntry.objects.filter(action=action, target_id=str(session.pk)).order_by("id"))


def _reload(session: SupportSession) -> SupportSession:
    with schema_context("public"):
        return SupportSession.objects.get(pk=session.pk)


def _move_expiry_to_the_past(session: SupportSession) -> None:
    with schema_context("public"):
        SupportSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(minutes=1))


def _refusal_code(response) -> str:
    assert response.status_code == 403
    content = response.content.decode()
    return content.split('data-code="', 1)[1].split('"', 1)[0]


def _assert_signed_out(client, host: str) -> None:
    response = client.get("/admin/", HTTP_HOST=host)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Starting and ending -------------------------------------------------------------------------


def test_start_opens_a_session_audited_in_the_public_schema(alpha, regional_admin):
    session, url = _start(alpha, regional_admin, minutes=30)

    session = _reload(session)
    assert session.municipality_id == alpha.municipality.pk
    assert session.regional_user_email == regional_admin.email
    assert session.reason == REASON
    assert timedelta(minutes=29) < session.expires_at - timezone.now() <= timedelta(minutes=30)
    assert session.entered_at is None and session.ended_at is None
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == urlsplit(public_url(alpha.host))[:2]
    assert parts.path.startswith("/support/enter/") and parts.path.endswith("/")

    [entry] = _audit("public", "support.start", session)
    assert entry.actor_email == regional_admin.email
    assert entry.tenant_schema == alpha.schema_name
    assert entry.reason == REASON
    assert entry.after["expires_at"] == session.expires_at.isoformat()
    assert _audit(alpha.schema_name, "support.start", session) == []


def test_entry_url_keeps_the_scheme_and_port_of_the_request(alpha, regional_admin):
    request = RequestFactory().get("/admin/", HTTP_HOST="localhost:8000")
    _session, url = _start(alpha, regional_admin, request=request)
    assert url.startswith(f"http://{alpha.host}:8000/support/enter/")


def test_the_token_binds_the_session_and_the_schema(alpha, regional_admin):
    session, url = _start(alpha, regional_admin)
    token = urlsplit(url).path.split("/")[-2]
    payload = signing.loads(token, salt=support.ENTRY_SALT)
    assert payload == {"s": session.pk, "t": alpha.schema_name}
    with pytest.raises(signing.BadSignature):
        signing.loads(token)  # another salt never accepts it


def test_an_analyst_cannot_start_a_session(alpha, analyst):
    with pytest.raises(ValidationError) as error:
        _start(alpha, analyst)
    assert _code(error.value) == "not_allowed"
    with schema_context("public"):
        assert not SupportSession.objects.exists()


def test_a_municipal_admin_is_never_taken_for_a_regional_one(alpha, regional_admin):
    with schema_context(alpha.schema_name):
        municipal_admin = User.objects.get(email=alpha.admin_email)
    with pytest.raises(ValidationError) as error:
        _start(alpha, municipal_admin)
    assert _code(error.value) == "not_allowed"


@pytest.mark.parametrize("reason", ["", "   ", "help", "short     "])
def test_a_reason_is_required(alpha, regional_admin, reason):
    with pytest.raises(ValidationError) as error:
        _start(alpha, regional_admin, reason=reason)
    assert _code(error.value) == "reason_required"


@pytest.mark.parametrize("minutes", [0, 4, 481, 10_000, -5])
def test_the_duration_is_bounded(alpha, regional_admin, minutes):
    with pytest.raises(ValidationError) as error:
        _start(alpha, regional_admin, minutes=minutes)
    assert _code(error.value) == "invalid_duration"


@pytest.mark.parametrize("minutes", [5, 480])
def test_the_duration_bounds_are_allowed(alpha, regional_admin, minutes):
    session, _url = _start(alpha, regional_admin, minutes=minutes)
    assert session.pk


def test_an_archived_municipality_cannot_be_entered(alpha, regional_admin):
    from gorodok_tenants.models import Municipality

    with schema_context("public"):
        Municipality.objects.filter(pk=alpha.municipality.pk).update(status=MunicipalityStatus.ARCHIVED)
    with pytest.raises(ValidationError) as error:
        _start(alpha, regional_admin)
    assert _code(error.value) == "municipality_unavailable"


def test_ending_a_session_is_audited_and_happens_once(alpha, regional_admin, analyst):
    session, _url = _start(alpha, regional_admin)
    with pytest.raises(ValidationError) as error:
        support.support_session_end(session=session, actor=analyst)
    assert _code(error.value) == "not_allowed"

    support.support_session_end(session=session, actor=regional_admin)
    assert _reload(session).ended_at is not None
    [entry] = _audit("public", "support.end", session)
    assert entry.actor_email == regional_admin.email
    assert entry.tenant_schema == alpha.schema_name
    assert entry.before == {"ended_at": None}

    with pytest.raises(ValidationError) as error:
        support.support_session_end(session=session, actor=regional_admin)
    assert _code(error.value) == "not_open"


# --- Entering on the municipality's host ---------------------------------------------------------


def test_entering_signs_in_to_the_back_office_and_is_audited_in_the_municipality(client, alpha, regional_admin):
    session, url = _start(alpha, regional_admin)

    response = _enter(client, url, alpha.host)
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    page = client.get("/admin/", HTTP_HOST=alpha.host, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "as regional support until" in page.content.decode()
    assert REASON in page.content.decode()
    assert client.get("/admin/accounts/user/", HTTP_HOST=alpha.host).status_code == 200

    session = _reload(session)
    assert session.entered_at is not None
    [entry] = _audit(alpha.schema_name, "support.enter", session)
    assert entry.actor_kind == "support"
    assert entry.tenant_schema == alpha.schema_name
    assert entry.reason == REASON
    assert entry.after["regional_user"] == regional_admin.email
    assert _audit("public", "support.enter", session) == []

    with schema_context(alpha.schema_name):
        user = User.objects.get(email=support.support_email_for(regional_admin.email))
        stored = SessionStore(session_key=client.cookies[django_settings.SESSION_COOKIE_NAME].value)
        assert int(stored[support.SESSION_KEY]) == session.pk
        assert abs(stored.get_expiry_date() - session.expires_at) < timedelta(seconds=1)
    assert support.is_support_user(user)
    assert user.is_staff and user.is_superuser and user.is_active
    assert not user.has_usable_password()
    assert regional_admin.email in user.full_name
    assert entry.actor_email == user.email


def test_a_token_for_alpha_is_refused_on_betas_host(client, alpha, beta, regional_admin):
    session, url = _start(alpha, regional_admin)

    response = _enter(client, url, beta.host)
    assert _refusal_code(response) == support.REFUSED_OTHER_MUNICIPALITY
    _assert_signed_out(client, beta.host)
    assert _reload(session).entered_at is None
    with schema_context(beta.schema_name):
        assert not User.objects.filter(email=support.support_email_for(regional_admin.email)).exists()
        assert not AuditEntry.objects.filter(action="support.enter").exists()

    # Still good where it belongs.
    assert _enter(Client(), url, alpha.host).status_code == 302


def test_the_region_host_refuses_entry_links(client, alpha, regional_admin):
    _session, url = _start(alpha, regional_admin)
    assert _refusal_code(_enter(client, url, "localhost")) == support.REFUSED_OTHER_MUNICIPALITY


def test_a_token_works_once(client, alpha, regional_admin):
    _session, url = _start(alpha, regional_admin)
    assert _enter(client, url, alpha.host).status_code == 302

    other = Client()
    assert _refusal_code(_enter(other, url, alpha.host)) == support.REFUSED_USED
    _assert_signed_out(other, alpha.host)


def test_an_expired_session_cannot_be_entered(client, alpha, regional_admin):
    session, url = _start(alpha, regional_admin, minutes=5)
    _move_expiry_to_the_past(session)

    assert _refusal_code(_enter(client, url, alpha.host)) == support.REFUSED_CLOSED
    _assert_signed_out(client, alpha.host)
    assert _reload(session).entered_at is None


def _revoke_regional_admin(user) -> None:
    with schema_context("public"):
        User.objects.filter(pk=user.pk).update(is_active=False)


def test_a_deactivated_regional_admin_cannot_enter(client, alpha, regional_admin):
    _session, url = _start(alpha, regional_admin)
    _revoke_regional_admin(regional_admin)
    assert _refusal_code(_enter(client, url, alpha.host)) == support.REFUSED_NOT_ALLOWED
    _assert_signed_out(client, alpha.host)


def test_an_ended_session_cannot_be_entered(client, alpha, regional_admin):
    session, url = _start(alpha, regional_admin)
    support.support_session_end(session=session, actor=regional_admin)
    assert _refusal_code(_enter(client, url, alpha.host)) == support.REFUSED_CLOSED


@pytest.mark.parametrize("mangle", [lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
                                    lambda t: "not-a-token", lambda t: t + "x"])
def test_a_forged_token_is_refused(client, alpha, regional_admin, mangle):
    _session, url = _start(alpha, regional_admin)
    token = urlsplit(url).path.split("/")[-2]
    response = client.get(f"/support/enter/{mangle(token)}/", HTTP_HOST=alpha.host)
    assert _refusal_code(response) == support.REFUSED_INVALID
    _assert_signed_out(client, alpha.host)


def test_a_token_signed_for_another_purpose_is_refused(client, alpha, regional_admin):
    session, _url = _start(alpha, regional_admin)
    token = signing.dumps({"s": session.pk, "t": alpha.schema_name})
    response = client.get(f"/support/enter/{token}/", HTTP_HOST=alpha.host)
    assert _refusal_code(response) == support.REFUSED_INVALID


def test_the_refusal_page_is_translated(client, alpha, regional_admin):
    _session, url = _start(alpha, regional_admin)
    _enter(client, url, alpha.host)
    response = Client().get(urlsplit(url).path, HTTP_HOST=alpha.host, HTTP_ACCEPT_LANGUAGE="en")
    assert _refusal_code(response) == support.REFUSED_USED
    assert "already been used" in response.content.decode()


# --- Access ends with the session ----------------------------------------------------------------


def test_access_ends_when_the_session_is_ended(client, alpha, regional_admin):
    session, url = _start(alpha, regional_admin)
    _enter(client, url, alpha.host)
    assert client.get("/admin/", HTTP_HOST=alpha.host).status_code == 200

    support.support_session_end(session=session, actor=regional_admin)
    _assert_signed_out(client, alpha.host)


def test_access_ends_when_the_session_expires(client, alpha, regional_admin):
    session, url = _start(alpha, regional_admin)
    _enter(client, url, alpha.host)
    assert client.get("/admin/", HTTP_HOST=alpha.host).status_code == 200

    _move_expiry_to_the_past(session)
    _assert_signed_out(client, alpha.host)


def test_access_ends_when_the_regional_admin_is_deactivated(client, alpha, regional_admin):
    _session, url = _start(alpha, regional_admin)
    _enter(client, url, alpha.host)
    assert client.get("/admin/", HTTP_HOST=alpha.host).status_code == 200

    _revoke_regional_admin(regional_admin)
    _assert_signed_out(client, alpha.host)


def test_a_support_account_given_a_password_is_still_signed_out(client, alpha, regional_admin):
    session, url = _start(alpha, regional_admin)
    _enter(Client(), url, alpha.host)
    support.support_session_end(session=session, actor=regional_admin)
    email = support.support_email_for(regional_admin.email)
    with schema_context(alpha.schema_name):
        user = User.objects.get(email=email)
        user.set_password(ADMIN_PASSWORD)
        user.save()

    login(client, alpha.host, email)
    _assert_signed_out(client, alpha.host)


def test_municipal_staff_are_not_affected(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    assert client.get("/admin/", HTTP_HOST=alpha.host).status_code == 200
    assert client.get("/admin/", HTTP_HOST=alpha.host).status_code == 200


def test_regional_credentials_do_not_open_a_back_office(client, alpha, regional_admin):
    response = client.post("/admin/login/", {"username": regional_admin.email, "password": ADMIN_PASSWORD,
                                             "next": "/admin/"}, HTTP_HOST=alpha.host)
    assert response.status_code == 200  # the form again, with an error
    _assert_signed_out(client, alpha.host)


# --- What the municipality sees ------------------------------------------------------------------


def test_the_municipalitys_admins_see_only_their_sessions(alpha, beta, regional_admin):
    alpha_session, _ = _start(alpha, regional_admin, reason="Alpha: fixing the appeals registry import")
    beta_session, _ = _start(beta, regional_admin, reason="Beta: restoring a deleted asset record")

    alpha_client = Client()
    login(alpha_client, alpha.host, alpha.admin_email)
    assert LIST_PATH in alpha_client.get("/admin/", HTTP_HOST=alpha.host).content.decode()
    page = alpha_client.get(LIST_PATH, HTTP_HOST=alpha.host)
    assert page.status_code == 200
    assert "Alpha: fixing the appeals registry import" in page.content.decode()
    assert "Beta: restoring" not in page.content.decode()
    assert regional_admin.email in page.content.decode()
    detail = alpha_client.get(f"{LIST_PATH}{alpha_session.pk}/change/", HTTP_HOST=alpha.host)
    assert detail.status_code == 200
    # Another municipality's session is not reachable by id either.
    foreign = alpha_client.get(f"{LIST_PATH}{beta_session.pk}/change/", HTTP_HOST=alpha.host)
    assert foreign.status_code == 302
    assert "Beta: restoring" not in alpha_client.get(foreign["Location"], HTTP_HOST=alpha.host).content.decode()

    beta_client = Client()
    login(beta_client, beta.host, beta.admin_email)
    page = beta_client.get(LIST_PATH, HTTP_HOST=beta.host)
    assert page.status_code == 200
    assert "Beta: restoring a deleted asset record" in page.content.decode()
    assert "Alpha: fixing" not in page.content.decode()


def test_the_back_office_list_is_read_only(client, alpha, regional_admin):
    session, _ = _start(alpha, regional_admin)
    login(client, alpha.host, alpha.admin_email)
    assert client.get(f"{LIST_PATH}add/", HTTP_HOST=alpha.host).status_code == 403
    assert client.get(f"{LIST_PATH}{session.pk}/delete/", HTTP_HOST=alpha.host).status_code == 403
    response = client.post(f"{LIST_PATH}{session.pk}/change/", {"reason": "changed"}, HTTP_HOST=alpha.host)
    assert response.status_code == 403
    assert _reload(session).reason == REASON


def test_municipal_staff_without_the_admin_role_do_not_see_support_sessions(client, alpha, regional_admin):
    _start(alpha, regional_admin)
    with schema_context(alpha.schema_name):
        staff_user_create(email="viewer@alpha.example.ru", password=ADMIN_PASSWORD, roles=[Role.VIEWER])
    login(client, alpha.host, "viewer@alpha.example.ru")
    assert client.get(LIST_PATH, HTTP_HOST=alpha.host).status_code == 403


# --- The regional console ------------------------------------------------------------------------


def test_the_console_opens_a_session_and_sends_the_admin_in(client, alpha, regional_admin):
    login(client, "localhost", regional_admin.email)
    form = client.get(f"{LIST_PATH}add/", HTTP_HOST="localhost")
    assert form.status_code == 200

    response = client.post(
        f"{LIST_PATH}add/", {"municipality": alpha.municipality.pk, "reason": REASON, "minutes": 30},
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302
    entry_url = response["Location"]
    assert entry_url.startswith(f"http://{alpha.host}/support/enter/")
    with schema_context("public"):
        session = SupportSession.objects.get()
    assert session.regional_user_email == regional_admin.email
    assert len(_audit("public", "support.start", session)) == 1

    assert _enter(client, entry_url, alpha.host)["Location"] == "/admin/"
    assert client.get("/admin/", HTTP_HOST=alpha.host).status_code == 200


def test_the_console_form_shows_validation_errors(client, alpha, regional_admin):
    login(client, "localhost", regional_admin.email)
    response = client.post(f"{LIST_PATH}add/", {"municipality": alpha.municipality.pk, "reason": "why",
                                                "minutes": 30}, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = client.post(f"{LIST_PATH}add/", {"municipality": alpha.municipality.pk, "reason": REASON,
                                                "minutes": 600}, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "minutes" in response.context["form"].errors
    with schema_context("public"):
        assert not SupportSession.objects.exists()


def test_the_console_lists_sessions_and_ends_one(client, alpha, regional_admin):
    session, _ = _start(alpha, regional_admin)
    login(client, "localhost", regional_admin.email)
    page = client.get(LIST_PATH, HTTP_HOST="localhost")
    assert page.status_code == 200
    assert REASON in page.content.decode()

    response = client.post(LIST_PATH, {"action": "end_sessions", "_selected_action": [session.pk], "index": 0},
                           HTTP_HOST="localhost")
    assert response.status_code == 302
    assert _reload(session).ended_at is not None
    assert len(_audit("public", "support.end", session)) == 1


def test_an_analyst_sees_sessions_in_the_console_but_cannot_open_or_end_them(client, alpha, regional_admin, analyst):
    session, _ = _start(alpha, regional_admin)
    login(client, "localhost", analyst.email)
    assert LIST_PATH in client.get("/admin/", HTTP_HOST="localhost").content.decode()
    assert client.get(LIST_PATH, HTTP_HOST="localhost").status_code == 200
    assert client.get(f"{LIST_PATH}add/", HTTP_HOST="localhost").status_code == 403
    client.post(LIST_PATH, {"action": "end_sessions", "_selected_action": [session.pk], "index": 0},
                HTTP_HOST="localhost")
    assert _reload(session).ended_at is None
