"""Per-request loaders for what an appeal's list does not prefetch: its history and attachments."""

from collections import defaultdict

from gorodok_graphql.core.dataloaders import get_loader
from gorodok_services.appeals.models import AppealEvent, Attachment


def _by_appeal(queryset, appeal_ids: list[int]) -> list[list]:
    grouped = defaultdict(list)
    for item in queryset.filter(appeal_id__in=appeal_ids):
        grouped[item.appeal_id].append(item)
    return [grouped.get(pk, []) for pk in appeal_ids]


def _load_history(appeal_ids: list[int]) -> list[list[AppealEvent]]:
    return _by_appeal(AppealEvent.objects.order_by("at", "id"), appeal_ids)


def _load_attachments(appeal_ids: list[int]) -> list[list[Attachment]]:
    return _by_appeal(Attachment.objects.order_by("uploaded_at", "id"), appeal_ids)


def history_loader(context):
    return get_loader(context, "appeal_history", _load_history)


def attachments_loader(context):
    return get_loader(context, "appeal_attachments", _load_attachments)
