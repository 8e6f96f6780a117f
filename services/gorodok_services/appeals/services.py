"""Writes for appeals. Every function is atomic, validates its input, records the appeal's history
and the audit log, and schedules notifications with ``enqueue_on_commit`` (jobs kit). Invalid requests
raise ValidationError with a code from ``error_codes``; nothing here ever answers with a 500.

A question may name the register object it concerns (``Question.asset``, a building, a network section,
a boiler house...). The link belongs to the appeal, so it lives here and goes into the appeal's history
and audit: it is set on intake (``QuestionInput.asset_id``) or later by ``question_link_asset``, and
nothing else writes it. The object is looked up only in the current municipality's schema (another
municipality's object is simply not found) and must still be in the register; its row is locked while
the link is written, so it cannot leave the register halfway. Appeals import the register, never the
other way round."""

from __future__ import annotations

import secrets
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorodok_platform.audit.services import audit_record
from gorodok_platform.integrations.outbox import outbox_emit, outbox_emit_many
from gorodok_services.appeals import error_codes as codes
from gorodok_services.appeals import events
from gorodok_services.appeals.deadlines import appeal_rule, due, extended_due, rule_for, tenant_timezone
from gorodok_services.appeals.models import (
    Appeal,
    AppealEvent,
    AppealForm,
    AppealKind,
    AppealsSettings,
    AppealStatus,
    ApplicantType,
    Attachment,
    Channel,
    NoAnswerReason,
    Notification,
    NotificationKind,
    Question,
    QuestionResult,
    RegistrationCounter,
    UnclearHandling,
)
from gorodok_services.core.access import actor_email as _actor_email
from gorodok_services.core.calendar import DayType, Shift, deadline, local_date
from gorodok_services.core.identifiers import valid_inn, valid_ogrn
from gorodok_tenants.modules import module_enabled

CONSIDERED_RESULTS = (QuestionResult.EXPLAINED, QuestionResult.SUPPORTED, QuestionResult.MEASURES_TAKEN,
                      QuestionResult.NOT_SUPPORTED, QuestionResult.ANSWER_GIVEN)
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf", "image/jpeg", "image/png", "text/plain", "application/rtf",
    "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}
CHANNEL_FORMS = {
    Channel.FEEDBACK_PLATFORM: AppealForm.ELECTRONIC, Channel.INTEGRATOR: AppealForm.ELECTRONIC,
    Channel.PERSONAL_RECEPTION: AppealForm.ORAL, Channel.POST: AppealForm.WRITTEN,
    Channel.IN_PERSON: AppealForm.WRITTEN, Channel.OTHER: AppealForm.WRITTEN,
}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass
class QuestionInput:
    classifier_code: str
    text: str = ""
    asset_id: int | None = None  # the register object the question concerns (its primary key)


@dataclass
class AppealIntake:
    """What arrives: from the feedback platform, a reception, the post or an integrator."""

    channel: str
    subject: str
    text: str
    questions: list[QuestionInput]
    kind: str = AppealKind.STATEMENT
    form: str | None = None
    applicant_type: str = ApplicantType.PERSON
    applicant_name: str = ""
    applicant_inn: str = ""
    applicant_ogrn: str = ""
    applicant_email: str = ""
    applicant_phone: str = ""
    applicant_address: str = ""
    is_collective: bool = False
    signatories: int = 1
    problem_address: str = ""
    external_number: str | None = None
    received_at: datetime | None = None
    extra: dict = field(default_factory=dict)


# --- helpers -------------------------------------------------------------------------------------

def _record(appeal: Appeal, action: str, actor, *, from_status: str = "", note: str = "", data=None) -> AppealEvent:
    """The appeal's history entry, and an audit entry that points at it. The audit log is append-only,
    so it gets no free text or file names (which may hold personal data): retention scrubs the history."""
    event = AppealEvent.objects.create(appeal=appeal, action=action, actor_email=_actor_email(actor),
                                       from_status=from_status, to_status=appeal.status, note=note, data=data or {})
    audit_record(action=f"appeal.{action}", actor=actor, target=appeal,
                 before={"status": from_status} if from_status else None,
                 after={"status": appeal.status, "history_entry": event.pk})
    return event


