"""Query pieces the ORM has no word for."""

from __future__ import annotations

from django.db.models import Lookup


class AnyOf(Lookup):
    """``field = ANY(%s)`` with the values sent as one array: a list of a thousand schema names is one
    parameter (which PostgreSQL matches through a hash), where ``__in`` writes a placeholder per value
    and the driver and the server read each of them. Use as ``queryset.filter(AnyOf(F("field"), values))``."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, [str(value) for value in self.rhs]]
