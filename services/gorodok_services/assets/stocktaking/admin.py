"""Stock-taking in the back office: campaigns (opening one snapshots its scope), the campaign page with
its counts, differences and the close, and a phone-friendly marking page (search by inventory or register
number, large buttons). Every change goes through one service; access follows the register's rule table."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.admin import ModuleAdmin
from gorodok_services.assets.models import Asset, AssetKind, Holder, Section
from gorodok_services.assets.permissions import CHANGE, READ, assets_permit
from gorodok_services.assets.services import register_today
from gorodok_services.assets.stocktaking import services
from gorodok_services.assets.stocktaking.models import Campaign, Item, Mark
from gorodok_tenants.console.mixins import add_service_errors
from gorodok_tenants.console.sites import back_office


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ("name", "starts_on", "ends_on", "commission", "scope_holder", "scope_building", "scope_address",
                  "scope_kind")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_holder"].queryset = Holder.objects.filter(is_active=True).order_by("name")
        self.fields["scope_building"].queryset = Asset.objects.filter(section=Section.REAL_ESTATE).exclude(
            kind=AssetKind.LAND_PLOT).order_by("register_number")

    def _post_clean(self):
        pass  # the service checks the campaign and snapshots its scope

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.campaign_validate(
                name=cleaned.get("name"), starts_on=cleaned.get("starts_on"), ends_on=cleaned.get("ends_on"),
                commission=cleaned.get("commission"), holder=cleaned.get("scope_holder"),
                building=cleaned.get("scope_building"), address=cleaned.get("scope_address") or "",
                kind=cleaned.get("scope_kind") or "")
        except ValidationError as exc:
            add_service_errors(self, exc)
        return cleaned


class CloseForm(forms.Form):
    on = forms.DateField(label=_("closed on"))


@admin.register(Campaign, site=back_office)
class CampaignAdmin(ModuleAdmin):
    form = CampaignForm
    list_display = ("name", "starts_on", "ends_on", "status", "closed_on")
    list_filter = ("status",)
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.campaign_open(
            name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"], commission=data["commission"],
            holder=data.get("scope_holder"), building=data.get("scope_building"),
            address=data.get("scope_address") or "", kind=data.get("scope_kind") or "", actor=request.user)
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect(self._campaign_url(object_id))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/page/", view(self.campaign_view), name="assets_stocktaking_campaign_page"),
            path("<int:pk>/mark/", view(self.mark_view), name="assets_stocktaking_campaign_mark"),
            path("<int:pk>/report/", view(self.report_view), name="assets_stocktaking_campaign_report"),
            *super().get_urls(),
        ]

    def _campaign_url(self, pk) -> str:
        return reverse(f"{self.admin_site.name}:assets_stocktaking_campaign_page", args=[pk])

    def _campaign(self, request, pk, action: str = READ) -> Campaign:
        if not (self._module_on(request) and assets_permit(request.user, action)):
            raise PermissionDenied
        campaign = Campaign.objects.filter(pk=pk).select_related("scope_holder", "scope_building").first()
        if campaign is None:
            raise Http404
        return campaign

    def campaign_view(self, request, pk):
        campaign = self._campaign(request, pk)
        may_change = assets_permit(request.user, CHANGE)
        close_form = None
        if may_change and not campaign.is_closed:
            close_form = CloseForm(request.POST if request.method == "POST" else None,
                                   initial={"on": register_today()})
            if request.method == "POST" and close_form.is_valid():
                try:
                    services.campaign_close(campaign=campaign, on=close_form.cleaned_data["on"], actor=request.user,
                                            source="back_office")
                except ValidationError as exc:
                    add_service_errors(close_form, exc)
                else:
                    self.message_user(request, _("The stock-taking is closed; the differences report is ready."),
                                      messages.SUCCESS)
                    return redirect(self._campaign_url(campaign.pk))
        elif request.method == "POST":
            raise PermissionDenied
        counts = services.campaign_counts(campaign)
        labels = [(_("objects checked"), counts["total"]), (_("not marked yet"), counts["unmarked"]),
                  *((mark.label, counts[mark.value]) for mark in Mark)]
        scope = ", ".join(str(part) for part in (campaign.scope_holder, campaign.scope_building,
                                                 campaign.scope_address, campaign.get_scope_kind_display()) if part)
        name = self.admin_site.name
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": campaign.name, "campaign": campaign,
            "counts": labels, "scope": scope, "may_change": may_change, "close_form": close_form,
            "differences": campaign.items.exclude(mark__in=["", Mark.FOUND]).order_by("register_number")[:500],
            "mark_url": reverse(f"{name}:assets_stocktaking_campaign_mark", args=[campaign.pk]),
            "report_url": reverse(f"{name}:assets_stocktaking_campaign_report", args=[campaign.pk]),
        }
        return TemplateResponse(request, "assets_stocktaking/campaign.html", context)

    def mark_view(self, request, pk):
        campaign = self._campaign(request, pk, CHANGE)
        if campaign.is_closed:
            return redirect(self._campaign_url(campaign.pk))
        query = (request.POST.get("q") or request.GET.get("q") or "").strip()[:64]
        errors, item = [], None
        if request.method == "POST":
            item = campaign.items.filter(pk=request.POST.get("item") or 0).first()
            if item is None:
                raise Http404
            try:
                if request.POST.get("change"):
                    services.item_change_mark(item=item, mark=request.POST.get("mark", ""),
                                              reason=request.POST.get("reason", ""),
                                              place=request.POST.get("place", ""), note=request.POST.get("note", ""),
                                              actor=request.user, source="back_office")
                else:
                    services.item_mark(campaign=campaign, item=item, mark=request.POST.get("mark", ""),
                                       place=request.POST.get("place", ""), note=request.POST.get("note", ""),
                                       actor=request.user, source="back_office")
            except ValidationError as exc:
                errors = exc.messages
                item.refresh_from_db()
            else:
                self.message_user(request, _("%(number)s: marked.") % {"number": item.register_number},
                                  messages.SUCCESS)
                return redirect(reverse(f"{self.admin_site.name}:assets_stocktaking_campaign_mark", args=[pk]))
        elif query:
            try:
                item = services.find_item(campaign, query)
            except ValidationError as exc:
                errors = exc.messages
        pending = campaign.items.filter(mark="").order_by("register_number")
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Mark objects"),
            "campaign": campaign, "campaign_url": self._campaign_url(campaign.pk), "query": query, "item": item,
            "errors": errors, "marks": Mark.choices, "pending": pending[:30], "pending_count": pending.count(),
        }
        return TemplateResponse(request, "assets_stocktaking/mark.html", context)

    def report_view(self, request, pk):
        campaign = self._campaign(request, pk)
        if not campaign.report:
            raise Http404
        return FileResponse(campaign.report.open("rb"), as_attachment=True,
                            filename=f"inventarizaciya-{campaign.pk}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@admin.register(Item, site=back_office)
class ItemAdmin(ModuleAdmin):
    """Read-only: items change through the marking page."""

    list_display = ("register_number", "inventory_number", "name", "campaign", "mark", "place", "outcome")
    list_filter = ("mark", "outcome")
    list_select_related = ("campaign",)
    search_fields = ("register_number", "inventory_number", "name")
    readonly_fields = ("campaign", "asset", "register_number", "inventory_number", "name", "address", "holder_name",
                       "balance_value", "mark", "place", "note", "marked_at", "marked_by_email", "outcome",
                       "outcome_note")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
