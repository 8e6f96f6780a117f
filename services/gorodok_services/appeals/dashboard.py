"""What the appeals module puts on a municipality's first page: the work queues with their counts,
and the last twelve months as charts (received, answered, overdue; questions by classifier section)."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Substr, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorodok_platform.modules import DashboardChart, DashboardItem, DashboardPanel
from gorodok_services.appeals.models import Appeal, Question
from gorodok_services.appeals.permissions import CHANGE, READ, STATISTICS, appeals_permit
from gorodok_services.appeals.selectors import appeal_queue

QUEUE_ITEMS = (
    ("mine", _("My appeals"), ""),
    ("week", _("Due this week"), "warning"),
    ("overdue", _("Overdue"), "danger"),
    ("unassigned", _("Unassigned"), "warning"),
)
MONTHS = 12


def _months(today: date, count: int = MONTHS) -> list[date]:
    """The first days of the last ``count`` months, oldest first, this month last."""
    firsts = []
    year, month = today.year, today.month
    for _i in range(count):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def _by_month(field: str, since, zone, condition: Q | None = None) -> dict[date, int]:
    rows = (Appeal.objects.filter(**{f"{field}__gte": since}).filter(condition or Q())
            .annotate(month=TruncMonth(field, tzinfo=zone)).order_by().values("month").annotate(n=Count("id")))
    return {row["month"].date() if hasattr(row["month"], "date") else row["month"]: row["n"] for row in rows}


def appeals_monthly_chart(today: date | None = None) -> DashboardChart:
    """Appeals received, answered and answered late (or still open past due) by month, local months."""
    from gorodok_services.appeals.deadlines import tenant_timezone

    zone = zoneinfo.ZoneInfo(tenant_timezone())
    today = today or timezone.localdate(timezone=zone)
    months = _months(today)
    since = datetime.combine(months[0], time.min, tzinfo=zone)
    received = _by_month("received_at", since, zone)
    answered = _by_month("answered_at", since, zone)
    late = _by_month("due_at", since, zone, Q(answered_late=True) | Q(answered_at__isnull=True,
                                                                       closed_at__isnull=True,
                                                                       due_at__lt=timezone.now()))
    labels = tuple(f"{month:%m.%Y}" for month in months)
    return DashboardChart(
        title=str(_("Appeals by month")), labels=labels,
        series=((str(_("received")), tuple(received.get(m, 0) for m in months)),
                (str(_("answered")), tuple(answered.get(m, 0) for m in months)),
                (str(_("overdue")), tuple(late.get(m, 0) for m in months))))


def appeals_section_chart() -> DashboardChart:
    """Questions of the last twelve months by classifier section."""
    from gorodok_services.classifier.models import ClassifierEntry, ClassifierLevel

    since = timezone.now() - timedelta(days=365)
    counts = dict(Question.objects.filter(appeal__received_at__gte=since)
                  .annotate(section=Substr("classifier_code", 1, 4)).order_by()
                  .values("section").annotate(n=Count("id")).values_list("section", "n"))
    titles = dict(ClassifierEntry.objects.filter(level=ClassifierLevel.SECTION).values_list("code", "title"))
    codes = sorted(titles) or sorted(counts)
    return DashboardChart(title=str(_("Questions by classifier section, last 12 months")),
                          labels=tuple(titles.get(code, code) for code in codes),
                          series=((str(_("questions")), tuple(counts.get(code, 0) for code in codes)),))


def appeals_today(request) -> DashboardPanel | None:
    """The appeals panel of the back office's first page, for the signed-in person."""
    if not appeals_permit(request.user, READ):
        return None
    changelist = reverse("backoffice:appeals_appeal_changelist")
    items = tuple(
        DashboardItem(label=str(label), count=appeal_queue(Appeal.objects.all(), code, request.user).count(),
                      url=f"{changelist}?queue={code}", tone=tone)
        for code, label, tone in QUEUE_ITEMS)
    links = [(str(_("All appeals")), changelist)]
    if appeals_permit(request.user, CHANGE):
        links.append((str(_("Receive an appeal")), reverse("backoffice:appeals_appeal_add")))
    if appeals_permit(request.user, STATISTICS):
        links.append((str(_("Statistics")), reverse("backoffice:appeals_appeal_statistics")))
    return DashboardPanel(title=str(_("Citizens' appeals")), items=items, links=tuple(links),
                          charts=(appeals_monthly_chart(), appeals_section_chart()))
