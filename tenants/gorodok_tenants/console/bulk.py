from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views import View

from gorodok_tenants.console.lifecycle import task_url
from gorodok_tenants.console.permissions import is_regional_admin
from gorodok_tenants.lifecycle.tasks import console_task_start
from gorodok_tenants.models import ConsoleTaskKind
from gorodok_tenants.provisioning.bulk_import import municipalities_import

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class BulkImportForm(forms.Form):
    csv_file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: oktmo, name, name_en, kind, parent_oktmo, slug (optionally admin_email); "
                    "UTF-8, comma or semicolon."),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check every row, create nothing"), required=False, initial=True)

    def clean_csv_file(self):
        upload = self.cleaned_data["csv_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."), code="too_large")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(_("The file is not UTF-8 text."), code="encoding") from error


class BulkImportView(View):
    model_admin = None

    def dispatch(self, request, *args, **kwargs):
        if not is_regional_admin(request):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, report=None, error=None):
        context = {
            **self.model_admin.admin_site.each_context(request),
            "opts": self.model_admin.model._meta,
            "title": _("Import municipalities from CSV"),
            "form": form,
            "report": report,
            "error": error,
        }
        return TemplateResponse(request, "gorodok_tenants/console/municipality_import.html", context)

    def get(self, request):
        return self._render(request, BulkImportForm())

    def post(self, request):
        form = BulkImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        text = form.cleaned_data["csv_file"]
        try:
            report = municipalities_import(text=text, actor=request.user, dry_run=True)
        except ValidationError as error:
            return self._render(request, form, error="; ".join(error.messages))
        if form.cleaned_data["dry_run"] or not report.created:
            # The check is quick and shows every row; creating schemas is long work for a background task.
            return self._render(request, BulkImportForm(initial={"dry_run": False}), report=report)
        task = console_task_start(kind=ConsoleTaskKind.BULK_IMPORT, actor=request.user, params={"text": text})
        return redirect(task_url(self.model_admin.admin_site, task))
