"""The summary of appeals for any period: the figures of the monthly report under Presidential Decree
No. 171 (the SSTU portal), computed with a handful of aggregate queries.

Which appeals belong to a period. The period is the municipality's local dates ``date_from`` to
``date_to`` inclusive, in its time zone. A registered appeal belongs to the period of its
**registration date** (the day the 30-day term starts, and the date the report counts by); an appeal
not registered yet belongs to the period of its **receipt**. So one received on the 31st and
registered on the 1st is counted in the month it was registered.

What the figures mean:

- the kinds of the 59-FZ report (statement, proposal, complaint, other) are ``by_kind``; information
  requests under 8-FZ and feedback-platform messages are counted separately, so
  ``appeals == sum(by_kind) + information_requests + platform_messages``;
- ``questions`` and ``by_result`` count questions (the report's unit), every result included, zeros too;
  results are those known when the summary is made, as in a report filed after the month ends;
- ``under_consideration`` counts the appeals of the period still open at the end of ``date_to``:
  neither answered nor closed (forwarded, left without an answer) by then;
- ``considered_late`` counts the appeals answered late, plus those open at the end of ``date_to``
  and already past their due date then (the answer term, or the registration term for one not
  registered yet). Each appeal counts once;
- ``under_control`` and ``considered_on_site`` count the appeals the back office's or the API's actions
  "take under control" and "considered on site" marked (each action records who, when and why);
- ``unclear_notices`` counts the appeals whose author was told by the end of ``date_to`` that the
  substance cannot be understood (59-FZ art. 11), ``unclear_notices_late`` those told after the rule's
  term, and ``awaiting_clarification`` those paused then, waiting for the author's clarification (they
  are also under consideration; those that closed as unclear count as left without an answer);
- ``by_section`` lists every section of the classifier (zeros included) and ``by_theme`` the themes
  (first two blocks of the code) that have questions, each with its number of questions.
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from gorodok_services.appeals.deadlines import tenant_timezone
from gorodok_services.appeals.models import Appeal, AppealForm, AppealKind, Channel, Question, QuestionResult

REPORT_KINDS = (AppealKind.STATEMENT, AppealKind.PROPOSAL, AppealKind.COMPLAINT, AppealKind.OTHER)
SECTION_LENGTH = 4  # "0005"
THEME_LENGTH = 9  # "0005.0005"


@dataclass(frozen=True)
class ClassifierRow:
    """Questions under one classifier section or theme."""

    code: str
    title: str
    questions: int


@dataclass
class AppealStatistics:
    date_from: date
    date_to: date
    timezone: str
    municipality: str
    appeals: int
    repeated: int
    collective: int
    under_control: int
    by_form: dict[str, int]
    by_channel: dict[str, int]
    by_kind: dict[str, int]
    information_requests: int
    platform_messages: int
    questions: int
    by_result: dict[str, int]
    considered_on_site: int
    considered_late: int
    under_consideration: int
    personal_receptions: int
    unclear_notices: int = 0
    unclear_notices_late: int = 0
    awaiting_clarification: int = 0
    by_section: list[ClassifierRow] = field(default_factory=list)
    by_theme: list[ClassifierRow] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain data for ``json.dumps``: dates as ISO strings, breakdowns as lists of objects."""
        data = dataclasses.asdict(self)
        data["date_from"] = self.date_from.isoformat()
        data["date_to"] = self.date_to.isoformat()
        return data


def period_bounds(date_from: date, date_to: date, zone: str) -> tuple[datetime, datetime]:
    """The first moment of ``date_from`` and the first moment after ``date_to``, local to ``zone``."""
    tz = zoneinfo.ZoneInfo(zone)
    return (datetime.combine(date_from, time.min, tzinfo=tz),
            datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))


def appeals_in_period(start: datetime, end: datetime, prefix: str = "") -> Q:
    """Registered in [start, end), or not registered and received in it. ``prefix`` for related lookups."""
    p = prefix
    return (Q(**{f"{p}registered_at__gte": start, f"{p}registered_at__lt": end})
            | Q(**{f"{p}registered_at__isnull": True, f"{p}received_at__gte": start, f"{p}received_at__lt": end}))


def open_at(end: datetime) -> Q:
    return ((Q(answered_at__isnull=True) | Q(answered_at__gte=end))
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=end)))


def late_at(end: datetime) -> Q:
    past_due = Q(due_at__lt=end) | Q(registered_at__isnull=True, due_register_at__lt=end)
    return Q(answered_late=True) | (open_at(end) & past_due)


