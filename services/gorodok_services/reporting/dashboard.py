"""What reporting puts on the first pages: in a municipality's back office, the reports the committee
asks of it (open campaigns) with their deadlines and status, each linking to its form; in the regional
console, the progress of every open campaign (submitted of asked), each linking to its figures."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.modules import DashboardChart, DashboardItem, DashboardPanel
from gorodok_services.reporting.models import DELIVERED, Campaign, CampaignStatus, SubmissionStatus
from gorodok_services.reporting.permissions import FILL, REGION_MANAGE, REGION_READ, VIEW, reporting_permit

SHOWN = 8  # campaigns on a first page; the rest are a click away
SOON_DAYS = 7


def _tone(row: dict) -> str:
    if row["overdue"]:
        return "danger"
    if row["status"] == SubmissionStatus.RETURNED or (row["status"] not in DELIVERED
                                                       and row["days_left"] <= SOON_DAYS):
        return "warning"
    return ""


def _item(row: dict) -> DashboardItem:
    campaign = row["campaign"]
    status = str(SubmissionStatus(row["status"]).label)
    deadline = f"{campaign.deadline:%d.%m.%Y}"
    if row["overdue"]:
        label = _("%(title)s: overdue since %(date)s (%(status)s); days overdue") % {
            "title": campaign.title, "date": deadline, "status": status}
        count = -row["days_left"]
    elif row["status"] in DELIVERED:
        label = _("%(title)s: %(status)s; deadline %(date)s") % {"title": campaign.title, "status": status,
                                                                  "date": deadline}
        count = "✓"
    else:
        label = _("%(title)s: due %(date)s (%(status)s); days left") % {"title": campaign.title, "date": deadline,
                                                                        "status": status}
        count = row["days_left"]
    url = reverse("backoffice:reporting_submission_fill", args=[campaign.pk])
    return DashboardItem(label=label, count=count, url=url, tone=_tone(row))


def reports_today(request) -> DashboardPanel | None:
    """The back office's panel: the open campaigns this municipality is asked for, most urgent first."""
    from gorodok_services.reporting.selectors import municipality_campaigns

    if not reporting_permit(request.user, VIEW):
        return None
    rows = [row for row in municipality_campaigns(request.user) if row["campaign"].status == CampaignStatus.OPEN]
    rows.sort(key=lambda row: (row["status"] in DELIVERED, row["campaign"].deadline, row["campaign"].pk))
    changelist = reverse("backoffice:reporting_submissions_submission_changelist")
    links = [(_("All reports"), changelist)]
    if not rows:
        items = (DashboardItem(label=_("No report is asked of the municipality now."), count=0, url=changelist),)
    else:
        items = tuple(_item(row) for row in rows[:SHOWN])
    if reporting_permit(request.user, FILL) and any(row["status"] not in DELIVERED for row in rows):
        links.append((_("Fill the nearest report"), items[0].url))
    return DashboardPanel(title=_("Reports to the committee"), items=items, links=tuple(links))


def campaigns_progress() -> list[tuple[Campaign, dict]]:
    """Every open campaign, nearest deadline first, with its counts (one query for all of them)."""
    today = timezone.localdate()
    campaigns = list(Campaign.objects.filter(status=CampaignStatus.OPEN).order_by("deadline", "pk")
                     .annotate(total=Count("copies"),
                               delivered=Count("copies", filter=Q(copies__status__in=DELIVERED)),
                               returned=Count("copies", filter=Q(copies__status=SubmissionStatus.RETURNED)))
                     [:SHOWN])
    return [(c, {"total": c.total, "delivered": c.delivered, "returned": c.returned,
                 "overdue": c.total - c.delivered if c.deadline < today else 0}) for c in campaigns]


def campaigns_in_the_region(request) -> DashboardPanel | None:
    """The regional console's panel: each open campaign's progress, submitted of asked."""
    if not reporting_permit(request.user, REGION_READ):
        return None
    with schema_context(get_public_schema_name()):
        progress = campaigns_progress()
    items = []
    for campaign, counts in progress:
        label = _("%(title)s: submitted of %(total)s, deadline %(date)s") % {
            "title": campaign.title, "total": counts["total"], "date": f"{campaign.deadline:%d.%m.%Y}"}
        if counts["overdue"]:
            label += "; " + _("overdue: %(n)s") % {"n": counts["overdue"]}
        tone = "danger" if counts["overdue"] else ("warning" if counts["returned"] else "")
        items.append(DashboardItem(label=label, count=f"{counts['delivered']} / {counts['total']}",
                                   url=reverse("console:reporting_campaign_figures", args=[campaign.pk]), tone=tone))
    links = [(_("All campaigns"), reverse("console:reporting_campaign_changelist")),
             (_("Region-wide appeals summary"), reverse("console:reporting_appealssummary_add"))]
    if reporting_permit(request.user, REGION_MANAGE):
        links.insert(1, (_("New campaign"), reverse("console:reporting_campaign_add")))
    charts = ()
    if progress:
        charts = (DashboardChart(
            title=_("Report campaigns: submitted and not yet"),
            labels=tuple(campaign.title for campaign, _counts in progress),
            series=((_("submitted"), tuple(c["delivered"] for _campaign, c in progress)),
                    (_("not yet"), tuple(c["total"] - c["delivered"] for _campaign, c in progress)))),)
    if not items:
        items = [DashboardItem(label=_("No campaign is open."), count=0,
                               url=reverse("console:reporting_campaign_changelist"))]
    return DashboardPanel(title=_("Report campaigns"), items=tuple(items), charts=charts, links=tuple(links))
