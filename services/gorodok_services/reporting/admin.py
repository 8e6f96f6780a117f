"""Reporting in the regional console (templates, campaigns with progress, the comparison table, the
aggregates and the exports) and in the municipality's back office (its reports: fill, save a draft,
submit, see what the committee returned). Access follows the module's rule table; every change goes
through the services, and a rule they enforce comes back as a form error, never a server error."""

from __future__ import annotations

import html

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from gorodok_services.reporting import definition as d
from gorodok_services.reporting import exports, services
from gorodok_services.reporting.figures import campaign_progress_and_aggregates, comparison_texts
from gorodok_services.reporting.models import (
    AppealsSummary,
    Audience,
    Campaign,
    CampaignStatus,
    Indicator,
    ReportTemplate,
    SubmissionStatus,
    SummaryStatus,
    TemplateVersion,
)
from gorodok_services.reporting.module import CODE
from gorodok_services.reporting.permissions import FILL, REGION_MANAGE, REGION_READ, VIEW, reporting_permit
from gorodok_services.reporting.selectors import (
    campaign_progress,
    campaign_with_version,
    copies_visible_to,
    municipality_campaigns,
)
from gorodok_services.reporting.submissions.models import Submission
from gorodok_tenants.console.mixins import AuditedAdminMixin, ModuleAdminMixin
from gorodok_tenants.console.sites import back_office, region_console


def kind_labels() -> dict[str, str]:
    """The kinds of municipality by code, as a person reads them in the active language."""
    from gorodok_tenants.models import MunicipalityKind

    return {kind: str(label) for kind, label in MunicipalityKind.choices}


def may(request, action: str) -> bool:
    return reporting_permit(request.user, action)


class RegionRolesMixin:
    def has_module_permission(self, request):
        return may(request, REGION_READ)

    def has_view_permission(self, request, obj=None):
        return may(request, REGION_READ)

    def has_add_permission(self, request, *args):
        return may(request, REGION_MANAGE)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- the regional console ----------------------------------------------------------------------------------

class VersionInline(admin.TabularInline):
    model = TemplateVersion
    fields = ("number", "published_at", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportTemplate, site=region_console)
class ReportTemplateAdmin(RegionRolesMixin, admin.ModelAdmin):
    list_display = ("title", "code", "created_at")
    search_fields = ("title", "code")
    readonly_fields = ("title", "code", "created_at")
    inlines = (VersionInline,)

    def has_add_permission(self, request, *args):
        return False  # templates are created by the API or shipped; a version is a copy


@admin.register(TemplateVersion, site=region_console)
class TemplateVersionAdmin(RegionRolesMixin, admin.ModelAdmin):
    list_display = ("__str__", "number", "published_at")
    readonly_fields = ("template", "number", "published_at", "created_at", "fields_overview")
    fields = readonly_fields

    def has_add_permission(self, request, *args):
        return False

    @admin.display(description=_("fields"))
    def fields_overview(self, obj):
        rows = []
        for section in obj.parsed.sections:
            rows.append((section.title, "", "", ""))
            for f in section.fields:
                rows.append(("", f.label, f.type, f.source))
        return format_html("<table>{}</table>", format_html_join(
            "", "<tr><th>{}</th><td>{}</td><td>{}</td><td>{}</td></tr>", rows))


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ("version", "title", "period_start", "period_end", "deadline", "audience", "audience_kind",
                  "municipalities")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "version" in self.fields:
            self.fields["version"].queryset = TemplateVersion.objects.filter(published_at__isnull=False)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.campaign_check(
                version=cleaned["version"], period_start=cleaned["period_start"], period_end=cleaned["period_end"],
                deadline=cleaned["deadline"], audience=cleaned["audience"],
                audience_kind=cleaned.get("audience_kind", ""), municipalities=cleaned.get("municipalities") or [])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return cleaned


class ExtendForm(forms.Form):
    deadline = forms.DateField(label=_("new deadline"), widget=forms.DateInput(attrs={"type": "date"}))


_CELL, _ROW = "\x1f", "\x1e"  # separators html.escape leaves alone