def _locked(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def _require_status(appeal: Appeal, allowed, action: str) -> None:
    if appeal.status not in allowed:
        raise ValidationError(
            _("Cannot %(action)s an appeal that is %(status)s.")
            % {"action": action, "status": appeal.get_status_display()},
            code=codes.INVALID_TRANSITION,
        )


def _notify(appeal: Appeal, kind: str, key: str, recipient: str) -> Notification | None:
    from gorodok_services.appeals.notifications import notification_record

    return notification_record(appeal=appeal, kind=kind, key=key, recipient=recipient)[0]


_TEXT_LIMITS = {
    field: Appeal._meta.get_field(field).max_length
    for field in ("subject", "text", "applicant_name", "applicant_inn", "applicant_ogrn", "applicant_email",
                  "applicant_phone", "applicant_address", "problem_address", "external_number")
}


def _validate_intake(data: AppealIntake, verified_codes: frozenset[str] = frozenset()) -> None:
    from gorodok_services.classifier.models import ClassifierEntry

    errors: dict[str, list[ValidationError]] = {}

    def add(name: str, message, code: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    for name, limit in _TEXT_LIMITS.items():
        value = getattr(data, name) or ""
        if "\x00" in value:
            add(name, _("The text contains a NUL character."), "invalid")
        elif limit and len(value) > limit:
            add(name, _("At most %(limit)d characters.") % {"limit": limit}, "max_length")
    for question in data.questions:
        if "\x00" in question.text or "\x00" in question.classifier_code:
            add("questions", _("The text contains a NUL character."), "invalid")
    if data.received_at is not None:
        if timezone.is_naive(data.received_at):
            add("received_at", _("Give the time with its UTC offset."), "invalid")
        elif data.received_at > timezone.now() + timedelta(minutes=5):
            add("received_at", _("The appeal cannot be received in the future."), "invalid")

    if data.kind not in AppealKind.values:
        add("kind", _("Unknown kind of appeal."), "invalid_choice")
    if data.channel not in Channel.values:
        add("channel", _("Unknown channel."), "invalid_choice")
    if data.form and data.form not in AppealForm.values:
        add("form", _("Unknown form."), "invalid_choice")
    if data.applicant_type not in ApplicantType.values:
        add("applicant_type", _("Unknown kind of applicant."), "invalid_choice")
    if not data.subject.strip():
        add("subject", _("The subject is required."), "required")
    if not data.text.strip():
        add("text", _("The text is required."), "required")
    if len(data.subject) > 300:
        add("subject", _("The subject is at most 300 characters."), "max_length")
    if data.applicant_type != ApplicantType.ANONYMOUS and not data.applicant_name.strip():
        add("applicant_name", _("Name the applicant, or mark the appeal anonymous."), codes.APPLICANT_REQUIRED)
    if data.applicant_type == ApplicantType.LEGAL_ENTITY:
        if not valid_inn(data.applicant_inn):
            add("applicant_inn", _("The INN is not valid."), codes.INVALID_INN)
        if data.applicant_ogrn and not valid_ogrn(data.applicant_ogrn):
            add("applicant_ogrn", _("The OGRN is not valid."), codes.INVALID_OGRN)
    if data.applicant_email:
        from django.core.validators import validate_email

        try:
            validate_email(data.applicant_email)
        except ValidationError:
            add("applicant_email", _("Enter a valid e-mail address."), "invalid")
    if data.signatories < 1 or (not data.is_collective and data.signatories != 1):
        add("signatories", _("An individual appeal has one signatory; a collective one at least one."), "invalid")
    if not data.questions:
        add("questions", _("An appeal has at least one question."), codes.QUESTIONS_REQUIRED)
    if len(data.questions) > 50:
        add("questions", _("At most 50 questions."), "max_length")
    unverified = [q.classifier_code for q in data.questions if q.classifier_code not in verified_codes]
    known = set(verified_codes)
    if unverified:
        known.update(ClassifierEntry.objects.filter(code__in=unverified).values_list("code", flat=True))
    for question in data.questions:
        if question.classifier_code not in known:
            add("questions", _("Unknown classifier code: %(code)s.") % {"code": question.classifier_code},
                codes.UNKNOWN_CLASSIFIER_CODE)
    for question in data.questions:
        if question.asset_id is not None:
            try:
                _asset_for_link(question.asset_id, lock=False)
            except ValidationError as error:
                for item in error.error_dict["asset"]:
                    add("questions", item.message, item.code)
    if data.external_number is not None and not (0 < len(data.external_number) <= 64):
        add("external_number", _("The external number is 1–64 characters."), "invalid")
    if errors:
        raise ValidationError(errors)


# --- intake --------------------------------------------------------------------------------------

def appeal_receive(*, data: AppealIntake, actor=None, idempotency_key: str | None = None,
                   source: str | None = None, looked_up: bool = False,
                   verified_codes: frozenset[str] = frozenset()) -> tuple[Appeal, bool]:
    """Record an arriving appeal. The same submission twice (same channel and external number, or
    the same idempotency key) gives the first appeal back with ``created=False`` — also when two
    arrive at the same moment: the database's unique constraints decide, not a prior read.

    ``source`` names the integrator sending it (an API client's region-wide identity); its caller
    scopes ``idempotency_key`` to it. The same channel and external number already received from
    another sender (or before senders were recorded) is refused with ``duplicate``, without
    revealing that appeal.

    ``looked_up``: the caller has just looked for an appeal with this idempotency key (and sends no
    external number), found none, and so the lookup is not made again before the insert (the unique
    constraint still decides). ``verified_codes``: classifier codes the caller has just found in the
    classifier, not looked up again."""
    _validate_intake(data, verified_codes)
    if not (looked_up and idempotency_key and not data.external_number):
        existing = _existing(data, idempotency_key, source)
        if existing is not None:
            return existing, False
    received_at = data.received_at or timezone.now()
    rule = rule_for(data.kind, [q.classifier_code for q in data.questions])
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                kind=data.kind, channel=data.channel, form=data.form or CHANNEL_FORMS[data.channel],
                external_number=data.external_number or None, idempotency_key=idempotency_key or None,
                received_from=source or None,
                applicant_type=data.applicant_type, applicant_name=data.applicant_name.strip(),
                applicant_inn=data.applicant_inn, applicant_ogrn=data.applicant_ogrn,
                applicant_email=data.applicant_email, applicant_phone=data.applicant_phone,
                applicant_address=data.applicant_address, is_collective=data.is_collective,
                signatories=data.signatories, subject=data.subject.strip(), text=data.text,
                problem_address=data.problem_address, received_at=received_at,
                due_register_at=due(received_at, rule.register_days, rule),
            )
            assets = {q.asset_id: _asset_for_link(q.asset_id, field="questions")
                      for q in data.questions if q.asset_id is not None}
            questions = Question.objects.bulk_create([
                Question(appeal=appeal, position=n, classifier_code=q.classifier_code, text=q.text,
                         asset=assets.get(q.asset_id))
                for n, q in enumerate(data.questions, start=1)
            ])
            _record(appeal, "received", actor, data={"channel": appeal.channel, "kind": appeal.kind})
            for question in questions:
                if question.asset is not None:
                    _record(appeal, "asset_linked", actor, from_status=appeal.status,
                            data={"position": question.position, "asset": question.asset.register_number})
    except IntegrityError:
        existing = _existing(data, idempotency_key, source)
        if existing is None:
            raise
        return existing, False
    appeal._deadline_rule = rule  # what registering it next, in this request, would read again
    return appeal, True


def _existing(data: AppealIntake, idempotency_key: str | None, source: str | None) -> Appeal | None:
    if idempotency_key:
        found = Appeal.objects.filter(idempotency_key=idempotency_key).first()
        if found:
            return found
    if data.external_number:
        found = Appeal.objects.filter(channel=data.channel, external_number=data.external_number).first()
        if found is not None and source is not None and found.received_from != source:
            raise ValidationError({"external_number": ValidationError(
                _("An appeal with this channel and external number was sent by another sender."),
                code=codes.DUPLICATE)})
        return found
    return None


# --- registration --------------------------------------------------------------------------------

def _next_number(year: int) -> int:
    """The year's next number. The UPDATE holds the counter's row lock until the transaction ends, so
    two registrations never take the same number; the year's first registration creates the row."""
    table = connection.ops.quote_name(RegistrationCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE {table} SET "last_number" = "last_number" + 1 WHERE "year" = %s '  # noqa: S608
                       'RETURNING "last_number"', [year])
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    counter, _ = RegistrationCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _new_access_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


@dataclass
class Registration:
    appeal: Appeal
    access_code: str  # shown once, to be given to the author; stored only as a hash


@transaction.atomic
def appeal_register(*, appeal: Appeal, actor=None, registered_at: datetime | None = None) -> Registration:
    known_rule = getattr(appeal, "_deadline_rule", None)  # set by appeal_receive on the appeal it made
    return _register(_locked(appeal), actor=actor, registered_at=registered_at, known_rule=known_rule)


def _register(appeal: Appeal, *, actor, registered_at: datetime | None, known_rule=None) -> Registration:
    """Register ``appeal``, which the caller holds for this transaction: locked, or created in it."""
    _require_status(appeal, (AppealStatus.RECEIVED,), _("register"))
    registered_at = registered_at or timezone.now()
    if registered_at < appeal.received_at:
        raise ValidationError({"registered_at": ValidationError(
            _("Registration cannot precede receipt."), code="invalid")})
    zone = tenant_timezone()
    year = registered_at.astimezone(zoneinfo.ZoneInfo(zone)).year
    prefix = AppealsSettings.current().registration_prefix
    rule = known_rule or appeal_rule(appeal)
    code = _new_access_code()
    previous = appeal.status
    appeal.registration_number = f"{prefix}-{year}-{_next_number(year):05d}"
    appeal.access_code_hash = make_password(code)
    appeal.registered_at = registered_at
    appeal.status = AppealStatus.REGISTERED
    appeal.due_forward_at = due(registered_at, rule.forward_days, rule, zone)
    appeal.due_at = appeal.original_due_at = due(registered_at, rule.answer_days, rule, zone)
    appeal.save(update_fields=REGISTRATION_FIELDS)
    late = registered_at > appeal.due_register_at
    _record(appeal, "registered", actor, from_status=previous,
            data={"registration_number": appeal.registration_number, "due_at": appeal.due_at.isoformat(),
                  "registered_late": late})
    data = events.appeal_event_data(appeal)
    outbox_emit_many([(events.REGISTERED, data), (events.STATUS_CHANGED, {**data, "previous_status": previous})])
    _notify(appeal, NotificationKind.REGISTERED_NOTICE, appeal.registration_number, appeal.applicant_email)
    return Registration(appeal=appeal, access_code=code)


REGISTRATION_FIELDS = ["registration_number", "access_code_hash", "registered_at", "status", "due_forward_at",
                       "due_at", "original_due_at", "updated_at"]


@transaction.atomic
def appeal_receive_and_register(*, data: AppealIntake, actor=None, idempotency_key: str | None = None,
                                source: str | None = None, looked_up: bool = False,
                                verified_codes: frozenset[str] = frozenset()) -> tuple[Appeal, bool]:
    """Receive an appeal and register it at once (an integrator's report): ``appeal_receive`` then
    ``appeal_register`` in one transaction. An appeal this call creates is registered as it is in
    memory: no other transaction can see it before the commit, so it is neither read again nor
    locked. One received earlier and still unregistered is registered as ``appeal_register`` does."""
    appeal, created = appeal_receive(data=data, actor=actor, idempotency_key=idempotency_key, source=source,
                                     looked_up=looked_up, verified_codes=verified_codes)
    if appeal.status == AppealStatus.RECEIVED:
        if created:
            appeal = _register(appeal, actor=actor, registered_at=None,
                               known_rule=getattr(appeal, "_deadline_rule", None)).appeal
        else:
            appeal = appeal_register(appeal=appeal, actor=actor).appeal
    return appeal, created


# --- routing and answering -------------------------------------------------------------------------

@transaction.atomic
def appeal_assign(*, appeal: Appeal, actor=None, department=None, executor=None) -> Appeal:
    appeal = _locked(appeal)
    _require_status(appeal, (AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS), _("assign"))
    if executor is not None and not (executor.is_active and executor.is_staff):
        raise ValidationError({"executor": ValidationError(_("The executor must be active staff."),
                                                           code=codes.EXECUTOR_NOT_STAFF)})
    if department is None and executor is None:
        raise ValidationError(_("Name a department, an executor or both."), code="required")
    if department is not None and not department.is_active:
        raise ValidationError({"department": ValidationError(_("This department is closed."), code="invalid")})
    previous = appeal.status
    appeal.department = department if department is not None else appeal.department
    appeal.executor = executor if executor is not None else appeal.executor
    appeal.status = AppealStatus.IN_PROGRESS
    appeal.save(update_fields=["department", "executor", "status", "updated_at"])
    _record(appeal, "assigned", actor, from_status=previous,
            data={"department": str(appeal.department or ""), "executor": getattr(appeal.executor, "email", "")})
    if previous != appeal.status:
        outbox_emit(events.STATUS_CHANGED, events.appeal_event_data(appeal, previous_status=previous))
    return appeal


@transaction.atomic
def appeal_extend(*, appeal: Appeal, actor=None, days: int, reason: str) -> Appeal:
    """Extend the answer term once, by at most the rule's maximum; the author is told the new date."""
    appeal = _locked(appeal)
    _require_status(appeal, (AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS), _("extend"))
    rule = appeal_rule(appeal)
    if appeal.extended_at is not None:
        raise ValidationError(_("The term can be extended only once."), code=codes.ALREADY_EXTENDED)
    if rule.max_extension_days == 0:
        raise ValidationError(_("This kind of appeal cannot be extended."), code=codes.EXTENSION_NOT_ALLOWED)
    if not 1 <= days <= rule.max_extension_days:
        raise ValidationError({"days": ValidationError(
            _("Extend by 1 to %(max)d days.") % {"max": rule.max_extension_days}, code=codes.EXTENSION_TOO_LONG)})
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": ValidationError(_("Give the reason the author will be told."),
                                                         code=codes.REASON_REQUIRED)})
    zone = tenant_timezone()
    previous_due = appeal.due_at
    appeal.due_at = extended_due(appeal, days, rule, zone)
    appeal.extended_at = timezone.now()
    appeal.extension_reason = reason.strip()
    appeal.is_overdue = appeal.due_at < timezone.now()
    appeal.save()
    appeal.questions.filter(result=QuestionResult.UNDER_CONSIDERATION).update(result=QuestionResult.EXTENDED)
    _record(appeal, "extended", actor, from_status=appeal.status, note=appeal.extension_reason,
            data={"days": days, "previous_due_at": previous_due.isoformat(), "due_at": appeal.due_at.isoformat(),
                  "counted_from": rule.extension_from})
    _notify(appeal, NotificationKind.EXTENSION_NOTICE, appeal.due_at.date().isoformat(), appeal.applicant_email)
    return appeal


