"""Demo reports for the development run (``make run`` seeds every municipality through this).

The region gets the shipped template "Информатизация муниципального образования" and an open
campaign with it for last year, and a monthly appeals campaign whose deadline has passed. Chernogorsk
submits the informatization report with its letter's own figures; other municipalities have a
submission, a draft or nothing, deterministically by their slug; in the monthly campaign everyone has
submitted but one municipality, which is overdue. Idempotent: what exists is left alone.
"""

from __future__ import annotations

import zlib
from datetime import date, timedelta

from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_services.reporting import services
from gorodok_services.reporting.models import Campaign, CampaignStatus, SubmissionStatus
from gorodok_services.reporting.shipped import APPEALS_MONTHLY, INFORMATIZATION, shipped_template
from gorodok_services.reporting.submissions.models import Submission

CHERNOGORSK = "chernogorsk"
# The letter's answers, question by question (thousand roubles).
LETTER_VALUES = {
    "subsidy_share": "over_70",
    "situation": "Бюджет более чем на 70% дотационный; средства направляются на заработную плату, коммунальные "
                 "услуги и публичные обязательства. Новые системы внедряются по инициативе и за счёт Госкомитета "
                 "цифрового развития и связи Республики Хакасия.",
    "systems_in_place": "С января 2021 года — веб-виджет ЭФС ПОС на Едином портале госуслуг; межведомственное "
                        "взаимодействие с налоговой инспекцией, пенсионным фондом, Росреестром.",
    "video_meetings": True,
    "example_municipality": "Таганрог",
    "digital_spent_last": "16",
    "ict_spent_last": "671.047",
    "digital_planned": "0",
    "ict_planned": "802",
    "year_task": "Сохранение и поддержание работоспособности существующей информационно-коммуникационной структуры.",
    "proposals": "Централизация финансирования, приобретения и внедрения новых информационных систем.",
    "conference_useful": False,
    "webinars_useful": True,
    "priority_topics": ["housing", "citizen_engagement"],
}


def _campaign(code: str, title: str, period: tuple[date, date], deadline: date) -> Campaign:
    with schema_context(get_public_schema_name()):
        version = shipped_template(code)
        campaign = Campaign.objects.filter(version=version, title=title).first()
        if campaign is None:
            campaign = services.campaign_create(version=version, title=title, period_start=period[0],
                                                period_end=period[1], deadline=deadline)
        if campaign.status == CampaignStatus.DRAFT:
            campaign = services.campaign_open(campaign=campaign)
        return campaign


def demo_campaigns(today: date | None = None) -> tuple[Campaign, Campaign]:
    today = today or timezone.localdate()
    last_year = today.year - 1
    informatization = _campaign(
        INFORMATIZATION, f"Информатизация муниципального образования: {last_year} год и планы на {today.year} год",
        (date(last_year, 1, 1), date(last_year, 12, 31)), today + timedelta(days=21))
    month_end = today.replace(day=1) - timedelta(days=1)
    monthly = _campaign(APPEALS_MONTHLY, f"Обращения граждан за {month_end:%m.%Y}",
                        (month_end.replace(day=1), month_end), today - timedelta(days=2))
    return informatization, monthly


def _values_for(slug: str) -> dict:
    seed = zlib.crc32(slug.encode())
    return {**LETTER_VALUES, "subsidy_share": ["30_50", "50_70", "over_70"][seed % 3],
            "digital_spent_last": str(seed % 900 + 10), "ict_spent_last": f"{seed % 1500 + 200}.{seed % 1000:03d}",
            "digital_planned": str(seed % 300), "ict_planned": str(seed % 1600 + 250), "example_municipality": "",
            "priority_topics": ["housing", "appeals"] if seed % 2 else ["citizen_engagement", "property"]}


def _overdue_slug() -> str:
    from gorodok_tenants.models import Municipality, MunicipalityStatus

    with schema_context(get_public_schema_name()):
        slugs = list(Municipality.objects.filter(status=MunicipalityStatus.ACTIVE).exclude(slug=CHERNOGORSK)
                     .order_by("name").values_list("slug", flat=True))
    return slugs[-1] if slugs else ""


def seed_demo_reporting() -> int:
    from gorodok_services.reporting.selectors import current_municipality

    tenant = current_municipality()
    informatization, monthly = demo_campaigns()
    made = 0
    slug = tenant.slug
    if not Submission.objects.filter(campaign_id=informatization.pk).exists():
        submission = services.submission_start(campaign_id=informatization.pk)
        made += 1
        plan = "submit" if slug == CHERNOGORSK else ["submit", "draft", "none"][zlib.crc32(slug.encode()) % 3]
        if plan != "none":
            values = LETTER_VALUES if slug == CHERNOGORSK else _values_for(slug)
            if plan == "draft":
                values = {k: v for k, v in values.items() if k in ("subsidy_share", "digital_spent_last")}
            services.submission_save(submission=submission, values=values)
            if plan == "submit":
                services.submission_submit(submission=submission)
    if slug != _overdue_slug() and not Submission.objects.filter(campaign_id=monthly.pk).exists():
        submission = services.submission_start(campaign_id=monthly.pk)
        if submission.status == SubmissionStatus.DRAFT:
            missing = {f.code: 0 for f in monthly.version.parsed.fields
                       if f.required and submission.values.get(f.code) is None}
            services.submission_save(submission=submission, values=missing)
            services.submission_submit(submission=submission)
        made += 1
    return made
