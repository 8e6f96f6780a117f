"""Per-request loaders for what a list of objects does not prefetch: their history and status changes."""

from collections import defaultdict

from gorodok_graphql.core.dataloaders import get_loader
from gorodok_services.assets.models import AssetChange, AssetTransition


def _load_history(asset_ids: list[int]) -> list[list[AssetChange]]:
    grouped = defaultdict(list)
    for item in AssetChange.objects.filter(asset_id__in=asset_ids).order_by("at", "pk"):
        grouped[item.asset_id].append(item)
    return [grouped.get(pk, []) for pk in asset_ids]


def history_loader(context):
    return get_loader(context, "asset_history", _load_history)


def _load_transitions(asset_ids: list[int]) -> list[list[AssetTransition]]:
    grouped = defaultdict(list)
    for item in AssetTransition.objects.filter(asset_id__in=asset_ids).order_by("on", "pk"):
        grouped[item.asset_id].append(item)
    return [grouped.get(pk, []) for pk in asset_ids]


def transitions_loader(context):
    return get_loader(context, "asset_transitions", _load_transitions)
