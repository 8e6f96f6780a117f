from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gorodok_services.core.calendar import DayType, Shift


class AppealKind(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    STATEMENT = "statement", _("statement")
    COMPLAINT = "complaint", _("complaint")
    OTHER = "other", _("other")
    INFORMATION_REQUEST = "information_request", _("information request (8-FZ)")
    PLATFORM_MESSAGE = "platform_message", _("feedback platform message")


class Channel(models.TextChoices):
    FEEDBACK_PLATFORM = "feedback_platform", _("federal feedback platform")
    PERSONAL_RECEPTION = "personal_reception", _("personal reception")
    POST = "post", _("post")
    IN_PERSON = "in_person", _("delivered in person")
    INTEGRATOR = "integrator", _("integrator")
    OTHER = "other", _("other")


class AppealForm(models.TextChoices):
    WRITTEN = "written", _("written")
    ELECTRONIC = "electronic", _("electronic")
    ORAL = "oral", _("oral")


class ApplicantType(models.TextChoices):
    PERSON = "person", _("person")
    LEGAL_ENTITY = "legal_entity", _("legal entity")
    ASSOCIATION = "association", _("association")
    ANONYMOUS = "anonymous", _("anonymous")


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    REGISTERED = "registered", _("registered")
    IN_PROGRESS = "in_progress", _("in progress")
    FORWARDED = "forwarded", _("forwarded by competence")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")
    WITHOUT_ANSWER = "without_answer", _("left without an answer on the merits")
    AWAITING_CLARIFICATION = "clarification", _("awaiting the author's clarification")


OPEN_STATUSES = (AppealStatus.RECEIVED, AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS,
                 AppealStatus.AWAITING_CLARIFICATION)


class NoAnswerReason(models.TextChoices):
    ANONYMOUS = "anonymous", _("no name or no address for the answer")
    OBSCENE = "obscene", _("obscene or threatening language")
    UNREADABLE = "unreadable", _("the text cannot be read")
    UNCLEAR = "unclear", _("the substance cannot be understood")
    REPEATED = "repeated", _("repeated without new arguments (correspondence ended)")
    PLATFORM_GROUNDS = "platform_grounds", _("feedback platform grounds (third parties' data, spam, no address)")


class QuestionResult(models.TextChoices):
    NOT_RECEIVED = "not_received", _("not received")
    NOT_REGISTERED = "not_registered", _("not registered")
    UNDER_CONSIDERATION = "under_consideration", _("under consideration")
    EXPLAINED = "explained", _("considered: explained")
    SUPPORTED = "supported", _("considered: supported")
    MEASURES_TAKEN = "measures_taken", _("considered: supported, measures taken")
    NOT_SUPPORTED = "not_supported", _("considered: not supported")
    FORWARDED = "forwarded", _("forwarded by competence")
    ANSWER_GIVEN = "answer_given", _("answer given to the author")
    WITHOUT_ANSWER = "without_answer", _("left without an answer")
    EXTENDED = "extended", _("consideration extended")


class AppealsSettings(models.Model):
    """One row per municipality: numbering, retention, notifications."""

    registration_prefix = models.CharField(_("registration number prefix"), max_length=16, default="ОГ")
    retention_years = models.PositiveSmallIntegerField(_("retention of personal data, years"), default=5)
    reminder_days = models.PositiveSmallIntegerField(_("remind executors this many days before the due date"),
                                                     default=3)
    sender_email = models.EmailField(_("sender of notifications"), blank=True)
    head_email = models.EmailField(_("head of the administration (escalations)"), blank=True)
    escalate_after_days = models.PositiveSmallIntegerField(_("escalate to the head after overdue by, days"),
                                                           default=1)

    class Meta:
        verbose_name = _("appeals settings")
        verbose_name_plural = _("appeals settings")

    def __str__(self) -> str:
        return str(_("Appeals settings"))

    @classmethod
    def current(cls) -> AppealsSettings:
        return cls.objects.order_by("pk").first() or cls.objects.create()


class ExtensionFrom(models.TextChoices):
    """What an extension of the answer term counts from."""

    DUE_DATE = "due_date", _("the current due date")
    REGISTRATION = "registration", _("registration: answer term plus extension, shifted once")


class UnclearHandling(models.TextChoices):
    """What happens to an appeal whose substance cannot be understood, once the author is told."""

    CLOSE = "close", _("consideration ends: left without an answer (the text is unclear)")
    PAUSE = "pause", _("consideration pauses until the author clarifies")


class DeadlineRule(models.Model):
    """How long each step may take for a kind of appeal, optionally for one classifier prefix
    (the most specific rule wins). Seeded with the 59-FZ / 8-FZ / platform defaults."""

    kind = models.CharField(_("kind"), max_length=32, choices=AppealKind.choices)
    category_prefix = models.CharField(_("classifier prefix"), max_length=19, blank=True,
                                       help_text=_("Empty: any question. E.g. 0004.0015 for one theme."))
    day_type = models.CharField(_("counted in"), max_length=16, choices=DayType.choices, default=DayType.CALENDAR)
    register_days = models.PositiveSmallIntegerField(_("register within"), default=3)
    forward_days = models.PositiveSmallIntegerField(_("forward by competence within"), default=7)
    unclear_notice_days = models.PositiveSmallIntegerField(_("tell the author the text is unclear within"),
                                                           default=7)
    answer_days = models.PositiveSmallIntegerField(_("answer within"), default=30)
    max_extension_days = models.PositiveSmallIntegerField(_("extension at most"), default=30)
    # Kept for the release before ``shift`` (expand, then contract): saved consistent with ``shift``.
    shift_to_working_day = models.BooleanField(_("a term ending on a day off ends on the next working day"),
                                               default=True)
    shift = models.CharField(
        _("a calendar term whose last day is a day off"), max_length=16, choices=Shift.choices, default=Shift.NEXT,
        db_default=Shift.NEXT.value,
        help_text=_("Next working day: the Civil Code's rule (art. 193), the default. Preceding working day: "
                    "the answer is never late by anyone's reading. Stays: the term ends on the day off itself. "
                    "Terms in working days always end on a working day."))
    extension_from = models.CharField(
        _("an extension counts from"), max_length=16, choices=ExtensionFrom.choices, default=ExtensionFrom.DUE_DATE,
        db_default=ExtensionFrom.DUE_DATE.value,
        help_text=_("The current due date (the default): the extension days are added to the due date already "
                    "moved off a day off. Registration: registration date plus the answer term plus the "
                    "extension days, moved off a day off once."))
    unclear_handling = models.CharField(
        _("an unclear appeal"), max_length=16, choices=UnclearHandling.choices, default=UnclearHandling.CLOSE,
        db_default=UnclearHandling.CLOSE.value,
        help_text=_("When the substance cannot be understood the author is told within the term above. "
                    "Ends (59-FZ art. 11, the default): no answer on the merits. Pauses: the answer term stops "
                    "until the author's clarification arrives, then resumes with the days it had left."))
    clarification_days = models.PositiveSmallIntegerField(
        _("wait for the author's clarification, days"), default=30, db_default=30,
        help_text=_("Only when an unclear appeal pauses: after this many calendar days without a clarification "
                    "the executor is reminded, then the head, to decide."))

    class Meta:
        verbose_name = _("deadline rule")
        verbose_name_plural = _("deadline rules")
        ordering = ("kind", "category_prefix")
        constraints = [models.UniqueConstraint(fields=("kind", "category_prefix"), name="deadline_rule_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.category_prefix or '*'}: {self.answer_days}"

    def save(self, *args, **kwargs):
        self.shift_to_working_day = self.shift != Shift.NONE
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "shift" in update_fields:
            kwargs["update_fields"] = {*update_fields, "shift_to_working_day"}
        super().save(*args, **kwargs)


class Department(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    head_email = models.EmailField(_("head's e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class RegistrationCounter(models.Model):
    """The yearly sequence of registration numbers (row-locked while a number is taken)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Appeal(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    registration_number = models.CharField(_("registration number"), max_length=40, null=True, blank=True,
                                           unique=True)
    access_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=AppealKind.choices, default=AppealKind.STATEMENT)
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    form = models.CharField(_("form"), max_length=16, choices=AppealForm.choices)
    external_number = models.CharField(_("external number"), max_length=64, null=True, blank=True,
                                       help_text=_("E.g. the feedback platform's registration number."))
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, editable=False)
    # Who sent it, when an integrator did (its API client's region-wide identity): the same channel and
    # external number from another sender is a clash, never that sender's appeal.
    received_from = models.CharField(max_length=200, null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.RECEIVED)

    applicant_type = models.CharField(_("applicant"), max_length=16, choices=ApplicantType.choices,
                                      default=ApplicantType.PERSON)
    applicant_name = models.CharField(_("name or organisation"), max_length=300, blank=True)
    applicant_inn = models.CharField(_("INN"), max_length=12, blank=True)
    applicant_ogrn = models.CharField(_("OGRN"), max_length=15, blank=True)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=32, blank=True)
    applicant_address = models.CharField(_("postal address"), max_length=500, blank=True)
    is_collective = models.BooleanField(_("collective"), default=False)
    signatories = models.PositiveIntegerField(_("signatories"), default=1)

    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    problem_address = models.CharField(_("address of the problem"), max_length=500, blank=True)

    received_at = models.DateTimeField(_("received"))
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    due_register_at = models.DateTimeField(_("register by"))
    due_forward_at = models.DateTimeField(_("forward by"), null=True, blank=True)
    due_at = models.DateTimeField(_("answer by"), null=True, blank=True, db_index=True)
    original_due_at = models.DateTimeField(_("originally due"), null=True, blank=True)
    extended_at = models.DateTimeField(_("extended"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    forwarded_to = models.CharField(_("forwarded to"), max_length=300, blank=True)
    answer_text = models.TextField(_("answer"), blank=True)
    no_answer_reason = models.CharField(_("no answer on the merits because"), max_length=32,
                                        choices=NoAnswerReason.choices, blank=True)

    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="appeals")
    executor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("executor"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="appeals")
    repeats = models.ForeignKey("self", verbose_name=_("repeats the appeal"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="repetitions")
    is_overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    answered_late = models.BooleanField(_("answered late"), default=False)
    escalated_at = models.DateTimeField(_("escalated to the head"), null=True, blank=True)
    under_control = models.BooleanField(_("taken under control"), default=False)
    considered_on_site = models.BooleanField(_("considered on site"), default=False)
    under_control_at = models.DateTimeField(_("taken under control on"), null=True, blank=True)
    considered_on_site_at = models.DateTimeField(_("considered on site on"), null=True, blank=True)
    clarification_requested_at = models.DateTimeField(_("author told the text is unclear"), null=True, blank=True)
    unclear_notice_late = models.BooleanField(_("unclear notice late"), default=False, db_default=False)
    due_clarification_at = models.DateTimeField(_("clarification awaited until"), null=True, blank=True)
    clarification_received_at = models.DateTimeField(_("clarification received"), null=True, blank=True)
    paused_due_at = models.DateTimeField(_("answer due when paused"), null=True, blank=True)
    paused_days = models.PositiveSmallIntegerField(_("days paused for a clarification"), default=0, db_default=0)
    anonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ("-received_at", "-id")
        constraints = [
            models.UniqueConstraint(fields=("channel", "external_number"), condition=Q(external_number__isnull=False),
                                    name="appeal_unique_external_number"),
            models.UniqueConstraint(fields=("idempotency_key",), condition=Q(idempotency_key__isnull=False),
                                    name="appeal_unique_idempotency_key"),
        ]
        indexes = [models.Index(fields=("status", "due_at"), name="appeal_status_due"),
                   models.Index(fields=("received_at", "id"), name="appeal_received")]

    def __str__(self) -> str:
        return self.registration_number or f"№ — ({self.subject[:40]})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def was_extended(self) -> bool:
        return self.extended_at is not None


class Question(models.Model):
    """One question of an appeal: statistics count questions, each with its code and result."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=1)
    classifier_code = models.CharField(_("classifier code"), max_length=19, db_index=True)
    text = models.TextField(_("question"), blank=True)
    result = models.CharField(_("result"), max_length=32, choices=QuestionResult.choices,
                              default=QuestionResult.UNDER_CONSIDERATION)
    # The register object the question concerns (a building, a network section...): set and changed only
    # through ``question_link_asset``; kept when retention anonymises the appeal (it names no person).
    asset = models.ForeignKey("assets.Asset", verbose_name=_("register object"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="appeal_questions", db_index=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ("appeal", "position")
        constraints = [models.UniqueConstraint(fields=("appeal", "position"), name="question_unique_position")]
        indexes = [
            # "Objects with the most appeals": the linked questions of one object, by classifier code, with
            # the appeal to join for its date; only linked questions are indexed.
            models.Index(fields=("asset", "classifier_code"), include=("appeal",), condition=Q(asset__isnull=False),
                         name="question_asset_code"),
        ]

    def __str__(self) -> str:
        return f"{self.classifier_code} {self.get_result_display()}"

    @property
    def section_code(self) -> str:
        return self.classifier_code[:4]


def attachment_path(instance: Attachment, filename: str) -> str:
    # The storage already puts every file under the municipality's schema folder; the name is ours.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"appeals/{instance.appeal.public_id}/{uuid.uuid4().hex}.{suffix[:8]}"


class Attachment(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size, bytes"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class AppealEvent(models.Model):
    """The history of an appeal: every transition, with who, when and what changed."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor_email = models.CharField(_("who"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("reminder before the due date")
    OVERDUE = "overdue", _("overdue")
    ESCALATION = "escalation", _("escalation to the head")
    EXTENSION_NOTICE = "extension_notice", _("extension notice to the author")
    REGISTERED_NOTICE = "registered_notice", _("registration notice to the author")
    FORWARDED_NOTICE = "forwarded_notice", _("forwarding notice to the author")
    UNCLEAR_NOTICE = "unclear_notice", _("notice to the author that the appeal is unclear")


class Notification(models.Model):
    """What was sent. The unique key makes every job that sends idempotent."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    key = models.CharField(max_length=64, help_text="e.g. the due date the reminder is about")
    recipient = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("appeal", "kind", "key"), name="notification_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} → {self.recipient}"
