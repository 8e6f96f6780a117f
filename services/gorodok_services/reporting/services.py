"""Writes of the reporting module: templates, campaigns and submissions.

Templates and campaigns are the region's, in the public schema. A submission is the municipality's,
in its schema; every transition also updates the municipality's copy in the public schema (its
status, and its values once submitted) in the same transaction, so the region's figures read only
public rows. Every change and transition is a history entry; a webhook event is emitted in the
municipality's schema for submitted, returned and accepted reports.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.audit.services import audit_record
from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_services.reporting import error_codes
from gorodok_services.reporting.definition import check_complete, clean_values, parse_definition
from gorodok_services.reporting.figures import figures_revision_move
from gorodok_services.reporting.models import (
    Audience,
    Campaign,
    CampaignStatus,
    ReportTemplate,
    SubmissionCopy,
    SubmissionStatus,
    TemplateVersion,
)
from gorodok_services.reporting.module import ACCEPTED, RETURNED, SUBMITTED
from gorodok_services.reporting.submissions.models import Submission, SubmissionEvent

MAX_DEADLINE_DAYS = 366 * 2


def _error(field: str | None, message, code: str, **params) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _actor_label(actor) -> str:
    return str(getattr(actor, "email", "") or getattr(actor, "name", "") or "")[:200]


def _in_public(function):
    """Run the region's writes in the public schema, whatever the caller's schema."""
    def wrapper(*args, **kwargs):
        with schema_context(get_public_schema_name()):
            return function(*args, **kwargs)

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


# --- templates ----------------------------------------------------------------------------------------------

@_in_public
@transaction.atomic
def template_create(*, code: str, title: str, definition: dict) -> TemplateVersion:
    """A new template with its first version (a draft until published)."""
    parse_definition(definition)
    if ReportTemplate.objects.filter(code=code).exists():
        raise _error("code", _("A template with this code exists."), error_codes.INVALID_DEFINITION)
    template = ReportTemplate.objects.create(code=code, title=title.strip())
    return TemplateVersion.objects.create(template=template, number=1, definition=definition)


@_in_public
@transaction.atomic
def template_version_update(*, version: TemplateVersion, definition: dict) -> TemplateVersion:
    version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
    if version.published_at is not None:
        raise _error(None, _("A published template version never changes; make a new version."),
                     error_codes.VERSION_PUBLISHED)
    parse_definition(definition)
    version.definition = definition
    version.save(update_fields=["definition"])
    return version


@_in_public
@transaction.atomic
def template_version_publish(*, version: TemplateVersion) -> TemplateVersion:
    version = TemplateVersion.objects.select_for_update().get(pk=version.pk)
    if version.published_at is None:
        parse_definition(version.definition)  # the sources it names may have gone since it was saved
        TemplateVersion.objects.filter(pk=version.pk).update(published_at=timezone.now())
        version.refresh_from_db()
    return version


@_in_public
@transaction.atomic
def template_version_copy(*, version: TemplateVersion) -> TemplateVersion:
    """A new draft version of the template, a copy of ``version``."""
    template = ReportTemplate.objects.select_for_update().get(pk=version.template_id)
    number = (template.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return TemplateVersion.objects.create(template=template, number=number, definition=version.definition)


# --- campaigns ----------------------------------------------------------------------------------------------

def campaign_check(*, version: TemplateVersion, period_start: date, period_end: date, deadline: date,
                   audience: str, audience_kind: str = "", municipalities=()) -> None:
    """Raise what is wrong with a campaign before it is made (the console's form asks it too)."""
    from gorodok_tenants.models import MunicipalityKind

    if version.published_at is None:
        raise _error("version", _("Only a published template version can be sent."),
                     error_codes.VERSION_NOT_PUBLISHED)
    if period_end < period_start:
        raise _error("period_end", _("The period ends before it starts."), error_codes.INVALID_PERIOD)
    if deadline < period_start or (deadline - timezone.localdate()).days > MAX_DEADLINE_DAYS:
        raise _error("deadline", _("The deadline is out of range."), error_codes.INVALID_DEADLINE)
    if audience not in Audience.values or (audience == Audience.KIND and audience_kind not in MunicipalityKind.values) \
            or (audience == Audience.LIST and not municipalities):
        raise _error("audience", _("Say which municipalities are asked."), error_codes.INVALID_AUDIENCE)


@_in_public
@transaction.atomic
def campaign_create(*, version: TemplateVersion, title: str, period_start: date, period_end: date,
                    deadline: date, audience: str = Audience.ALL, audience_kind: str = "",
                    municipalities=()) -> Campaign:
    campaign_check(version=version, period_start=period_start, period_end=period_end, deadline=deadline,
                   audience=audience, audience_kind=audience_kind, municipalities=municipalities)
    campaign = Campaign.objects.create(version=version, title=title.strip(), period_start=period_start,
                                       period_end=period_end, deadline=deadline, audience=audience,
                                       audience_kind=audience_kind if audience == Audience.KIND else "")
    if audience == Audience.LIST:
        campaign.municipalities.set(municipalities)
    return campaign


def campaign_audience(campaign: Campaign):
    """The active municipalities a campaign asks, with the reporting module on."""
    from gorodok_services.reporting.module import CODE
    from gorodok_tenants.modules import municipalities_with_module

    queryset = municipalities_with_module(CODE)
    if campaign.audience == Audience.KIND:
        queryset = queryset.filter(kind=campaign.audience_kind)
    elif campaign.audience == Audience.LIST:
        queryset = queryset.filter(pk__in=campaign.municipalities.values("pk"))
    return queryset


@_in_public
@transaction.atomic
def campaign_open(*, campaign: Campaign, actor=None) -> Campaign:
    """Open the campaign: every municipality asked gets its row (not started) in the progress."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise _error(None, _("Only a campaign being prepared can be opened."), error_codes.INVALID_TRANSITION)
    SubmissionCopy.objects.bulk_create(
        [SubmissionCopy(campaign=campaign, municipality=m) for m in campaign_audience(campaign)],
        ignore_conflicts=True)
    campaign.status = CampaignStatus.OPEN
    campaign.opened_at = timezone.now()
    campaign.save(update_fields=["status", "opened_at"])
    audit_record(action="campaign.open", actor=actor, target=campaign, after={"asked": campaign.copies.count()})
    return campaign


@_in_public
@transaction.atomic
def campaign_extend(*, campaign: Campaign, deadline: date, actor=None) -> Campaign:
    """A later deadline; those who have not submitted will be reminded and noticed again for it."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.OPEN:
        raise _error(None, _("Only an open campaign can be extended."), error_codes.INVALID_TRANSITION)
    if deadline <= campaign.deadline or (deadline - timezone.localdate()).days > MAX_DEADLINE_DAYS:
        raise _error("deadline", _("The new deadline must be later than the current one."),
                     error_codes.INVALID_DEADLINE)
    before = campaign.deadline
    campaign.deadline = deadline
    campaign.save(update_fields=["deadline"])
    audit_record(action="campaign.extend", actor=actor, target=campaign, before={"deadline": before.isoformat()},
                 after={"deadline": deadline.isoformat()})
    campaign.copies.exclude(status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED]).update(
        reminder_sent_at=None, overdue_notified_at=None)
    return campaign


