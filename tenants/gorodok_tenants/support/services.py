"""Support access: a regional administrator's time-limited, reasoned entry into a municipality's back office.

A regional administrator starts a support session in the regional console with a reason and a duration.
That records ``support.start`` in the public audit log and gives a one-time entry link on the
municipality's host. The link is signed, names the session and the municipality's schema, dies with the
session and works once. Following it signs the administrator in as the municipality's support account
(``support+…``, no password) and records ``support.enter`` in the municipality's own audit log. Access ends
when the session expires or is ended (``support.end`` in the public audit log); see
``gorodok_tenants.support.views.SupportAccessMiddleware``.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import Role
from gorodok_platform.audit.models import ActorKind
from gorodok_platform.audit.services import audit_record
from gorodok_tenants.models import Municipality, MunicipalityStatus, SupportSession
from gorodok_tenants.provisioning.municipalities import public_url

REASON_MIN_LENGTH = 10
MIN_MINUTES = 5
MAX_MINUTES = 480
DEFAULT_MINUTES = 60

ENTRY_SALT = "gorodok.support.enter"
# The key under which a support sign-in keeps its support session's id in the Django session.
SESSION_KEY = "gorodok_support_session_id"

SUPPORT_EMAIL_PREFIX = "support+"
_FALLBACK_SUPPORT_DOMAIN = "gorodok.local"

# Codes of SupportEntryRefused.
REFUSED_INVALID = "invalid"
REFUSED_OTHER_MUNICIPALITY = "other_municipality"
REFUSED_USED = "used"
REFUSED_CLOSED = "closed"
REFUSED_NOT_ALLOWED = "not_allowed"


class SupportEntryRefused(Exception):
    """An entry link that cannot be used; ``code`` says why, ``message`` says it to a person."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        messages = {
            REFUSED_INVALID: _("This support link is invalid."),
            REFUSED_OTHER_MUNICIPALITY: _("This support link is for another municipality."),
            REFUSED_USED: _("This support link has already been used. Start a new support session in the "
                            "regional console."),
            REFUSED_CLOSED: _("This support session has expired or has been ended."),
            REFUSED_NOT_ALLOWED: _("The regional administrator who opened this support session is no longer "
                                   "allowed to enter."),
        }
        return messages.get(self.code, messages[REFUSED_INVALID])


# --- Support accounts ----------------------------------------------------------------------------


def _support_domain() -> str:
    domain = settings.REGION_DOMAIN
    return domain if "." in domain else _FALLBACK_SUPPORT_DOMAIN


def support_email_for(regional_email: str) -> str:
    """The e-mail of the support account a regional administrator uses inside a municipality.

    ``ivanova@kras.ru`` → ``support+ivanova=kras.ru@<region domain>``: one account per regional
    administrator, recognisable by its prefix, and never shared by two administrators.
    """
    local, _at, domain = regional_email.lower().partition("@")
    return f"{SUPPORT_EMAIL_PREFIX}{local}={domain}@{_support_domain()}"


def is_support_user(user) -> bool:
    email = (getattr(user, "email", "") or "").lower()
    return email.startswith(SUPPORT_EMAIL_PREFIX) and email.endswith("@" + _support_domain())


def _support_user_for(session: SupportSession) -> User:
    """Get or create, in the current (municipality) schema, the support account for the session's admin."""
    email = support_email_for(session.regional_user_email)
    full_name = _("Regional support: %(email)s") % {"email": session.regional_user_email}
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        user = User(email=email)
    # Support must be able to help with anything in the back office; it signs in only through a link.
    user.full_name = full_name[:200]
    user.is_active = True
    user.is_staff = True
    user.is_superuser = True
    user.set_unusable_password()  # even if someone gave it a password meanwhile
    user.save()
    return user


# --- Permissions and validation ------------------------------------------------------------------