def _comparison_rows(rows, statuses: dict) -> str:
    """The comparison table's body from ``comparison_texts``' rows: a row per municipality (name, status,
    one cell per column), every text escaped. Thousands of cells: their texts are joined with separators
    and escaped in one call (the standard library's escape, the same characters as Django's), then the
    separators become the cells' markup; should any text itself hold a separator, each cell is escaped
    on its own instead."""
    statuses = {status: str(label) for status, label in statuses.items()}
    texts = [_CELL.join([name, statuses.get(status, status), *answers]) for name, status, answers in rows]
    joined = _ROW.join(texts)
    cells = sum(len(answers) + 1 for _name, _status, answers in rows)
    if joined.count(_CELL) != cells or joined.count(_ROW) != max(len(rows) - 1, 0):
        return "".join(
            f"<tr><th>{html.escape(name)}</th><td>{html.escape(statuses.get(status, status))}</td>"
            + "".join([f"<td>{html.escape(answer)}</td>" for answer in answers]) + "</tr>"
            for name, status, answers in rows)
    body = []
    for row in html.escape(joined).split(_ROW) if rows else []:
        name, rest = row.split(_CELL, 1)
        body.append(f"<tr><th>{name}</th><td>{rest.replace(_CELL, '</td><td>')}</td></tr>")
    return "".join(body)