@_in_public
@transaction.atomic
def campaign_close(*, campaign: Campaign, actor=None) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.OPEN:
        raise _error(None, _("Only an open campaign can be closed."), error_codes.INVALID_TRANSITION)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    audit_record(action="campaign.close", actor=actor, target=campaign)
    return campaign


# --- submissions (in the municipality's schema) -------------------------------------------------------------

def _current_municipality():
    from gorodok_services.reporting.selectors import current_municipality

    tenant = current_municipality()
    if tenant is None:
        raise RuntimeError("Submissions are written in a municipality's schema.")
    return tenant


def _copy_of(campaign_id: int, municipality_pk: int) -> SubmissionCopy | None:
    with schema_context(get_public_schema_name()):
        return (SubmissionCopy.objects.select_for_update()
                .filter(campaign_id=campaign_id, municipality_id=municipality_pk).first())


def _sync_copy(submission: Submission, municipality, *, with_values: bool) -> None:
    with schema_context(get_public_schema_name()):
        figures_revision_move(submission.campaign_id)
        fields = {"status": submission.status, "comment": submission.comment,
                  "submitted_at": submission.submitted_at, "accepted_at": submission.accepted_at,
                  "updated_at": timezone.now()}
        if with_values:
            fields["values"] = submission.values
        SubmissionCopy.objects.filter(campaign_id=submission.campaign_id, municipality_id=municipality.pk).update(
            **fields)
    if submission.status != SubmissionStatus.DRAFT:
        from gorodok_platform.jobs.enqueue import enqueue_on_commit
        from gorodok_services.reporting.actors import warm_campaign_figures

        enqueue_on_commit(warm_campaign_figures, submission.campaign_id, schema=get_public_schema_name())