def _municipality_name() -> str:
    name = getattr(connection.tenant, "name", "")
    if name:
        return name
    from gorodok_tenants.models import Municipality

    return Municipality.objects.filter(schema_name=connection.schema_name).values_list("name", flat=True).first() or ""


def _classifier_rows(counts: dict[str, int], titles: dict[str, str], *, all_codes=()) -> list[ClassifierRow]:
    codes = sorted(set(counts) | set(all_codes))
    return [ClassifierRow(code=code, title=titles.get(code, ""), questions=counts.get(code, 0)) for code in codes]


def appeal_statistics(*, date_from: date, date_to: date) -> AppealStatistics:
    """The summary of the current municipality's appeals for the local dates ``date_from``..``date_to``."""
    from gorodok_services.classifier.models import ClassifierEntry, ClassifierLevel

    if date_to < date_from:
        raise ValidationError({"date_to": ValidationError(_("The period ends before it starts."), code="invalid")})
    zone = tenant_timezone()
    start, end = period_bounds(date_from, date_to, zone)
    appeals = Appeal.objects.filter(appeals_in_period(start, end))

    def count(condition: Q | None = None) -> Count:
        return Count("id", filter=condition)

    figures = {
        "appeals": count(), "repeated": count(Q(repeats__isnull=False)), "collective": count(Q(is_collective=True)),
        "under_control": count(Q(under_control=True)), "considered_on_site": count(Q(considered_on_site=True)),
        "considered_late": count(late_at(end)), "under_consideration": count(open_at(end)),
        "unclear_notices": count(Q(clarification_requested_at__lt=end)),
        "unclear_notices_late": count(Q(clarification_requested_at__lt=end, unclear_notice_late=True)),
        "awaiting_clarification": count(open_at(end) & Q(clarification_requested_at__lt=end)
                                        & (Q(clarification_received_at__isnull=True)
                                           | Q(clarification_received_at__gte=end))),
    }
    figures |= {f"form:{value}": count(Q(form=value)) for value in AppealForm.values}
    figures |= {f"channel:{value}": count(Q(channel=value)) for value in Channel.values}
    figures |= {f"kind:{value}": count(Q(kind=value)) for value in AppealKind.values}
    row = appeals.order_by().aggregate(**figures)

    questions = Question.objects.filter(appeal__in=appeals.order_by().values("pk")).order_by()
    results = questions.aggregate(total=Count("id"), **{
        f"result:{value}": Count("id", filter=Q(result=value)) for value in QuestionResult.values})
    sections = dict(questions.annotate(block=Substr("classifier_code", 1, SECTION_LENGTH))
                    .values("block").annotate(n=Count("id")).values_list("block", "n"))
    themes = dict(questions.annotate(block=Substr("classifier_code", 1, THEME_LENGTH))
                  .values("block").annotate(n=Count("id")).values_list("block", "n"))
    entries = dict(ClassifierEntry.objects.filter(Q(level=ClassifierLevel.SECTION) | Q(code__in=[*sections, *themes]))
                   .values_list("code", "title"))
    all_sections = [code for code in entries if len(code) == SECTION_LENGTH]

    return AppealStatistics(
        date_from=date_from, date_to=date_to, timezone=zone, municipality=_municipality_name(),
        appeals=row["appeals"], repeated=row["repeated"], collective=row["collective"],
        under_control=row["under_control"],
        by_form={value: row[f"form:{value}"] for value in AppealForm.values},
        by_channel={value: row[f"channel:{value}"] for value in Channel.values},
        by_kind={kind.value: row[f"kind:{kind.value}"] for kind in REPORT_KINDS},
        information_requests=row[f"kind:{AppealKind.INFORMATION_REQUEST.value}"],
        platform_messages=row[f"kind:{AppealKind.PLATFORM_MESSAGE.value}"],
        questions=results["total"],
        by_result={value: results[f"result:{value}"] for value in QuestionResult.values},
        considered_on_site=row["considered_on_site"], considered_late=row["considered_late"],
        under_consideration=row["under_consideration"],
        personal_receptions=row[f"channel:{Channel.PERSONAL_RECEPTION.value}"],
        unclear_notices=row["unclear_notices"], unclear_notices_late=row["unclear_notices_late"],
        awaiting_clarification=row["awaiting_clarification"],
        by_section=_classifier_rows(sections, entries, all_codes=all_sections),
        by_theme=_classifier_rows(themes, entries),
    )