@admin.register(Campaign, site=region_console)
class CampaignAdmin(RegionRolesMixin, AuditedAdminMixin, admin.ModelAdmin):
    form = CampaignForm
    list_display = ("title", "deadline", "status", "progress", "figures_link", "extend_link")
    list_filter = ("status",)
    search_fields = ("title",)
    actions = ("open_campaigns", "close_campaigns")
    filter_horizontal = ("municipalities",)
    comparison_page_size = 100  # municipalities per page of the comparison table

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("version__template")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Campaign._meta.fields if f.name != "id"] + ["municipalities"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.campaign_create(
            version=obj.version, title=obj.title, period_start=obj.period_start, period_end=obj.period_end,
            deadline=obj.deadline, audience=obj.audience, audience_kind=obj.audience_kind,
            municipalities=form.cleaned_data.get("municipalities") or [])
        obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        pass  # the service has set the municipalities

    @admin.display(description=_("progress"))
    def progress(self, obj):
        counts = campaign_progress(obj, copies_visible_to(self._actor, obj))
        delivered = counts["submitted"] + counts["accepted"]
        return format_html("{} / {} · {} {}", delivered, counts["total"], _("overdue:"), counts["overdue"])

    @admin.display(description=_("figures"))
    def figures_link(self, obj):
        url = reverse("console:reporting_campaign_figures", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("answers and aggregates"))

    @admin.display(description=_("extend"))
    def extend_link(self, obj):
        if obj.status != CampaignStatus.OPEN or not reporting_permit(self._actor, REGION_MANAGE):
            return ""
        url = reverse("console:reporting_campaign_extend", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("extend"))

    def changelist_view(self, request, extra_context=None):
        self._actor = request.user
        return super().changelist_view(request, extra_context)

    def extend_view(self, request, pk):
        """A later deadline for an open campaign (the service checks it; its refusal is a form error)."""
        if not may(request, REGION_MANAGE):
            raise PermissionDenied
        campaign = self._campaign(request, pk)
        form = ExtendForm(request.POST or None, initial={"deadline": campaign.deadline})
        if request.method == "POST" and form.is_valid():
            try:
                services.campaign_extend(campaign=campaign, deadline=form.cleaned_data["deadline"], actor=request.user)
            except ValidationError as exc:
                form.add_error("deadline" if "deadline" in getattr(exc, "error_dict", {}) else None, exc.messages)
            else:
                self.message_user(request, _("The deadline of %(title)s is now %(date)s.") % {
                    "title": campaign.title, "date": form.cleaned_data["deadline"].strftime("%d.%m.%Y")},
                    messages.SUCCESS)
                return redirect("console:reporting_campaign_changelist")
        context = {**self.admin_site.each_context(request), "opts": self.opts, "campaign": campaign, "form": form,
                   "title": _("Extend the campaign: %(title)s") % {"title": campaign.title}}
        return TemplateResponse(request, "reporting/campaign_extend.html", context)

    def get_actions(self, request):
        return super().get_actions(request) if may(request, REGION_MANAGE) else {}

    @admin.action(description=_("Open the selected campaigns"))
    def open_campaigns(self, request, queryset):
        self._each(request, queryset, services.campaign_open, _("Opened: %(title)s."))

    @admin.action(description=_("Close the selected campaigns"))
    def close_campaigns(self, request, queryset):
        self._each(request, queryset, services.campaign_close, _("Closed: %(title)s."))

    def _each(self, request, queryset, service, done):
        if not may(request, REGION_MANAGE):
            raise PermissionDenied
        for campaign in queryset:
            try:
                service(campaign=campaign, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{campaign.title}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, done % {"title": campaign.title}, messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/figures/", view(self.figures_view), name="reporting_campaign_figures"),
            path("<int:pk>/extend/", view(self.extend_view), name="reporting_campaign_extend"),
            path("<int:pk>/export.xlsx", view(self.export_xlsx), name="reporting_campaign_xlsx"),
            path("<int:pk>/export.csv", view(self.export_csv), name="reporting_campaign_csv"),
            *super().get_urls(),
        ]

    def _campaign(self, request, pk) -> Campaign:
        if not may(request, REGION_READ):
            raise PermissionDenied
        campaign = campaign_with_version(pk)
        if campaign is None:
            raise Http404
        return campaign

    def figures_view(self, request, pk):
        campaign = self._campaign(request, pk)
        copies = copies_visible_to(request.user, campaign)
        progress, figures = campaign_progress_and_aggregates(campaign, copies)
        pages = max(1, -(-progress["total"] // self.comparison_page_size))
        page = request.GET.get("page", "1")
        page = min(int(page), pages) if page.isdigit() and int(page) >= 1 else 1
        columns, rows = comparison_texts(campaign, copies, offset=(page - 1) * self.comparison_page_size,
                                         limit=self.comparison_page_size)
        head = "".join(f"<th>{escape(f.label)}</th>" for f in columns)
        body = _comparison_rows(rows, dict(SubmissionStatus.choices))
        markup = (f"<thead><tr><th>{escape(_('Municipality'))}</th><th>{escape(_('Status'))}</th>{head}</tr></thead>"
                  f"<tbody>{body}</tbody>")
        comparison = mark_safe(markup)  # noqa: S308  (every piece is escaped; reviewed in the markup audit)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": campaign.title,
                   "campaign": campaign, "progress": progress, "comparison": comparison,
                   "aggregates": self._aggregates_html(figures), "page": page,
                   "pages": pages, "previous_page": page - 1 if page > 1 else None,
                   "next_page": page + 1 if page < pages else None}
        return TemplateResponse(request, "reporting/campaign_figures.html", context)

    @staticmethod
    def _aggregates_html(figures):
        """One row per number field (and per kind of municipality under it), one per choice or yes/no
        field; every piece escaped."""
        def cell(value):
            return "<td></td>" if value is None else f"<td>{html.escape(str(value))}</td>"

        yes_no = {"true": _("yes"), "false": _("no")}
        kinds = kind_labels()
        rows = []
        for item in figures:
            if item.choices:
                answers = "; ".join(f"{yes_no[v] if item.field.type == d.YESNO else item.field.choice_label(v)}: {n}"
                                    for v, n in item.choices.items())
                rows.append(f"<tr><th>{html.escape(str(item.field.label))}</th><td>{item.overall.count}</td>"
                            f'<td colspan="5">{html.escape(answers)}</td></tr>')
                continue
            for label, value in ((item.field.label, item.overall),
                                 *((f"— {kinds.get(kind, kind)}", value) for kind, value in item.by_kind.items())):
                rows.append(f"<tr><th>{html.escape(str(label))}</th><td>{value.count}</td>"
                            + "".join(cell(v) for v in (value.sum, value.mean, value.median, value.min, value.max))
                            + "</tr>")
        markup = "".join(rows)
        return mark_safe(markup)  # noqa: S308  (every piece is escaped; reviewed in the markup audit)

    def export_xlsx(self, request, pk):
        campaign = self._campaign(request, pk)
        handle = exports.campaign_xlsx(campaign, copies_visible_to(request.user, campaign))
        return FileResponse(handle, as_attachment=True, filename=f"campaign-{campaign.pk}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    def export_csv(self, request, pk):
        campaign = self._campaign(request, pk)
        response = StreamingHttpResponse(exports.campaign_csv(campaign, copies_visible_to(request.user, campaign)),
                                         content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
        return response


@admin.register(Indicator, site=region_console)
class IndicatorAdmin(RegionRolesMixin, admin.ModelAdmin):
    """The standing region-wide indicators: each module's report sources per municipality and period,
    with the time of the last refresh (a job refreshes them every few hours)."""

    list_display = ("municipality", "key", "period_start", "period_end", "value", "refreshed_at")
    list_filter = ("key", "period_start")
    search_fields = ("municipality__name",)
    list_select_related = ("municipality",)
    readonly_fields = list_display

    def has_add_permission(self, request, *args):
        return False


class AppealsSummaryForm(forms.ModelForm):
    class Meta:
        model = AppealsSummary
        fields = ("period_start", "period_end")
        widgets = {"period_start": forms.DateInput(attrs={"type": "date"}),
                   "period_end": forms.DateInput(attrs={"type": "date"})}

    def clean(self):
        from gorodok_services.reporting.summaries import summary_check

        cleaned = super().clean()
        if not self.errors:
            try:
                summary_check(date_from=cleaned["period_start"], date_to=cleaned["period_end"])
            except ValidationError as exc:
                raise ValidationError(exc.messages) from None
        return cleaned


@admin.register(AppealsSummary, site=region_console)
class AppealsSummaryAdmin(RegionRolesMixin, admin.ModelAdmin):
    """The region-wide appeals summary for a period, in the municipality's layout: asked for here, made at
    once for a small region or by a job with a progress bar, then read on its page or downloaded."""

    form = AppealsSummaryForm
    list_display = ("__str__", "status", "progress", "created_at", "requested_by", "downloads")
    list_filter = ("status",)

    def has_add_permission(self, request, *args):
        return may(request, REGION_READ)  # a summary reads the region's figures; analysts make them too

    def save_model(self, request, obj, form, change):
        from gorodok_services.reporting.summaries import appeals_summary_request

        if change:
            return
        created = appeals_summary_request(date_from=obj.period_start, date_to=obj.period_end, actor=request.user)
        obj.pk = created.pk

    def response_add(self, request, obj, post_url_continue=None):
        return redirect("console:reporting_appealssummary_change", obj.pk)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return format_html('<progress value="{}" max="100"></progress> {} / {}', obj.percent, obj.done, obj.total)

    @admin.display(description=_("files"))
    def downloads(self, obj):
        if obj.status != SummaryStatus.DONE:
            return ""
        return format_html('<a href="{}">XLSX</a> · <a href="{}">CSV</a>',
                           reverse("console:reporting_appeals_summary_file", args=[obj.pk, "xlsx"]),
                           reverse("console:reporting_appeals_summary_file", args=[obj.pk, "csv"]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/file.<str:kind>", view(self.file_view), name="reporting_appeals_summary_file"),
                *super().get_urls()]

    def _summary(self, request, pk) -> AppealsSummary:
        if not may(request, REGION_READ):
            raise PermissionDenied
        summary = AppealsSummary.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if summary is None:
            raise Http404
        return summary

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from gorodok_services.reporting.summaries import summary_table

        summary = self._summary(request, object_id)
        table = list(summary_table(summary)) if summary.status == SummaryStatus.DONE else []
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": str(summary),
                   "summary": summary, "header": table[:1], "rows": table[1:-1], "total": table[-1:],
                   "running": summary.status in (SummaryStatus.PENDING, SummaryStatus.RUNNING),
                   "downloads": self.downloads(summary)}
        return TemplateResponse(request, "reporting/appeals_summary.html", context)

    def file_view(self, request, pk, kind):
        summary = self._summary(request, pk)
        stored = {"xlsx": summary.xlsx, "csv": summary.csv}.get(kind)
        if stored is None or summary.status != SummaryStatus.DONE or not stored:
            raise Http404
        content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if kind == "xlsx"
                        else "text/csv; charset=utf-8")
        return FileResponse(stored.open("rb"), as_attachment=True, content_type=content_type,
                            filename=f"appeals-summary-{summary.period_start:%Y%m%d}-{summary.period_end:%Y%m%d}.{kind}")


# --- the municipality's back office ------------------------------------------------------------------------

def _form_field(f: d.Field, prefilled: bool):
    # Django renders a form field's help text as markup: the template's text is escaped here.
    help_text = escape(f.help + (" " + str(_("Pre-filled from the modules; say why if you change it."))
                                 if prefilled else ""))
    common = {"label": f.label, "required": False, "help_text": help_text}
    if f.type == d.CHOICE:
        choices = list(f.choices)
        if f.multiple:
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if f.type == d.YESNO:
        return forms.NullBooleanField(widget=forms.NullBooleanSelect, **common)
    if f.type == d.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if f.type == d.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=d.MAX_TEXT, **common)
    if f.type == d.TABLE:
        columns = "; ".join(column.label for column in f.columns)
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **{
            **common, "help_text": escape(f"{f.help} " + str(_("One row per line, columns separated by ';': "
                                                                 "%(columns)s") % {"columns": columns}))})
    return forms.CharField(max_length=40, **common)


def _table_text(f: d.Field, rows) -> str:
    return "\n".join("; ".join(str(row.get(column.code) or "") for column in f.columns) for row in rows or [])


def _table_rows(f: d.Field, text: str) -> list[dict]:
    rows = []
    for line in (text or "").splitlines():
        if line.strip():
            cells = [cell.strip() for cell in line.split(";")]
            rows.append({column.code: (cells[i] if i < len(cells) else "") or None
                         for i, column in enumerate(f.columns)})
    return rows


class ReportForm(forms.Form):
    def __init__(self, *args, definition: d.Definition, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition
        for f in definition.fields:
            prefilled = f.code in submission.prefilled
            self.fields[f.code] = _form_field(f, prefilled)
            value = submission.values.get(f.code)
            self.initial[f.code] = _table_text(f, value) if f.type == d.TABLE else value
            if prefilled:
                self.fields[f"reason__{f.code}"] = forms.CharField(
                    label=_("Why the pre-filled value was changed"), required=False, max_length=1000)
                self.initial[f"reason__{f.code}"] = submission.reasons.get(f.code, "")

    def values(self) -> tuple[dict, dict]:
        values, reasons = {}, {}
        for f in self.definition.fields:
            if f.code not in self.data and not f.multiple:
                continue  # not on the page sent: left as it is
            raw = self.cleaned_data.get(f.code)
            if f.type == d.TABLE:
                raw = _table_rows(f, raw)
            values[f.code] = raw
            if self.cleaned_data.get(f"reason__{f.code}"):
                reasons[f.code] = self.cleaned_data[f"reason__{f.code}"]
        return values, reasons


@admin.register(Submission, site=back_office)
class SubmissionAdmin(ModuleAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """The municipality's reports: the list of its campaigns with deadlines, and a page to fill each."""

    gorodok_module = CODE

    def has_module_permission(self, request):
        return self._module_on(request) and may(request, VIEW)

    def has_view_permission(self, request, obj=None):
        return self._module_on(request) and may(request, VIEW)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("fill/<int:campaign_id>/", view(self.fill_view), name="reporting_submission_fill"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.GET:
            return HttpResponseBadRequest(_("This list takes no filters."))
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": _("Reports"),
                   "rows": municipality_campaigns(request.user), "may_fill": may(request, FILL)}
        return TemplateResponse(request, "reporting/my_reports.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = Submission.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if submission is None or not self.has_view_permission(request):
            raise Http404
        return redirect("admin:reporting_submission_fill", submission.campaign_id)

    def fill_view(self, request, campaign_id):
        if not self.has_view_permission(request):
            raise PermissionDenied
        row = next((r for r in municipality_campaigns(request.user) if r["campaign"].pk == campaign_id), None)
        if row is None:
            raise Http404
        campaign, submission = row["campaign"], row["submission"]
        can_fill = may(request, FILL) and campaign.status == CampaignStatus.OPEN and (
            submission is None or submission.status in ("draft", "returned"))
        if submission is None and request.method == "POST" and can_fill:
            try:
                submission = services.submission_start(campaign_id=campaign.pk, actor=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("admin:reporting_submissions_submission_changelist")
        shown = submission or Submission(campaign_id=campaign.pk, values={}, prefilled={}, reasons={})
        form = ReportForm(request.POST if request.method == "POST" and can_fill else None,
                          definition=campaign.version.parsed, submission=shown)
        if request.method == "POST" and can_fill and form.is_valid():
            values, reasons = form.values()
            try:
                services.submission_save(submission=submission, values=values, reasons=reasons, actor=request.user)
                if "_submit" in request.POST:
                    services.submission_submit(submission=submission, actor=request.user)
                    messages.success(request, _("The report is submitted to the committee."))
                    return redirect("admin:reporting_submissions_submission_changelist")
                messages.success(request, _("The draft is saved."))
                return redirect("admin:reporting_submission_fill", campaign.pk)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for code, errors in exc.error_dict.items():
                        form.add_error(code if code in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
        if not can_fill:
            for field in form.fields.values():
                field.disabled = True
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": campaign.title,
                   "campaign": campaign, "submission": submission, "form": form, "can_fill": can_fill,
                   "history": submission.events.all() if submission else [], "audience": Audience}
        return TemplateResponse(request, "reporting/fill.html", context)
