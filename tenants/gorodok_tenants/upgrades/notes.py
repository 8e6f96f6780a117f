"""Release notes: once a municipality's schema is upgraded to a release, each of its administrators
sees that release's notes once, on the back office's first page."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.utils.html import format_html

from gorodok_platform.accounts.roles import Role
from gorodok_tenants.models import ReleaseNote, ReleaseNoteReceipt, UpgradeTenantState, UpgradeTenantStatus


def unseen_notes(*, municipality, user) -> list[ReleaseNote]:
    """Notes of the releases this municipality was upgraded to that this user has not seen yet."""
    upgraded_to = UpgradeTenantState.objects.filter(
        municipality_id=municipality.pk, status=UpgradeTenantStatus.DONE).values("run__release")
    return list(
        ReleaseNote.objects.filter(release__in=upgraded_to)
        .exclude(receipts__municipality_id=municipality.pk, receipts__user_id=user.pk)
        .order_by("created_at")
    )


def show_release_notes(request) -> None:
    """Add the unseen notes to the page's messages and record them as seen (municipal administrators)."""
    tenant, user = getattr(request, "tenant", None), request.user
    if tenant is None or not tenant.pk or not user.is_authenticated or not user.has_role(Role.MUNICIPAL_ADMIN):
        return
    for note in unseen_notes(municipality=tenant, user=user):
        try:
            with transaction.atomic():
                ReleaseNoteReceipt.objects.create(note=note, municipality_id=tenant.pk, user_id=user.pk)
        except IntegrityError:
            continue  # shown in a concurrent request
        messages.info(request, format_html("<strong>{}</strong><br>{}", note.title, note.body))
