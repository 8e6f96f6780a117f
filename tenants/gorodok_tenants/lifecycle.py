"""Changes of a municipality's status. Each is atomic and refreshes the routing cache (signals)."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from gorodok_tenants.models import Municipality, MunicipalityStatus

logger = logging.getLogger("gorodok.tenants")


@transaction.atomic
def municipality_suspend(*, municipality: Municipality, actor_email: str = "") -> Municipality:
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    if municipality.status == MunicipalityStatus.SUSPENDED:
        raise ValidationError(_("The municipality is already suspended."), code="already_suspended")
    if municipality.status == MunicipalityStatus.ARCHIVED:
        raise ValidationError(_("An archived municipality cannot be suspended."), code="archived")
    municipality.status = MunicipalityStatus.SUSPENDED
    municipality.save(update_fields=["status", "updated_at"])
    logger.info("municipality suspended", extra={"municipality": municipality.slug, "by": actor_email})
    return municipality


@transaction.atomic
def municipality_resume(*, municipality: Municipality, actor_email: str = "") -> Municipality:
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    if municipality.status != MunicipalityStatus.SUSPENDED:
        raise ValidationError(_("Only a suspended municipality can be resumed."), code="not_suspended")
    municipality.status = MunicipalityStatus.ACTIVE
    municipality.save(update_fields=["status", "updated_at"])
    logger.info("municipality resumed", extra={"municipality": municipality.slug, "by": actor_email})
    return municipality