@transaction.atomic
def appeal_forward(*, appeal: Appeal, actor=None, to: str, note: str = "") -> Appeal:
    """Forward to the competent body; the author is told (the forwarding itself is not disclosure)."""
    appeal = _locked(appeal)
    _require_status(appeal, (AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS), _("forward"))
    if not to.strip():
        raise ValidationError({"to": ValidationError(_("Name the body the appeal goes to."), code="required")})
    limit = Appeal._meta.get_field("forwarded_to").max_length
    if len(to.strip()) > limit:
        raise ValidationError({"to": ValidationError(_("At most %(limit)d characters.") % {"limit": limit},
                                                     code="max_length")})
    previous = appeal.status
    now = timezone.now()
    appeal.status = AppealStatus.FORWARDED
    appeal.forwarded_at = now
    appeal.forwarded_to = to.strip()
    appeal.closed_at = now
    appeal.is_overdue = False
    appeal.save()
    appeal.questions.update(result=QuestionResult.FORWARDED)
    late = appeal.due_forward_at is not None and now > appeal.due_forward_at
    _record(appeal, "forwarded", actor, from_status=previous, note=note,
            data={"to": appeal.forwarded_to, "forwarded_late": late})
    outbox_emit(events.STATUS_CHANGED, events.appeal_event_data(appeal, previous_status=previous))
    _notify(appeal, NotificationKind.FORWARDED_NOTICE, appeal.forwarded_to[:64], appeal.applicant_email)
    return appeal


