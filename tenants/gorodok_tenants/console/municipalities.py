from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gorodok_tenants.models import Municipality


class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "oktmo", "kind", "status")
    list_filter = ("status", "kind")
    search_fields = ("name", "name_en", "oktmo", "slug")
    ordering = ("name",)

    @admin.display(description=_("hosts"))
    def hosts(self, obj: Municipality) -> str:
        return ", ".join(d.domain for d in obj.domains.all())
