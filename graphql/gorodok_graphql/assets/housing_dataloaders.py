"""Per-request loaders of the objects' housing and utility profiles, and of the buildings premises are in:
one query per list page for each, whatever its size."""

from __future__ import annotations

from gorodok_graphql.core.dataloaders import get_loader
from gorodok_services.assets.housing.selectors import housing_profiles_of, utility_profiles_of
from gorodok_services.assets.selectors import asset_list


def _load_housing(asset_ids: list[int]) -> list:
    found = housing_profiles_of(asset_ids)
    return [found.get(pk) for pk in asset_ids]


def _load_utility(asset_ids: list[int]) -> list:
    found = utility_profiles_of(asset_ids)
    return [found.get(pk) for pk in asset_ids]


def _load_assets(asset_ids: list[int]) -> list:
    found = {asset.pk: asset for asset in asset_list().filter(pk__in=asset_ids)}
    return [found.get(pk) for pk in asset_ids]


def housing_loader(context):
    return get_loader(context, "asset_housing", _load_housing)


def utility_loader(context):
    return get_loader(context, "asset_utility", _load_utility)


def asset_loader(context):
    return get_loader(context, "asset_by_id", _load_assets)