@transaction.atomic
def appeal_answer(*, appeal: Appeal, actor=None, answer_text: str,
                  results: dict[int, str] | None = None) -> Appeal:
    """Record the answer on the merits and each question's result (default: answer given)."""
    appeal = _locked(appeal)
    _require_status(appeal, (AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS), _("answer"))
    if not answer_text.strip():
        raise ValidationError({"answer_text": ValidationError(_("Write the answer."), code=codes.ANSWER_REQUIRED)})
    results = results or {}
    questions = {q.position: q for q in appeal.questions.all()}
    for position, result in results.items():
        if position not in questions or result not in CONSIDERED_RESULTS:
            raise ValidationError({"results": ValidationError(
                _("Question %(n)s: not a result of consideration.") % {"n": position}, code=codes.INVALID_RESULT)})
    for position, question in questions.items():
        question.result = results.get(position, QuestionResult.ANSWER_GIVEN)
    Question.objects.bulk_update(questions.values(), ["result"])
    previous = appeal.status
    now = timezone.now()
    appeal.status = AppealStatus.ANSWERED
    appeal.answer_text = answer_text.strip()
    appeal.answered_at = now
    appeal.answered_late = appeal.due_at is not None and now > appeal.due_at
    appeal.is_overdue = False
    appeal.save()
    _record(appeal, "answered", actor, from_status=previous,
            data={"answered_late": appeal.answered_late, "results": {str(k): v for k, v in results.items()}})
    outbox_emit(events.STATUS_CHANGED, events.appeal_event_data(appeal, previous_status=previous))
    outbox_emit(events.ANSWERED, events.appeal_event_data(appeal))
    return appeal


