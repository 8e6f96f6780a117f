from django.utils.translation import gettext as _

from gorodok_graphql.core.ids import object_from_global_id
from gorodok_tenants.models import Municipality


def municipality_from_global_id(global_id: str, field: str = "id") -> Municipality:
    return object_from_global_id(global_id, "RegionMunicipality", Municipality, field=field,
                                 message=_("No such municipality."))
