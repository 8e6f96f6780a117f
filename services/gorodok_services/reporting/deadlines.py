"""Reminders before a campaign's deadline and notices once it has passed, for one municipality (the
module's hourly periodic task runs this in each municipality's schema). Each is sent once per
deadline: the row is claimed by a conditional update before anything is sent, so a message delivered
twice, or two workers at once, send nothing twice. Extending a campaign clears the marks."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.integrations.outbox import outbox_emit
from gorodok_platform.jobs.enqueue import enqueue_on_commit
from gorodok_services.core.calendar import local_date
from gorodok_services.reporting.actors import send_report_notice
from gorodok_services.reporting.models import DELIVERED, CampaignStatus, SubmissionCopy
from gorodok_services.reporting.module import CAMPAIGN_OVERDUE, REPORTER

logger = logging.getLogger("gorodok.reporting")

REMIND_DAYS_BEFORE = 3


def _recipients() -> list[str]:
    from django.contrib.auth import get_user_model

    from gorodok_platform.accounts.roles import Role

    return sorted(set(get_user_model().objects.filter(
        is_active=True, groups__name__in=[REPORTER, str(Role.MUNICIPAL_ADMIN)]).values_list("email", flat=True)))


def _claim(copy_pk: int, field: str, now) -> bool:
    with schema_context(get_public_schema_name()):
        return SubmissionCopy.objects.filter(pk=copy_pk, **{f"{field}__isnull": True}).update(**{field: now}) == 1


def reporting_deadlines(today: date | None = None) -> dict[str, int]:
    """Send the current municipality's due reminders and overdue notices; returns how many of each."""
    from gorodok_services.reporting.selectors import current_municipality

    tenant = current_municipality()
    if tenant is None:
        return {"reminders": 0, "overdue": 0}
    today = today or local_date(timezone.now(), tenant.timezone)  # the municipality's day, not the server's
    now = timezone.now()
    with schema_context(get_public_schema_name()):
        copies = list(SubmissionCopy.objects.filter(municipality_id=tenant.pk, campaign__status=CampaignStatus.OPEN)
                      .exclude(status__in=DELIVERED)
                      .filter(campaign__deadline__lte=today + timedelta(days=REMIND_DAYS_BEFORE))
                      .select_related("campaign"))
    sent = {"reminders": 0, "overdue": 0}
    recipients = None
    for copy in copies:
        campaign = copy.campaign
        overdue = campaign.deadline < today
        field = "overdue_notified_at" if overdue else "reminder_sent_at"
        if getattr(copy, field) is not None:
            continue
        with transaction.atomic():
            if not _claim(copy.pk, field, now):
                continue
            if overdue:
                outbox_emit(CAMPAIGN_OVERDUE, {"campaign": campaign.pk, "title": campaign.title,
                                               "deadline": campaign.deadline.isoformat(),
                                               "municipality": tenant.schema_name})
            if recipients is None:
                recipients = _recipients()
            if recipients:
                if overdue:
                    subject = _("Report overdue: %(title)s") % {"title": campaign.title}
                    body = _("The deadline of the report \"%(title)s\" was %(deadline)s and it has not been "
                             "submitted. Please fill it in and submit it in the back office.")
                else:
                    subject = _("Report due: %(title)s") % {"title": campaign.title}
                    body = _("The report \"%(title)s\" is due by %(deadline)s. Please fill it in and submit it "
                             "in the back office.")
                body = body % {"title": campaign.title, "deadline": campaign.deadline.strftime("%d.%m.%Y")}
                enqueue_on_commit(send_report_notice, str(subject), body, list(recipients))
        sent["overdue" if overdue else "reminders"] += 1
    if any(sent.values()):
        logger.info("reporting deadlines in %s: %s", tenant.schema_name, sent)
    return sent