@transaction.atomic
def appeal_close(*, appeal: Appeal, actor=None) -> Appeal:
    appeal = _locked(appeal)
    _require_status(appeal, (AppealStatus.ANSWERED,), _("close"))
    previous = appeal.status
    appeal.status = AppealStatus.CLOSED
    appeal.closed_at = timezone.now()
    appeal.save(update_fields=["status", "closed_at", "updated_at"])
    _record(appeal, "closed", actor, from_status=previous)
    outbox_emit(events.STATUS_CHANGED, events.appeal_event_data(appeal, previous_status=previous))
    return appeal


@transaction.atomic
def appeal_leave_without_answer(*, appeal: Appeal, actor=None, reason: str, note: str = "") -> Appeal:
    """Close without an answer on the merits, on one of the grounds the law allows."""
    appeal = _locked(appeal)
    _require_status(appeal, (AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS, AppealStatus.AWAITING_CLARIFICATION),
                    _("close without an answer"))
    if reason not in NoAnswerReason.values:
        raise ValidationError({"reason": ValidationError(_("Not a ground for leaving without an answer."),
                                                         code="invalid_choice")})
    if reason == NoAnswerReason.ANONYMOUS and appeal.applicant_type != ApplicantType.ANONYMOUS \
            and appeal.applicant_address and appeal.applicant_name:
        raise ValidationError({"reason": ValidationError(_("The applicant gave a name and an address."),
                                                         code=codes.INVALID_TRANSITION)})
    previous = appeal.status
    appeal.status = AppealStatus.WITHOUT_ANSWER
    appeal.no_answer_reason = reason
    appeal.closed_at = timezone.now()
    appeal.is_overdue = False
    appeal.save()
    appeal.questions.update(result=QuestionResult.WITHOUT_ANSWER)
    _record(appeal, "left_without_answer", actor, from_status=previous, note=note, data={"reason": reason})
    outbox_emit(events.STATUS_CHANGED, events.appeal_event_data(appeal, previous_status=previous))
    return appeal


