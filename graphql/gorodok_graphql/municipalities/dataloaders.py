from collections import defaultdict

from gorodok_graphql.core.dataloaders import get_loader
from gorodok_tenants.models import MunicipalityCounter


def _load_counters(municipality_ids: list[int]) -> list[list[MunicipalityCounter]]:
    by_municipality = defaultdict(list)
    for counter in MunicipalityCounter.objects.filter(municipality_id__in=municipality_ids).order_by("key"):
        by_municipality[counter.municipality_id].append(counter)
    return [by_municipality.get(pk, []) for pk in municipality_ids]


def counters_loader(context):
    return get_loader(context, "municipality_counters", _load_counters)
