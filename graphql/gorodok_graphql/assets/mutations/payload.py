from gorodok_services.assets.models import Asset
from gorodok_services.assets.selectors import asset_list


def reloaded(asset: Asset) -> Asset:
    """The changed object read back with its relations as they are now, its dates from the database."""
    return asset_list().get(pk=asset.pk)