# --- an unclear appeal (59-FZ art. 11 part 4) --------------------------------------------------------

@transaction.atomic
def appeal_request_clarification(*, appeal: Appeal, actor=None, note: str = "", handling: str | None = None) -> Appeal:
    """The substance of the appeal cannot be understood: the author is told (the notice is due within the
    rule's ``unclear_notice_days`` of registration; a later one is recorded as late), and, as the rule
    says, consideration ends (left without an answer: unclear) or pauses until the author clarifies.
    While paused the appeal has no answer deadline; the clarification term is swept like other terms.
    ``handling`` (``UnclearHandling``) overrides the rule's reading for this appeal."""
    appeal = _locked(appeal)
    _require_status(appeal, (AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS), _("ask for a clarification of"))
    if appeal.clarification_requested_at is not None:
        raise ValidationError(_("The author was already asked for a clarification."), code=codes.ALREADY_RECORDED)
    rule = appeal_rule(appeal)
    handling = handling or rule.unclear_handling
    if handling not in UnclearHandling.values:
        raise ValidationError({"handling": ValidationError(_("Unknown way to handle an unclear appeal."),
                                                           code="invalid_choice")})
    zone = tenant_timezone()
    now = timezone.now()
    notice_due = due(appeal.registered_at, rule.unclear_notice_days, rule, zone)
    previous = appeal.status
    appeal.clarification_requested_at = now
    appeal.unclear_notice_late = now > notice_due
    appeal.is_overdue = False
    data = {"handling": handling, "notice_due_at": notice_due.isoformat(),
            "notice_late": appeal.unclear_notice_late}
    if handling == UnclearHandling.PAUSE:
        appeal.status = AppealStatus.AWAITING_CLARIFICATION
        appeal.paused_due_at = appeal.due_at
        appeal.due_at = None
        appeal.due_clarification_at = deadline(now, rule.clarification_days, DayType.CALENDAR, zone, shift=rule.shift)
        data |= {"paused_due_at": appeal.paused_due_at.isoformat() if appeal.paused_due_at else None,
                 "due_clarification_at": appeal.due_clarification_at.isoformat()}
    else:
        appeal.status = AppealStatus.WITHOUT_ANSWER
        appeal.no_answer_reason = NoAnswerReason.UNCLEAR
        appeal.closed_at = now
    appeal.save()
    if appeal.status == AppealStatus.WITHOUT_ANSWER:
        appeal.questions.update(result=QuestionResult.WITHOUT_ANSWER)
    _record(appeal, "clarification_requested", actor, from_status=previous, note=note.strip(), data=data)
    outbox_emit(events.STATUS_CHANGED, events.appeal_event_data(appeal, previous_status=previous))
    _notify(appeal, NotificationKind.UNCLEAR_NOTICE, local_date(now, zone).isoformat(), appeal.applicant_email)
    return appeal