def _event(submission, kind, actor=None, *, changes=None, comment="", actor_label="") -> None:
    from django.contrib.auth import get_user_model

    person = actor if isinstance(actor, get_user_model()) and not actor_label else None
    SubmissionEvent.objects.create(submission=submission, kind=kind, actor=person,
                                   actor_label=actor_label or _actor_label(actor), changes=changes or {},
                                   comment=comment)


def _payload(submission: Submission, municipality) -> dict:
    return {"id": submission.pk, "campaign": submission.campaign_id, "status": submission.status,
            "municipality": municipality.schema_name}


def _campaign_for(municipality, campaign_id: int) -> Campaign:
    with schema_context(get_public_schema_name()):
        campaign = Campaign.objects.select_related("version").filter(pk=campaign_id).first()
    if campaign is None or _copy_of(campaign_id, municipality.pk) is None:
        raise _error(None, _("This municipality is not asked for this report."), error_codes.NOT_ASKED)
    return campaign


def _prefill(campaign: Campaign, municipality) -> dict:
    from gorodok_tenants.modules.report_sources import report_source_compute_many

    sources = {f.code: f.source for f in campaign.version.parsed.fields if f.source}
    figures = report_source_compute_many(municipality=municipality, keys=sorted(set(sources.values())),
                                         date_from=campaign.period_start, date_to=campaign.period_end)
    return {code: str(figures[key]) for code, key in sources.items() if figures[key] is not None}


@transaction.atomic
def submission_start(*, campaign_id: int, actor=None) -> Submission:
    """The municipality's draft for the campaign (created once, pre-filled from the report sources)."""
    municipality = _current_municipality()
    existing = Submission.objects.filter(campaign_id=campaign_id).first()
    if existing is not None:
        return existing
    campaign = _campaign_for(municipality, campaign_id)
    if campaign.status != CampaignStatus.OPEN:
        raise _error(None, _("The campaign is not open."), error_codes.CAMPAIGN_CLOSED)
    prefilled = _prefill(campaign, municipality)
    submission = Submission.objects.create(campaign_id=campaign.pk, values=dict(prefilled), prefilled=prefilled)
    _event(submission, SubmissionEvent.Kind.STARTED, actor, changes={"prefilled": prefilled})
    _sync_copy(submission, municipality, with_values=False)
    return submission


def _editable(submission: Submission) -> None:
    if submission.status == SubmissionStatus.ACCEPTED:
        raise _error(None, _("An accepted report is read-only."), error_codes.READ_ONLY)
    if submission.status == SubmissionStatus.SUBMITTED:
        raise _error(None, _("A submitted report cannot be changed until the committee returns it."),
                     error_codes.READ_ONLY)


def _open_campaign(submission: Submission) -> Campaign:
    with schema_context(get_public_schema_name()):
        campaign = Campaign.objects.select_related("version").get(pk=submission.campaign_id)
    if campaign.status != CampaignStatus.OPEN:
        raise _error(None, _("The campaign is closed: reports are no longer accepted."), error_codes.CAMPAIGN_CLOSED)
    return campaign


