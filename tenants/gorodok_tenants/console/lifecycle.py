"""Console pages for the destructive lifecycle steps: each shows its dry run first and asks the
administrator to type the municipality's slug before anything is dropped or replaced."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gorodok_tenants.console.permissions import is_regional_admin
from gorodok_tenants.lifecycle.archives import municipality_archive, municipality_restore
from gorodok_tenants.lifecycle.tasks import console_task_start
from gorodok_tenants.models import ConsoleTask, ConsoleTaskKind, Municipality, MunicipalityArchive


class ConfirmForm(forms.Form):
    confirmation = forms.CharField(label=_("Type the municipality's slug to confirm"), max_length=50)

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirmation(self):
        value = self.cleaned_data["confirmation"].strip()
        if value != self.expected:
            raise ValidationError(_("That is not the slug %(slug)s."), code="mismatch", params={"slug": self.expected})
        return value


def _render(request, site, title, plan, form, extra=None):
    context = {**site.each_context(request), "title": title, "plan": plan, "form": form, **(extra or {})}
    return TemplateResponse(request, "gorodok_tenants/console/confirm.html", context)


def task_url(site, task: ConsoleTask) -> str:
    return reverse(f"{site.name}:gorodok_tenants_consoletask_change", args=[task.pk])


def _require_admin(request) -> None:
    if not is_regional_admin(request):
        raise PermissionDenied


def archive_view(request, site, municipality_id: int):
    _require_admin(request)
    municipality = get_object_or_404(Municipality, pk=municipality_id)
    change_url = reverse(f"{site.name}:gorodok_tenants_municipality_change", args=[municipality.pk])
    try:
        plan = municipality_archive(municipality=municipality, actor=request.user, confirm=False, dry_run=True)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect(change_url)
    form = ConfirmForm(request.POST or None, expected=municipality.slug)
    if request.method == "POST" and form.is_valid():
        task = console_task_start(kind=ConsoleTaskKind.ARCHIVE, actor=request.user, municipality=municipality)
        messages.info(request, _("Archiving %(name)s has started; this page shows its progress.")
                      % {"name": municipality.name})
        return redirect(task_url(site, task))
    rows = [(_("schema"), plan.schema_name), (_("archive file"), plan.path.name),
            (_("rows"), sum(plan.row_counts.values()))]
    rows += [(table, count) for table, count in sorted(plan.row_counts.items()) if count]
    return _render(request, site, _("Archive %(name)s") % {"name": municipality.name}, rows, form, {
        "warning": _("The municipality's schema will be exported, then dropped. Its record, hosts and archive "
                     "stay; it can be restored later. Its users and integrators will get 410 until then."),
    })


def restore_view(request, site, archive_id: int):
    _require_admin(request)
    archive = get_object_or_404(MunicipalityArchive, pk=archive_id)
    municipality = archive.municipality
    if municipality is None:
        raise Http404
    list_url = reverse(f"{site.name}:gorodok_tenants_municipalityarchive_changelist")
    try:
        plan = municipality_restore(archive=archive, into=municipality, actor=request.user, confirm=True,
                                    dry_run=True)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect(list_url)
    form = ConfirmForm(request.POST or None, expected=municipality.slug)
    if request.method == "POST" and form.is_valid():
        task = console_task_start(kind=ConsoleTaskKind.RESTORE, actor=request.user, municipality=municipality,
                                  archive=archive)
        messages.info(request, _("Restoring %(name)s from the archive of %(date)s has started; this page shows "
                                 "its progress.") % {"name": municipality.name,
                                                     "date": archive.created_at.strftime("%Y-%m-%d %H:%M")})
        return redirect(task_url(site, task))
    rows = [(_("into"), f"{plan.name} ({plan.slug}, {plan.schema_name})"),
            (_("replaces the current schema"), _("yes") if plan.replaces_schema else _("no")),
            (_("migrated after loading"), _("yes") if plan.migrates else _("no")),
            (_("rows"), sum(plan.row_counts.values()))]
    return _render(request, site, _("Restore %(name)s") % {"name": municipality.name}, rows, form, {
        "warning": _("The archive's data will replace whatever the municipality's schema holds now."),
    })


def download_view(request, site, archive_id: int):
    _require_admin(request)
    archive = get_object_or_404(MunicipalityArchive, pk=archive_id)
    root = Path(settings.ARCHIVE_ROOT).resolve()
    path = Path(archive.path).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404
    from gorodok_platform.audit.services import audit_record

    audit_record(action="municipality.archive_download", actor=request.user, tenant_schema=archive.schema_name,
                 target=archive, request=request)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type="application/gzip")
