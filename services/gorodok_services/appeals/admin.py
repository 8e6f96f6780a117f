"""The appeals back office, on the municipality's own host (``back_office`` site).

Staff work through queues (mine, due this week, overdue, unassigned) and act on an appeal with
buttons on its page: each opens a small form whose submission calls one service. Nothing here
changes an appeal's status itself, and a rule the service enforces comes back as a form error,
never as a server error. Appeals are never deleted: retention anonymises them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.translation import gettext_lazy as _

from gorodok_platform.accounts.models import User
from gorodok_platform.audit.services import audit_record
from gorodok_services.appeals import services
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
    DeadlineRule,
    Department,
    NoAnswerReason,
    Question,
    QuestionResult,
    UnclearHandling,
)
from gorodok_services.appeals.permissions import (
    CHANGE,
    PERSONAL_DATA,
    READ,
    SETTINGS,
    STATISTICS,
    appeals_permit,
)
from gorodok_services.appeals.retention import ERASED_FIELDS, REPLACED_FIELDS
from gorodok_services.appeals.selectors import appeal_about_asset, appeal_in_section, appeal_list, appeal_queue
from gorodok_tenants.console.mixins import (
    AuditedAdminMixin,
    ModuleAdminMixin,
    ReadOnlyInlineMixin,
    RuleTableAdminMixin,
    add_service_errors,
)
from gorodok_tenants.console.sites import back_office
from gorodok_tenants.modules import module_enabled

MODULE = "appeals"
# Never copied into the audit log, which is append-only and outlives the retention period.
PERSONAL_FIELDS = frozenset({*ERASED_FIELDS, *REPLACED_FIELDS, "access_code_hash", "idempotency_key"})
# The applicant's identity and contacts: shown only to those the rule table lets see personal data.
APPLICANT_FIELDS = ("applicant_name", "applicant_inn", "applicant_ogrn", "applicant_email", "applicant_phone",
                    "applicant_address")


# --- who may do what: the module's rule table (permissions.py) ---------------------------------------

def may(request, action: str) -> bool:
    return appeals_permit(request.user, action)


class RolesMixin(RuleTableAdminMixin):
    """Access follows the appeals rule table: appeals officers and the administrator work with
    appeals, viewers only look (without personal data); settings belong to the administrator."""

    permit = staticmethod(appeals_permit)
    view_action = READ
    change_action = CHANGE


class ModuleAdmin(AuditedAdminMixin, ModuleAdminMixin, RolesMixin, admin.ModelAdmin):
    gorodok_module = MODULE


# --- queues ---------------------------------------------------------------------------------------

QUEUES = (
    ("mine", _("mine")),
    ("week", _("due this week")),
    ("overdue", _("overdue")),
    ("unassigned", _("unassigned")),
)


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return QUEUES

    def queryset(self, request, queryset):
        return appeal_queue(queryset, self.value(), request.user)


class SectionFilter(admin.SimpleListFilter):
    title = _("classifier section")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        from gorodok_services.classifier.models import ClassifierEntry, ClassifierLevel

        return [(entry.code, f"{entry.code} {entry.title}")
                for entry in ClassifierEntry.objects.filter(level=ClassifierLevel.SECTION).order_by("code")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not re.fullmatch(r"\d{4}", value):
            return queryset.none()
        return appeal_in_section(queryset, value)


class AssetFilter(admin.SimpleListFilter):
    """The appeals about one register object: the object's page links here (``?asset=<id>``)."""

    title = _("register object")
    parameter_name = "asset"

    def lookups(self, request, model_admin):
        value = request.GET.get(self.parameter_name, "")
        if not value:
            return []
        from gorodok_services.assets.models import Asset

        asset = Asset.objects.filter(pk=int(value)).first() if value.isdigit() and len(value) < 10 else None
        return [(value, str(asset) if asset is not None else "—")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not value.isdigit() or len(value) >= 10:
            return queryset.none()
        return appeal_about_asset(queryset, int(value))


# --- forms of the actions ---------------------------------------------------------------------------

class ActionForm(forms.Form):
    def __init__(self, *args, appeal: Appeal, **kwargs):
        self.appeal = appeal
        super().__init__(*args, **kwargs)


class ConfirmForm(ActionForm):
    pass


class AssignForm(ActionForm):
    department = forms.ModelChoiceField(label=_("department"), required=False,
                                        queryset=Department.objects.filter(is_active=True))
    executor = forms.ModelChoiceField(label=_("executor"), required=False,
                                      queryset=User.objects.filter(is_active=True, is_staff=True).order_by("email"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("department", self.appeal.department_id)
        self.initial.setdefault("executor", self.appeal.executor_id)


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=_("extend by, days"), min_value=1, max_value=366)
    reason = forms.CharField(label=_("reason (the author is told)"), widget=forms.Textarea(attrs={"rows": 3}))


class ForwardForm(ActionForm):
    to = forms.CharField(label=_("competent body"), max_length=300)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(ActionForm):
    answer_text = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(value, QuestionResult(value).label) for value in services.CONSIDERED_RESULTS]
        for question in self.appeal.questions.order_by("position"):
            self.fields[f"result_{question.position}"] = forms.ChoiceField(
                label=_("Question %(n)s (%(code)s): result") % {"n": question.position,
                                                                 "code": question.classifier_code},
                help_text=escape(question.text[:200]), choices=choices, initial=QuestionResult.ANSWER_GIVEN)

    def results(self) -> dict[int, str]:
        return {int(name.removeprefix("result_")): value for name, value in self.cleaned_data.items()
                if name.startswith("result_")}


class WithoutAnswerForm(ActionForm):
    reason = forms.ChoiceField(label=_("ground"), choices=NoAnswerReason.choices)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatisticsForm(forms.Form):
    date_from = forms.DateField(label=_("Period start"), widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Period end"), widget=DATE_INPUT)

    def __init__(self, data=None):
        from datetime import timedelta

        today = timezone.localdate()
        last_month_end = today.replace(day=1) - timedelta(days=1)
        if data is None:  # the last full month, the report's period
            data = {"date_from": last_month_end.replace(day=1).isoformat(), "date_to": last_month_end.isoformat()}
        super().__init__(data)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and (end - start).days > 3660:
            raise ValidationError(_("A period is ten years at most."), code="invalid")
        return cleaned


class AssetsByAppealsForm(StatisticsForm):
    section = forms.ChoiceField(label=_("classifier section"), required=False)
    first = forms.IntegerField(label=_("how many objects"), min_value=1, max_value=100, required=False, initial=10)

    def __init__(self, data=None):
        from gorodok_services.classifier.models import ClassifierEntry, ClassifierLevel

        super().__init__(data)
        self.fields["section"].choices = [("", _("all sections")), *[
            (entry.code, f"{entry.code} {entry.title}")
            for entry in ClassifierEntry.objects.filter(level=ClassifierLevel.SECTION).order_by("code")]]


class AttachForm(ActionForm):
    file = forms.FileField(label=_("file"))


class ClarificationForm(ActionForm):
    """59-FZ art. 11: the author of an appeal whose substance cannot be understood is told so."""

    note = forms.CharField(label=_("what cannot be understood (the author is told)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        from gorodok_services.appeals.deadlines import appeal_rule

        super().__init__(*args, **kwargs)
        rule = appeal_rule(self.appeal)
        if rule.unclear_handling == UnclearHandling.PAUSE:
            self.fields["note"].help_text = _(
                "The author is told at once. The answer term pauses until the clarification arrives (awaited "
                "%(days)s days), then resumes with the days it had left.") % {"days": rule.clarification_days}
        else:
            self.fields["note"].help_text = _(
                "The author is told at once, and the appeal is left without an answer on the merits: "
                "the text is unclear.")


class NoteForm(ActionForm):
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("The answer term resumes: its due date moves by the days of the pause."))


class ControlForm(ActionForm):
    reason = forms.CharField(label=_("why (kept in the history)"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Counted as taken under control in the monthly statistics."))


class OnSiteForm(ActionForm):
    reason = forms.CharField(label=_("what was done on site (kept in the history)"),
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Counted as considered on site in the monthly statistics."))


# --- the register object of a question ------------------------------------------------------------------

ASSET_PAGE = 20


class AssetAutocomplete(AutocompleteSelect):
    """Django's autocomplete widget, asking the appeals' own endpoint: it lists objects in the register
    (by register number, name or address) to whoever may change appeals, whatever their register rights."""

    def __init__(self, admin_site):
        super().__init__(Question._meta.get_field("asset"), admin_site)

    def get_url(self):
        return reverse(f"{self.admin_site.name}:appeals_appeal_asset_autocomplete")


class AssetLinkForm(ActionForm):
    question = forms.TypedChoiceField(label=_("question"), coerce=int)
    asset = forms.ModelChoiceField(
        label=_("register object"), required=False, queryset=None,
        help_text=_("Type part of the register number, the name or the address. Empty: the question names no "
                    "object."))

    def __init__(self, *args, admin_site=None, **kwargs):
        from gorodok_services.assets.models import Asset

        super().__init__(*args, **kwargs)
        questions = list(self.appeal.questions.select_related("asset").order_by("position"))
        self.fields["question"].choices = [
            (q.position, f"{q.position}. {q.classifier_code} {q.text[:80]}".strip()) for q in questions]
        if admin_site is not None:
            self.fields["asset"].widget = AssetAutocomplete(admin_site)
        self.fields["asset"].queryset = Asset.objects.all()  # also gives the widget its choices
        if questions:
            self.initial.setdefault("question", questions[0].position)
            self.initial.setdefault("asset", questions[0].asset_id)


def _asset_choice_text(asset) -> str:
    return " · ".join(part for part in (asset.register_number, asset.name, asset.address) if part)


@dataclass(frozen=True)
class AppealAction:
    code: str
    label: str
    form: type[ActionForm]
    statuses: tuple[str, ...]
    done: str


WORKING = (AppealStatus.REGISTERED, AppealStatus.IN_PROGRESS)
ACTIONS = {action.code: action for action in (
    AppealAction("register", _("Register"), ConfirmForm, (AppealStatus.RECEIVED,), _("The appeal is registered.")),
    AppealAction("assign", _("Assign"), AssignForm, WORKING, _("The appeal is assigned.")),
    AppealAction("extend", _("Extend the term"), ExtendForm, WORKING, _("The term is extended.")),
    AppealAction("forward", _("Forward by competence"), ForwardForm, WORKING, _("The appeal is forwarded.")),
    AppealAction("answer", _("Answer"), AnswerForm, WORKING, _("The answer is recorded.")),
    AppealAction("close", _("Close"), ConfirmForm, (AppealStatus.ANSWERED,), _("The appeal is closed.")),
    AppealAction("without_answer", _("Leave without an answer"), WithoutAnswerForm,
                 (*WORKING, AppealStatus.AWAITING_CLARIFICATION),
                 _("The appeal is left without an answer on the merits.")),
    AppealAction("attach", _("Attach a file"), AttachForm, tuple(AppealStatus.values), _("The file is attached.")),
    AppealAction("clarify", _("Request a clarification"), ClarificationForm, WORKING,
                 _("The author is told the appeal cannot be understood.")),
    AppealAction("clarified", _("Clarification received"), NoteForm, (AppealStatus.AWAITING_CLARIFICATION,),
                 _("The clarification is recorded; consideration resumes.")),
    AppealAction("control", _("Take under control"), ControlForm, services.CONTROL_STATUSES,
                 _("The appeal is taken under control.")),
    AppealAction("on_site", _("Considered on site"), OnSiteForm, services.ON_SITE_STATUSES,
                 _("The consideration on site is recorded.")),
    AppealAction("link_asset", _("Register object"), AssetLinkForm, tuple(AppealStatus.values),
                 _("The register object of the question is recorded.")),
)}
# Hidden once done: each of these happens at most once to an appeal.
DONE_ONCE = {
    "extend": lambda appeal: appeal.was_extended,
    "clarify": lambda appeal: appeal.clarification_requested_at is not None,
    "control": lambda appeal: appeal.under_control,
    "on_site": lambda appeal: appeal.considered_on_site,
}


def perform(code: str, *, appeal: Appeal, data: dict, files, actor):
    """Call the service behind an action; returns what it returned."""
    if code == "register":
        return services.appeal_register(appeal=appeal, actor=actor)
    if code == "assign":
        return services.appeal_assign(appeal=appeal, actor=actor, department=data["department"],
                                      executor=data["executor"])
    if code == "extend":
        return services.appeal_extend(appeal=appeal, actor=actor, days=data["days"], reason=data["reason"])
    if code == "forward":
        return services.appeal_forward(appeal=appeal, actor=actor, to=data["to"], note=data["note"])
    if code == "answer":
        return services.appeal_answer(appeal=appeal, actor=actor, answer_text=data["answer_text"],
                                      results=data["results"])
    if code == "close":
        return services.appeal_close(appeal=appeal, actor=actor)
    if code == "without_answer":
        return services.appeal_leave_without_answer(appeal=appeal, actor=actor, reason=data["reason"],
                                                    note=data["note"])
    if code == "attach":
        return services.appeal_attach(appeal=appeal, uploaded=files["file"], actor=actor)
    if code == "clarify":
        return services.appeal_request_clarification(appeal=appeal, actor=actor, note=data["note"])
    if code == "clarified":
        return services.appeal_receive_clarification(appeal=appeal, actor=actor, note=data["note"])
    if code == "control":
        return services.appeal_take_under_control(appeal=appeal, actor=actor, reason=data["reason"])
    if code == "on_site":
        return services.appeal_mark_considered_on_site(appeal=appeal, actor=actor, reason=data["reason"])
    if code == "link_asset":
        return services.question_link_asset(question=services.appeal_question(appeal, data["question"]),
                                            asset=data["asset"], actor=actor)
    raise Http404


def available_actions(appeal: Appeal, request=None) -> list[AppealAction]:
    if appeal.anonymised_at is not None:
        return []
    assets_on = request is None or module_enabled(getattr(request, "tenant", None), "assets")
    return [action for action in ACTIONS.values()
            if appeal.status in action.statuses and not DONE_ONCE.get(action.code, lambda _: False)(appeal)
            and (action.code != "link_asset" or assets_on)]


# --- adding an appeal (a personal reception, the post) ------------------------------------------------

QUESTION_LINE = re.compile(r"^\s*(\d{4}(?:\.\d{4}){0,3})\s*(.*)$")


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices, initial=Channel.PERSONAL_RECEPTION)
    kind = forms.ChoiceField(label=_("kind"), choices=AppealKind.choices, initial=AppealKind.STATEMENT)
    form = forms.ChoiceField(label=_("form"), required=False, choices=[("", _("as the channel implies")),
                                                                     *AppealForm.choices])
    received_at = forms.DateTimeField(label=_("received"), required=False,
                                      help_text=_("Empty: now. Local time of the municipality."))
    external_number = forms.CharField(label=_("external number"), required=False, max_length=64)
    applicant_type = forms.ChoiceField(label=_("applicant"), choices=ApplicantType.choices,
                                       initial=ApplicantType.PERSON)
    applicant_name = forms.CharField(label=_("name or organisation"), required=False, max_length=300)
    applicant_inn = forms.CharField(label=_("INN"), required=False, max_length=12)
    applicant_ogrn = forms.CharField(label=_("OGRN"), required=False, max_length=15)
    applicant_email = forms.CharField(label=_("e-mail"), required=False, max_length=254)
    applicant_phone = forms.CharField(label=_("phone"), required=False, max_length=32)
    applicant_address = forms.CharField(label=_("postal address"), required=False, max_length=500)
    is_collective = forms.BooleanField(label=_("collective"), required=False)
    signatories = forms.IntegerField(label=_("signatories"), min_value=1, initial=1)
    subject = forms.CharField(label=_("subject"), max_length=300)
    text = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 8}))
    problem_address = forms.CharField(label=_("address of the problem"), required=False, max_length=500)
    questions = forms.CharField(
        label=_("questions"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question a line: the classifier code, then the question, e.g. "
                    "0005.0005.0056.1149 payment for housing and utility services."))

    def clean_received_at(self):
        value = self.cleaned_data.get("received_at")
        if value and value > timezone.now():
            raise ValidationError(_("An appeal cannot be received in the future."), code="invalid")
        return value

    def clean_questions(self) -> list[services.QuestionInput]:
        parsed = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not line.strip():
                continue
            match = QUESTION_LINE.match(line)
            if match is None:
                raise ValidationError(_("Line %(n)s: start with a classifier code."), code="invalid",
                                      params={"n": number})
            parsed.append(services.QuestionInput(match.group(1), match.group(2).strip()))
        return parsed

    def intake(self) -> services.AppealIntake:
        data = dict(self.cleaned_data)
        data["form"] = data["form"] or None
        data["external_number"] = data["external_number"].strip() or None
        return services.AppealIntake(**data)


# --- inlines --------------------------------------------------------------------------------------------

class ReadOnlyInline(ReadOnlyInlineMixin, admin.TabularInline):
    def may_view(self, request) -> bool:
        return may(request, READ)


class QuestionInline(ReadOnlyInline):
    model = Question
    fields = readonly_fields = ("number", "classifier_code", "text", "result", "register_object")

    @admin.display(description=_("No."))
    def number(self, obj: Question) -> int:
        return obj.position
    ordering = ("position",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("asset")

    @admin.display(description=_("register object"))
    def register_object(self, obj: Question):
        if obj.asset is None:
            return "—"
        url = reverse(f"{self.admin_site.name}:assets_asset_change", args=[obj.asset_id])
        return format_html('<a href="{}">{}</a>', url, _asset_choice_text(obj.asset))


class AttachmentInline(ReadOnlyInline):
    """Files may hold anything about the applicant: for those who may see personal data only."""

    model = Attachment

    def may_view(self, request) -> bool:
        return may(request, PERSONAL_DATA)
    fields = readonly_fields = ("download", "content_type", "size", "uploaded_at")

    @admin.display(description=_("file"))
    def download(self, obj: Attachment):
        url = reverse(f"{self.admin_site.name}:appeals_appeal_attachment", args=[obj.appeal_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


# What each history entry's code says, in words (the codes are stored; people read these).
EVENT_LABELS = {
    "received": _("received"),
    "registered": _("registered"),
    "assigned": _("assigned to an executor"),
    "extended": _("term extended"),
    "forwarded": _("forwarded by competence"),
    "answered": _("answered"),
    "closed": _("closed"),
    "left_without_answer": _("left without an answer on the merits"),
    "marked_repeated": _("marked as repeated"),
    "attached": _("file attached"),
    "anonymised": _("personal data removed"),
    "escalated": _("escalated to the head"),
    "asset_linked": _("register object named"),
    "asset_unlinked": _("register object cleared"),
}


def _status_label(value: str) -> str:
    if not value:
        return "—"
    return AppealStatus(value).label if value in AppealStatus.values else value


class AppealEventInline(ReadOnlyInline):
    model = AppealEvent
    fields = readonly_fields = ("at", "actor_email", "event", "status_before", "status_after", "note")
    ordering = ("at", "id")
    verbose_name_plural = _("history")

    @admin.display(description=_("action"))
    def event(self, obj: AppealEvent) -> str:
        return EVENT_LABELS.get(obj.action, obj.action)

    @admin.display(description=_("from"))
    def status_before(self, obj: AppealEvent) -> str:
        return _status_label(obj.from_status)

    @admin.display(description=_("to"))
    def status_after(self, obj: AppealEvent) -> str:
        return _status_label(obj.to_status)


# --- appeals ----------------------------------------------------------------------------------------------

# "Taken under control" and "considered on site" are set by their actions (who, when, why), not here.
EDITABLE_FIELDS = ("applicant_email", "applicant_phone", "applicant_address", "problem_address")


@admin.register(Appeal, site=back_office)
class AppealAdmin(ModuleAdmin):
    list_display = ("number", "received_at", "subject", "status", "due", "executor")
    list_display_links = ("number", "subject")
    list_filter = (QueueFilter, "status", "kind", "channel", "department", SectionFilter, AssetFilter)
    list_select_related = ("executor", "department")
    search_fields = ("registration_number", "subject", "applicant_name", "external_number")
    ordering = ("-received_at", "-id")
    change_form_template = "appeals/appeal_change_form.html"
    change_list_template = "appeals/appeal_change_list.html"
    list_before_template = "appeals/appeal_queues.html"
    change_form_outer_before_template = "appeals/appeal_actions.html"
    inlines = (QuestionInline, AttachmentInline, AppealEventInline)
    fieldsets = (
        (_("Appeal"), {"fields": ("registration_number", "status", "kind", "channel", "form", "external_number",
                                  "subject", "text", "problem_address")}),
        (_("Applicant"), {"fields": ("applicant_type", "applicant_name", "applicant_inn", "applicant_ogrn",
                                     "applicant_email", "applicant_phone", "applicant_address", "is_collective",
                                     "signatories")}),
        (_("Terms"), {"fields": ("received_at", "registered_at", "due_register_at", "due_forward_at", "due_at",
                                 "original_due_at", "extended_at", "extension_reason", "is_overdue",
                                 "escalated_at")}),
        (_("Routing and result"), {"fields": ("department", "executor", "repeats", "forwarded_at", "forwarded_to",
                                              "answered_at", "answer_text", "answered_late", "no_answer_reason",
                                              "closed_at", "anonymised_at")}),
        (_("Control"), {"fields": ("under_control", "under_control_at", "considered_on_site",
                                   "considered_on_site_at")}),
        (_("Unclear appeal"), {"fields": ("clarification_requested_at", "unclear_notice_late",
                                          "due_clarification_at", "clarification_received_at", "paused_due_at",
                                          "paused_days")}),
    )

    # -- list --

    @admin.display(description=_("registration number"), ordering="registration_number")
    def number(self, obj: Appeal) -> str:
        return obj.registration_number or "—"

    @admin.display(description=_("answer by"), ordering="due_at")
    def due(self, obj: Appeal):
        moment = obj.due_at or (obj.due_register_at if obj.registered_at is None else None)
        paused = obj.status == AppealStatus.AWAITING_CLARIFICATION and obj.due_clarification_at is not None
        if paused:  # the answer term is paused: what is due is the author's clarification
            moment = obj.due_clarification_at
        if moment is None:
            return "—"
        text = timezone.localtime(moment).strftime("%d.%m.%Y")
        if paused:
            text = _("clarification by %(date)s") % {"date": text}
        if obj.is_open and (obj.is_overdue or moment < timezone.now()):
            return format_html('<strong class="appeal-overdue" style="color: var(--error-fg, #ba2121)">{}</strong>',
                               text)
        return text

    def changelist_view(self, request, extra_context=None):
        base = self.get_queryset(request)
        current = request.GET.get("queue")
        extra_context = {**(extra_context or {}), "queues": [
            {"code": code, "label": label, "count": appeal_queue(base, code, request.user).count(),
             "active": code == current}
            for code, label in QUEUES
        ], "active_queue": current}
        if may(request, STATISTICS):
            extra_context["statistics_url"] = reverse(f"{self.admin_site.name}:appeals_appeal_statistics")
            if module_enabled(getattr(request, "tenant", None), "assets"):
                extra_context["assets_by_appeals_url"] = reverse(
                    f"{self.admin_site.name}:appeals_appeal_assets_by_appeals")
        return super().changelist_view(request, extra_context)

    # -- permissions --

    def has_delete_permission(self, request, obj=None):
        return False  # appeals are kept, then anonymised when their retention period ends

    def get_actions(self, request):
        return {}

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return fields if may(request, PERSONAL_DATA) else [f for f in fields if f not in APPLICANT_FIELDS]

    # -- detail --

    def get_fieldsets(self, request, obj=None):
        if may(request, PERSONAL_DATA):
            return self.fieldsets
        return [(title, {**options, "fields": [f for f in options["fields"] if f not in APPLICANT_FIELDS]})
                for title, options in self.fieldsets]

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Appeal._meta.fields]
        if obj is not None and obj.anonymised_at is None:
            return [name for name in names if name not in EDITABLE_FIELDS]
        return names

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appeal = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if appeal is not None and self.has_change_permission(request, appeal):
            extra_context["appeal_actions"] = [
                {"label": action.label, "url": self._action_url(action.code, appeal.pk)}
                for action in available_actions(appeal, request)
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # Only the few editable columns: a full save would write back a status or a date that a
        # service changed while this page was open.
        changed = [name for name in form.changed_data if name in EDITABLE_FIELDS]
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])

    def _audit(self, request, action, obj, *, before=None, after=None, message=""):
        def without_personal_data(state):
            return {k: v for k, v in state.items() if k not in PERSONAL_FIELDS} if state else state

        super()._audit(request, action, obj, before=without_personal_data(before),
                       after=without_personal_data(after), message=message)

    # -- adding goes through the intake service --

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IntakeForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                appeal, created = services.appeal_receive(data=form.intake(), actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if created:
                    self.message_user(request, _("The appeal is recorded. Register it now."), messages.SUCCESS)
                else:
                    self.message_user(request, _("This appeal was already recorded; here it is."), messages.WARNING)
                return redirect(self._change_url(appeal.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "title": _("New appeal"), "form": form, "media": self.media + form.media,
        }
        return TemplateResponse(request, "appeals/appeal_add.html", context)

    # -- actions: one page each, each calling one service --

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        custom = [
            path("<path:object_id>/act/<str:code>/", self.admin_site.admin_view(self.action_view),
                 name=f"{info[0]}_{info[1]}_action"),
            path("<path:object_id>/attachments/<int:attachment_id>/", self.admin_site.admin_view(self.download_view),
                 name=f"{info[0]}_{info[1]}_attachment"),
            path("statistics/", self.admin_site.admin_view(self.statistics_view),
                 name=f"{info[0]}_{info[1]}_statistics"),
            path("assets/autocomplete/", self.admin_site.admin_view(self.asset_autocomplete_view),
                 name=f"{info[0]}_{info[1]}_asset_autocomplete"),
            path("by-asset/", self.admin_site.admin_view(self.assets_by_appeals_view),
                 name=f"{info[0]}_{info[1]}_assets_by_appeals"),
        ]
        return custom + super().get_urls()

    def statistics_view(self, request):
        """The summary for a period (the monthly report's figures) and its XLSX and CSV files."""
        from gorodok_services.appeals.exports import statistics_csv, statistics_rows, statistics_xlsx
        from gorodok_services.appeals.statistics import appeal_statistics

        if not may(request, STATISTICS):
            raise PermissionDenied
        form = StatisticsForm({key: request.GET[key] for key in ("date_from", "date_to") if key in request.GET} or None)
        stats = None
        if form.is_valid():
            try:
                stats = appeal_statistics(date_from=form.cleaned_data["date_from"],
                                          date_to=form.cleaned_data["date_to"])
            except ValidationError as exc:
                add_service_errors(form, exc)
        if stats is not None and request.GET.get("download") in ("xlsx", "csv"):
            kind = request.GET["download"]
            name = f"appeals-{stats.date_from:%Y%m%d}-{stats.date_to:%Y%m%d}.{kind}"
            audit_record(action="appeal.statistics_download", actor=request.user, request=request,
                         reason=f"{stats.date_from}..{stats.date_to} {kind}")
            if kind == "xlsx":
                content = statistics_xlsx(stats)
                content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            else:
                content = statistics_csv(stats).encode("utf-8")
                content_type = "text/csv; charset=utf-8"
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        sections = []
        if stats is not None:
            from gorodok_services.appeals.exports import SECTION_LABELS

            rows = statistics_rows(stats)
            for key, label in SECTION_LABELS.items():
                section_rows = [(row_label, value) for section, _code, row_label, value in rows if section == key]
                if section_rows:
                    sections.append({"title": label, "rows": section_rows})
        query = QueryDict(mutable=True)
        if stats is not None:
            query.update({"date_from": stats.date_from.isoformat(), "date_to": stats.date_to.isoformat()})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Statistics of appeals"),
            "opts": self.opts,
            "form": form,
            "stats": stats,
            "sections": sections,
            "query": query.urlencode(),
        }
        return TemplateResponse(request, "appeals/appeal_statistics.html", context)

    def asset_autocomplete_view(self, request):
        """Objects in the register for the picker of a question's object (select2's JSON)."""
        from gorodok_services.assets.models import Asset, AssetStatus

        if not self.has_change_permission(request) or not module_enabled(getattr(request, "tenant", None),
                                                                         "assets"):
            raise PermissionDenied
        term = request.GET.get("term", "").replace("\x00", "").strip()[:100]
        page = request.GET.get("page", "1")
        page = int(page) if page.isdigit() and len(page) < 6 else 1
        queryset = Asset.objects.filter(status=AssetStatus.IN_REGISTER).order_by("register_number", "pk")
        if term:
            from django.db.models import Q

            queryset = queryset.filter(Q(register_number__icontains=term) | Q(name__icontains=term)
                                       | Q(address__icontains=term))
        start = (max(page, 1) - 1) * ASSET_PAGE
        rows = list(queryset[start:start + ASSET_PAGE + 1])
        return JsonResponse({
            "results": [{"id": str(asset.pk), "text": _asset_choice_text(asset)} for asset in rows[:ASSET_PAGE]],
            "pagination": {"more": len(rows) > ASSET_PAGE},
        })

    def assets_by_appeals_view(self, request):
        """The register objects with the most appeals in a period, by classifier section: where to repair."""
        from gorodok_services.appeals.selectors import assets_by_appeals

        if not may(request, STATISTICS) or not module_enabled(getattr(request, "tenant", None), "assets"):
            raise PermissionDenied
        form = AssetsByAppealsForm({key: request.GET[key] for key in ("date_from", "date_to", "section", "first")
                                    if key in request.GET} or None)
        rows = None
        if form.is_valid():
            try:
                rows = assets_by_appeals(date_from=form.cleaned_data["date_from"],
                                         date_to=form.cleaned_data["date_to"],
                                         section=form.cleaned_data["section"] or None,
                                         limit=form.cleaned_data["first"] or 10)
            except ValidationError as exc:
                add_service_errors(form, exc)
        if rows is not None:
            name = self.admin_site.name
            rows = [{"row": row, "asset_url": reverse(f"{name}:assets_asset_change", args=[row.asset_id]),
                     "appeals_url": reverse(f"{name}:appeals_appeal_changelist") + f"?asset={row.asset_id}"}
                    for row in rows]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Objects with the most appeals"),
            "opts": self.opts,
            "form": form,
            "rows": rows,
        }
        return TemplateResponse(request, "appeals/assets_by_appeals.html", context)

    def _change_url(self, pk) -> str:
        return reverse(f"{self.admin_site.name}:appeals_appeal_change", args=[pk])

    def _action_url(self, code: str, pk) -> str:
        return reverse(f"{self.admin_site.name}:appeals_appeal_action", args=[pk, code])

    def _appeal_for(self, request, object_id) -> Appeal:
        appeal = self.get_object(request, object_id)
        if appeal is None:
            raise Http404
        return appeal

    def action_view(self, request, object_id, code):
        action = ACTIONS.get(code)
        if action is None:
            raise Http404
        appeal = self._appeal_for(request, object_id)
        if not self.has_change_permission(request, appeal):
            raise PermissionDenied
        posted = request.method == "POST"
        extra = {"admin_site": self.admin_site} if action.form is AssetLinkForm else {}
        form = action.form(request.POST if posted else None, request.FILES if posted else None, appeal=appeal,
                           **extra)
        if posted and appeal.anonymised_at is not None:
            form.is_valid()
            form.add_error(None, _("The personal data of this appeal were removed; it can no longer change."))
        elif posted and form.is_valid():
            data = dict(form.cleaned_data)
            if isinstance(form, AnswerForm):
                data["results"] = form.results()
            try:
                result = perform(code, appeal=appeal, data=data, files=request.FILES, actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if code == "register":
                    return self._registered(request, result)
                self.message_user(request, action.done, messages.SUCCESS)
                return redirect(self._change_url(appeal.pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "title": action.label, "action": action, "appeal": appeal, "form": form,
            "change_url": self._change_url(appeal.pk), "media": self.media + form.media,
        }
        return TemplateResponse(request, "appeals/appeal_action.html", context)

    def _registered(self, request, registration: services.Registration):
        """The access code exists only here: it is shown once and stored as a hash."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "title": _("The appeal is registered"), "appeal": registration.appeal,
            "access_code": registration.access_code, "change_url": self._change_url(registration.appeal.pk),
        }
        response = TemplateResponse(request, "appeals/appeal_registered.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def download_view(self, request, object_id, attachment_id):
        appeal = self._appeal_for(request, object_id)
        if not may(request, PERSONAL_DATA):
            raise PermissionDenied
        attachment = Attachment.objects.filter(pk=attachment_id, appeal=appeal).first()
        if attachment is None or not attachment.file:
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        audit_record(action="appeal.attachment_downloaded", actor=request.user, target=appeal,
                     after={"attachment": attachment.pk}, request=request)
        return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)


# --- the appeals of a register object, on its page in the register ---------------------------------------

ASSET_PANEL_ROWS = 20


def asset_appeals_panel(request, asset, site_name: str) -> dict | None:
    """What the object's page shows of its appeals: the latest with links for those who may read appeals,
    only how many for those who see appeals statistics, nothing for the others (an asset manager)."""
    if asset is None or not module_enabled(getattr(request, "tenant", None), MODULE):
        return None
    appeals = appeal_about_asset(Appeal.objects.all(), asset.pk)
    if may(request, READ):
        rows = list(appeal_about_asset(appeal_list(), asset.pk)[:ASSET_PANEL_ROWS])
        return {
            "count": appeals.count(),
            "rows": [{"appeal": appeal, "url": reverse(f"{site_name}:appeals_appeal_change", args=[appeal.pk]),
                      "codes": ", ".join(q.classifier_code for q in appeal.questions.all() if q.asset_id == asset.pk)}
                     for appeal in rows],
            "list_url": reverse(f"{site_name}:appeals_appeal_changelist") + f"?asset={asset.pk}",
        }
    if may(request, STATISTICS):
        return {"count": appeals.count(), "rows": None, "list_url": None}
    return None


# --- reference data and settings ----------------------------------------------------------------------------

@admin.register(Department, site=back_office)
class DepartmentAdmin(ModuleAdmin):
    change_action = SETTINGS
    list_display = ("name", "head_email", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(DeadlineRule, site=back_office)
class DeadlineRuleAdmin(ModuleAdmin):
    change_action = SETTINGS
    list_display = ("kind", "category_prefix", "day_type", "register_days", "forward_days", "answer_days",
                    "max_extension_days", "shift", "extension_from", "unclear_handling")
    list_filter = ("kind", "day_type")
    # Derived from ``shift`` when saved; kept only for the release before it.
    exclude = ("shift_to_working_day",)


@admin.register(AppealsSettings, site=back_office)
class AppealsSettingsAdmin(ModuleAdmin):
    """One row per municipality: the list opens it directly."""

    change_action = SETTINGS
    fieldsets = (
        (_("Numbering"), {"fields": ("registration_prefix",)}),
        (_("Notifications"), {"fields": ("sender_email", "head_email", "reminder_days", "escalate_after_days")}),
        (_("Personal data"), {"fields": ("retention_years",), "description": _(
            "Counted from closing. Then the applicant's data, texts and files are removed; the figures stay. "
            "0 keeps personal data without a limit.")}),
    )

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = AppealsSettings.current()
        return redirect(reverse(f"{self.admin_site.name}:appeals_appealssettings_change", args=[row.pk]))