@transaction.atomic
def appeal_receive_clarification(*, appeal: Appeal, actor=None, note: str = "") -> Appeal:
    """The author's clarification arrived: the answer term resumes with the days it had left (the
    due date moves by the calendar days of the pause, then off a day off as the rule says)."""
    appeal = _locked(appeal)
    _require_status(appeal, (AppealStatus.AWAITING_CLARIFICATION,), _("resume"))
    rule = appeal_rule(appeal)
    zone = tenant_timezone()
    now = timezone.now()
    paused = max(0, (local_date(now, zone) - local_date(appeal.clarification_requested_at, zone)).days)
    previous = appeal.status
    if appeal.paused_due_at is not None:
        shift = rule.shift if rule.day_type == DayType.CALENDAR else Shift.NEXT
        appeal.due_at = deadline(appeal.paused_due_at, paused, DayType.CALENDAR, zone, shift=shift)
    appeal.paused_days += paused
    appeal.paused_due_at = None
    appeal.clarification_received_at = now
    appeal.status = (AppealStatus.IN_PROGRESS if appeal.executor_id or appeal.department_id
                     else AppealStatus.REGISTERED)
    appeal.is_overdue = appeal.due_at is not None and appeal.due_at < now
    appeal.save()
    _record(appeal, "clarification_received", actor, from_status=previous, note=note.strip(),
            data={"paused_days": paused, "due_at": appeal.due_at.isoformat() if appeal.due_at else None})
    outbox_emit(events.STATUS_CHANGED, events.appeal_event_data(appeal, previous_status=previous))
    return appeal


# --- control and consideration on site (counted in the monthly report) --------------------------------

CONTROL_STATUSES = (AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS, AppealStatus.AWAITING_CLARIFICATION)
ON_SITE_STATUSES = (*CONTROL_STATUSES, AppealStatus.ANSWERED)


def _require_reason(reason: str) -> str:
    if len(reason.strip()) < 5:
        raise ValidationError({"reason": ValidationError(_("Say why, in a few words."), code=codes.REASON_REQUIRED)})
    return reason.strip()


@transaction.atomic
def appeal_take_under_control(*, appeal: Appeal, actor=None, reason: str) -> Appeal:
    """The head (or whoever they charge) takes the appeal under control: who, when and why go into the
    appeal's history and the audit log; the monthly report counts it."""
    appeal = _locked(appeal)
    _require_status(appeal, CONTROL_STATUSES, _("take under control"))
    reason = _require_reason(reason)
    if appeal.under_control:
        raise ValidationError(_("The appeal is already under control."), code=codes.ALREADY_RECORDED)
    appeal.under_control = True
    appeal.under_control_at = timezone.now()
    appeal.save(update_fields=["under_control", "under_control_at", "updated_at"])
    _record(appeal, "taken_under_control", actor, from_status=appeal.status, note=reason)
    return appeal


@transaction.atomic
def appeal_mark_considered_on_site(*, appeal: Appeal, actor=None, reason: str) -> Appeal:
    """The appeal was considered on site (a visit to the place it concerns): who, when and what was done
    go into the history and the audit log; the monthly report counts it."""
    appeal = _locked(appeal)
    _require_status(appeal, ON_SITE_STATUSES, _("mark considered on site"))
    reason = _require_reason(reason)
    if appeal.considered_on_site:
        raise ValidationError(_("The appeal is already marked considered on site."), code=codes.ALREADY_RECORDED)
    appeal.considered_on_site = True
    appeal.considered_on_site_at = timezone.now()
    appeal.save(update_fields=["considered_on_site", "considered_on_site_at", "updated_at"])
    _record(appeal, "considered_on_site", actor, from_status=appeal.status, note=reason)
    return appeal


@transaction.atomic
def appeal_mark_repeated(*, appeal: Appeal, actor=None, repeats: Appeal) -> Appeal:
    appeal = _locked(appeal)
    if repeats.pk == appeal.pk:
        raise ValidationError({"repeats": ValidationError(_("An appeal cannot repeat itself."), code="invalid")})
    appeal.repeats = repeats
    appeal.save(update_fields=["repeats", "updated_at"])
    _record(appeal, "marked_repeated", actor, from_status=appeal.status,
            data={"repeats": repeats.registration_number or str(repeats.public_id)})
    return appeal


# --- the register object a question concerns ---------------------------------------------------------

MAX_PK = 2**31 - 1


