"""Jobs of the reporting module. Each takes ids and is idempotent."""

from __future__ import annotations

import dramatiq


@dramatiq.actor(queue_name="default", max_retries=3)
def warm_campaign_figures(campaign_id: int) -> None:
    """Compute a campaign's comparison and aggregates again after a submission changed (runs in public),
    so the committee's next page reads them ready; a stale cache is recomputed on read anyway."""
    from gorodok_services.reporting.figures import campaign_figures_warm

    campaign_figures_warm(campaign_id)


@dramatiq.actor(queue_name="default", max_retries=5)
def send_report_notice(subject: str, message: str, recipients: list[str]) -> None:
    """Mail a reminder or an overdue notice of a report. The deadline sweep claims each notice once
    before queueing it, so a retry after a mail failure is the only repeat."""
    from django.core.mail import send_mail

    send_mail(subject=subject, message=message, from_email=None, recipient_list=list(recipients))


@dramatiq.actor(queue_name="default", max_retries=3)
def build_appeals_summary(summary_id: int) -> None:
    """Make a region-wide appeals summary (runs in public; visits each municipality's report sources).
    A summary already made is left as it is, so a repeated message does nothing."""
    from gorodok_services.reporting.summaries import appeals_summary_build

    appeals_summary_build(summary_id)