def is_regional_admin(user) -> bool:
    """True when ``user`` is an active regional administrator of the public schema.

    Looked up in the public schema by id *and* e-mail, so a municipality's user with the same id
    is never mistaken for a regional one.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    with schema_context(get_public_schema_name()):
        return User.objects.filter(
            pk=user.pk, email=user.email, is_active=True, is_staff=True, groups__name=str(Role.REGIONAL_ADMIN)
        ).exists()


def _regional_admin_email_is_active(email: str) -> bool:
    with schema_context(get_public_schema_name()):
        return User.objects.filter(
            email=email, is_active=True, is_staff=True, groups__name=str(Role.REGIONAL_ADMIN)
        ).exists()


def _require_regional_admin(user) -> None:
    if not is_regional_admin(user):
        raise ValidationError(_("Only a regional administrator may open or end support sessions."),
                              code="not_allowed")


# --- Entry links ---------------------------------------------------------------------------------


def _entry_token(session: SupportSession, schema_name: str) -> str:
    return signing.dumps({"s": session.pk, "t": schema_name}, salt=ENTRY_SALT, compress=True)


def _entry_url(*, host: str, token: str, request=None) -> str:
    # The link is opened on the municipality's host, so it is reversed in the municipalities' URLconf.
    path = reverse("support:enter", urlconf=settings.ROOT_URLCONF, kwargs={"token": token})
    if request is None:
        return public_url(host, path)
    _domain, port = split_domain_port(request.get_host())
    scheme = request.scheme
    default_port = "443" if scheme == "https" else "80"
    netloc = host if not port or port == default_port else f"{host}:{port}"
    return f"{scheme}://{netloc}{path}"


# --- Services ------------------------------------------------------------------------------------


@transaction.atomic
def support_session_start(
    *, municipality: Municipality, regional_user, reason: str, minutes: int = DEFAULT_MINUTES, request=None
) -> tuple[SupportSession, str]:
    """Open a support session and return it with its one-time entry URL. Raises ValidationError."""
    _require_regional_admin(regional_user)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            _("State the reason for entering the back office (at least %(count)d characters)."),
            code="reason_required", params={"count": REASON_MIN_LENGTH},
        )
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ValidationError(
            _("A support session lasts from %(min)d to %(max)d minutes."),
            code="invalid_duration", params={"min": MIN_MINUTES, "max": MAX_MINUTES},
        )
    with schema_context(get_public_schema_name()):
        municipality = Municipality.objects.prefetch_related("domains").get(pk=municipality.pk)
        if municipality.status not in (MunicipalityStatus.ACTIVE, MunicipalityStatus.SUSPENDED):
            raise ValidationError(_("Support sessions cannot be opened for an archived municipality."),
                                  code="municipality_unavailable")
        host = municipality.primary_domain
        if not host:
            raise ValidationError(_("The municipality has no primary host."), code="no_host")
        session = SupportSession.objects.create(
            municipality=municipality,
            regional_user_email=regional_user.email,
            reason=reason,
            expires_at=timezone.now() + timedelta(minutes=minutes),
        )
        audit_record(
            action="support.start", actor=regional_user, tenant_schema=municipality.schema_name, target=session,
            after={"reason": reason, "minutes": minutes, "expires_at": session.expires_at.isoformat()},
            reason=reason, request=request,
        )
    token = _entry_token(session, municipality.schema_name)
    return session, _entry_url(host=host, token=token, request=request)


@transaction.atomic
def support_session_end(*, session: SupportSession, actor, request=None) -> SupportSession:
    """End a support session now. Raises ValidationError (``not_allowed``, ``not_open``)."""
    _require_regional_admin(actor)
    with schema_context(get_public_schema_name()):
        session = SupportSession.objects.select_for_update().select_related("municipality").get(pk=session.pk)
        if not session.is_open():
            raise ValidationError(_("The support session has already expired or been ended."), code="not_open")
        session.ended_at = timezone.now()
        session.save(update_fields=["ended_at"])
        audit_record(
            action="support.end", actor=actor, tenant_schema=session.municipality.schema_name, target=session,
            before={"ended_at": None}, after={"ended_at": session.ended_at.isoformat()},
            reason=session.reason, request=request,
        )
    return session


@transaction.atomic
def support_session_enter(*, token: str, tenant, request=None) -> tuple[SupportSession, User]:
    """Use an entry link on ``tenant``'s host: checks it, marks it used, returns the session and the
    support account (in the current schema) to sign in. Records ``support.enter`` in the municipality's
    audit log. Raises SupportEntryRefused."""
    try:
        payload = signing.loads(token, salt=ENTRY_SALT, max_age=timedelta(minutes=MAX_MINUTES))
        session_id, schema_name = int(payload["s"]), str(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise SupportEntryRefused(REFUSED_INVALID) from error
    if tenant is None or schema_name != tenant.schema_name or schema_name == get_public_schema_name():
        raise SupportEntryRefused(REFUSED_OTHER_MUNICIPALITY)
    # SupportSession lives in the public schema, reachable from the municipality's schema (search_path).
    session = (
        SupportSession.objects.select_for_update().select_related("municipality").filter(pk=session_id).first()
    )
    if session is None or session.municipality.schema_name != schema_name:
        raise SupportEntryRefused(REFUSED_INVALID)
    if session.entered_at is not None:
        raise SupportEntryRefused(REFUSED_USED)
    now = timezone.now()
    if not session.is_open(now):
        raise SupportEntryRefused(REFUSED_CLOSED)
    if not _regional_admin_email_is_active(session.regional_user_email):
        raise SupportEntryRefused(REFUSED_NOT_ALLOWED)
    session.entered_at = now
    session.save(update_fields=["entered_at"])
    user = _support_user_for(session)
    audit_record(
        action="support.enter", actor=user, actor_kind=ActorKind.SUPPORT, tenant_schema=schema_name,
        target=session, reason=session.reason, request=request,
        after={"regional_user": session.regional_user_email, "expires_at": session.expires_at.isoformat()},
    )
    return session, user


def support_session_is_valid(*, session_id, tenant, now=None) -> bool:
    """Whether a signed-in support account may still act on ``tenant``'s host: its session is open and
    the regional administrator who opened it still is one (deactivating them ends their access)."""
    try:
        session_id = int(session_id)
    except (TypeError, ValueError):
        return False
    session = SupportSession.objects.filter(pk=session_id, municipality_id=tenant.pk).first()
    if session is None or session.entered_at is None or not session.is_open(now):
        return False
    return _regional_admin_email_is_active(session.regional_user_email)
