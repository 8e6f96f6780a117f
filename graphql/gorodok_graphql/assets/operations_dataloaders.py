"""Per-request loaders of the ICT fleet and maintenance for lists of register objects."""

from gorodok_graphql.core.dataloaders import get_loader
from gorodok_services.assets.fleet.models import IctProfile


def _load_profiles(asset_ids: list[int]) -> list[IctProfile | None]:
    found = {p.asset_id: p for p in IctProfile.objects.filter(asset_id__in=asset_ids).select_related("building")}
    return [found.get(pk) for pk in asset_ids]


def ict_profile_loader(context):
    return get_loader(context, "asset_ict_profile", _load_profiles)