@transaction.atomic
def submission_save(*, submission: Submission, values: dict, reasons: dict | None = None, actor=None) -> Submission:
    """Save the draft with ``values`` (a partial update: the codes given). Each value is checked against
    its field; a pre-filled value changed needs a reason. Nothing is written when anything is wrong."""
    _current_municipality()
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    _editable(submission)
    campaign = _open_campaign(submission)
    definition = campaign.version.parsed
    cleaned = clean_values(definition, values)
    reasons = {code: str(reason).strip()[:1000] for code, reason in (reasons or {}).items() if str(reason).strip()}
    errors = {}
    for code, value in cleaned.items():
        if code in submission.prefilled and value != submission.prefilled[code] and not (
                reasons.get(code) or submission.reasons.get(code)):
            errors[code] = [ValidationError(_("Say why the pre-filled value is changed."),
                                            code=error_codes.REASON_REQUIRED)]
    if errors:
        raise ValidationError(errors)
    changes = {code: {"from": submission.values.get(code), "to": value}
               for code, value in cleaned.items() if submission.values.get(code) != value}
    if not changes:
        return submission
    merged = {**submission.values, **cleaned}
    submission.values = {code: value for code, value in merged.items() if value is not None}
    submission.reasons = {**submission.reasons, **{code: reasons[code] for code in changes if code in reasons}}
    submission.save(update_fields=["values", "reasons", "updated_at"])
    _event(submission, SubmissionEvent.Kind.SAVED, actor,
           changes={**changes, **({"reasons": {c: reasons[c] for c in changes if c in reasons}} if reasons else {})})
    return submission


@transaction.atomic
def submission_submit(*, submission: Submission, actor=None) -> Submission:
    """Submit (or resubmit after a return): complete and valid, while the campaign is open."""
    municipality = _current_municipality()
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status not in (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED):
        raise _error(None, _("This report cannot be submitted now."), error_codes.INVALID_TRANSITION)
    campaign = _open_campaign(submission)
    check_complete(campaign.version.parsed, submission.values)
    resubmitted = submission.status == SubmissionStatus.RETURNED
    submission.status = SubmissionStatus.SUBMITTED
    submission.submitted_at = timezone.now()
    submission.save(update_fields=["status", "submitted_at", "updated_at"])
    _event(submission, SubmissionEvent.Kind.RESUBMITTED if resubmitted else SubmissionEvent.Kind.SUBMITTED, actor)
    _sync_copy(submission, municipality, with_values=True)
    outbox_emit(SUBMITTED, _payload(submission, municipality))
    return submission


def _region_transition(*, campaign: Campaign, municipality, actor, to: str, comment: str = "") -> Submission:
    with schema_context(municipality.schema_name):
        submission = Submission.objects.select_for_update().filter(campaign_id=campaign.pk).first()
        if submission is None or submission.status != SubmissionStatus.SUBMITTED:
            raise _error(None, _("Only a submitted report can be returned or accepted."),
                         error_codes.INVALID_TRANSITION)
        submission.status = to
        if to == SubmissionStatus.RETURNED:
            submission.comment = comment
            kind, event = SubmissionEvent.Kind.RETURNED, RETURNED
        else:
            submission.accepted_at = timezone.now()
            kind, event = SubmissionEvent.Kind.ACCEPTED, ACCEPTED
        submission.save(update_fields=["status", "comment", "accepted_at", "updated_at"])
        _event(submission, kind, None, comment=comment, actor_label=_actor_label(actor))
        _sync_copy(submission, municipality, with_values=False)
        outbox_emit(event, {**_payload(submission, municipality), "comment": comment})
    with schema_context(get_public_schema_name()):
        audit_record(action=f"report.{to}", actor=actor, tenant_schema=municipality.schema_name, target=campaign,
                     after={"status": to, "comment": comment})
    return submission


@transaction.atomic
def submission_return(*, campaign: Campaign, municipality, comment: str, actor=None) -> Submission:
    """The committee returns a submitted report with a comment; the municipality corrects and resubmits."""
    comment = (comment or "").strip()
    if not comment:
        raise _error("comment", _("Say what to correct."), error_codes.COMMENT_REQUIRED)
    return _region_transition(campaign=campaign, municipality=municipality, actor=actor,
                              to=SubmissionStatus.RETURNED, comment=comment[:5000])


@transaction.atomic
def submission_accept(*, campaign: Campaign, municipality, actor=None) -> Submission:
    """The committee accepts a submitted report; from then on it is read-only."""
    return _region_transition(campaign=campaign, municipality=municipality, actor=actor,
                              to=SubmissionStatus.ACCEPTED)
