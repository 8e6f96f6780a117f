"""The net book value of the objects of a list for a month: one bulk query per month asked, however
many objects the page has."""

from __future__ import annotations

from collections import defaultdict

from gorodok_graphql.core.dataloaders import get_loader
from gorodok_services.assets.depreciation.selectors import MonthFigure, net_book_values


def _load(keys: list[tuple[int, object]]) -> list[MonthFigure | None]:
    by_month: dict[object, list[int]] = defaultdict(list)
    for asset_id, month in keys:
        by_month[month].append(asset_id)
    found: dict[tuple[int, object], MonthFigure] = {}
    for month, ids in by_month.items():
        for figure in net_book_values(month, asset_ids=ids):
            found[(figure.asset_id, month)] = figure
    return [found.get(key) for key in keys]


def net_book_value_loader(context):
    """Keys are (object id, first day of the month)."""
    return get_loader(context, "asset_net_book_value", _load)