def _asset_for_link(asset, *, field: str = "asset", lock: bool = True):
    """The register object ``asset`` (an Asset or its primary key) names in this municipality's schema,
    still in the register; locked against removal while the caller's transaction lasts."""
    from gorodok_services.assets.models import Asset

    tenant = getattr(connection, "tenant", None)
    if tenant is not None and getattr(tenant, "schema_name", "") and hasattr(tenant, "disabled_modules") \
            and not module_enabled(tenant, "assets"):
        raise ValidationError({field: ValidationError(_("The property register is switched off here."),
                                                      code=codes.ASSETS_MODULE_OFF)})
    pk = getattr(asset, "pk", asset)
    queryset = Asset.objects.select_for_update(no_key=True) if lock else Asset.objects.all()
    found = (queryset.filter(pk=pk).first()
             if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk <= MAX_PK else None)
    if found is None:
        raise ValidationError({field: ValidationError(_("No such register object."), code="not_found")})
    if found.is_removed:
        raise ValidationError({field: ValidationError(
            _("The object %(number)s was removed from the register.") % {"number": found.register_number},
            code=codes.ASSET_REMOVED)})
    return found


def appeal_question(appeal: Appeal, position: int) -> Question:
    """The question at ``position`` (1, 2, ...) of ``appeal``; ``not_found`` on ``position`` otherwise."""
    question = (appeal.questions.filter(position=position).first()
                if isinstance(position, int) and 0 < position <= 2**15 - 1 else None)
    if question is None:
        raise ValidationError({"position": ValidationError(_("The appeal has no such question."), code="not_found")})
    return question


@transaction.atomic
def question_link_asset(*, question: Question, asset, actor=None, field: str = "asset") -> Question:
    """Name the register object a question concerns (``asset``: an Asset or its primary key, looked up
    in this municipality only), or clear the link (``asset=None``). The change goes into the appeal's
    history and the audit log; the same link again changes nothing. An anonymised appeal is final.
    ``field`` names the caller's input in the errors about the object."""
    appeal = _locked(question.appeal)
    if appeal.anonymised_at is not None:
        raise ValidationError(_("The personal data of this appeal were removed; it can no longer change."),
                              code=codes.INVALID_TRANSITION)
    question = Question.objects.select_for_update(of=("self",)).select_related("asset").get(pk=question.pk)
    found = _asset_for_link(asset, field=field) if asset is not None else None
    if (found.pk if found else None) == question.asset_id:
        return question
    previous = question.asset.register_number if question.asset is not None else None
    question.asset = found
    question.save(update_fields=["asset"])
    appeal.save(update_fields=["updated_at"])  # an incremental sync (updatedSince) sees the change
    data = {"position": question.position, "asset": found.register_number if found else None}
    if previous:
        data["previous_asset"] = previous
    _record(appeal, "asset_linked" if found else "asset_unlinked", actor, from_status=appeal.status, data=data)
    return question


# --- attachments -----------------------------------------------------------------------------------

def appeal_attach(*, appeal: Appeal, uploaded, actor=None) -> Attachment:
    """Store a file under the municipality's folder; size and type are limited."""
    limit = getattr(settings, "APPEAL_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    if uploaded.size > limit:
        raise ValidationError({"file": ValidationError(
            _("Files up to %(mb)d MB.") % {"mb": limit // (1024 * 1024)}, code=codes.ATTACHMENT_TOO_LARGE)})
    content_type = (getattr(uploaded, "content_type", "") or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError({"file": ValidationError(_("This type of file is not accepted."),
                                                       code=codes.ATTACHMENT_TYPE)})
    with transaction.atomic():
        attachment = Attachment(appeal=appeal, original_name=uploaded.name[:255], content_type=content_type,
                                size=uploaded.size)
        attachment.file.save(uploaded.name, uploaded, save=False)
        attachment.save()
        _record(appeal, "attached", actor, from_status=appeal.status, data={"file": attachment.original_name})
    return attachment


# --- public lookup ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicStatus:
    registration_number: str
    status: str
    registered_at: datetime | None
    due_at: datetime | None
    answered_at: datetime | None
    extended: bool


def appeal_public_status(*, registration_number: str, access_code: str) -> PublicStatus | None:
    """An appeal's progress for whoever holds its number and access code — no personal data."""
    appeal = Appeal.objects.filter(registration_number=registration_number.strip()).first()
    code = access_code.strip().upper()
    if appeal is None:
        make_password(code)  # spend the same time as a real check, so absence cannot be timed
        return None
    if not check_password(code, appeal.access_code_hash):
        return None
    return PublicStatus(registration_number=appeal.registration_number, status=appeal.status,
                        registered_at=appeal.registered_at, due_at=appeal.due_at, answered_at=appeal.answered_at,
                        extended=appeal.extended_at is not None)


