from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from graphql_relay import from_global_id

from gorodok_tenants.models import Municipality


def municipality_from_global_id(global_id: str, field: str = "id") -> Municipality:
    try:
        type_name, pk = from_global_id(global_id)
    except Exception:
        type_name, pk = "", ""
    if type_name != "RegionMunicipality" or not pk.isdigit():
        raise ValidationError({field: ValidationError(_("Not a municipality ID."), code="invalid")})
    municipality = Municipality.objects.filter(pk=int(pk)).first()
    if municipality is None:
        raise ValidationError({field: ValidationError(_("No such municipality."), code="not_found")})
    return municipality
