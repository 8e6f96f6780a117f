from __future__ import annotations

from functools import update_wrapper
from urllib.parse import urlencode

from django.apps import apps
from django.conf import settings
from django.shortcuts import redirect
from django.urls import get_script_prefix, get_urlconf, path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from unfold.sites import UnfoldAdminSite

from gorodok_platform.accounts.roles import REGIONAL_ROLES
from gorodok_platform.accounts.throttling import ThrottledAuthenticationForm
from gorodok_tenants.console.reversing import reverse_or_none
from gorodok_tenants.console.side_menu import side_menu_markup
from gorodok_tenants.routing import is_region


def _is_regional_staff(request) -> bool:
    user = request.user
    return (is_region(getattr(request, "tenant", None)) and user.is_active and user.is_staff
            and user.has_role(*REGIONAL_ROLES))


class DeclaredFiltersOnlySite(UnfoldAdminSite):
    """Every ModelAdmin registered here wears the theme (``gorodok_tenants.console.theme``) and accepts
    only its declared list filters in the query string."""

    # No public site behind either one: "view site" would lead nowhere.
    site_url = None

    def register(self, model_or_iterable, admin_class=None, **options):
        from gorodok_tenants.console.mixins import DeclaredFiltersOnlyMixin
        from gorodok_tenants.console.theme import ModelAdmin, themed_admin

        admin_class = themed_admin(admin_class or ModelAdmin)
        if not issubclass(admin_class, DeclaredFiltersOnlyMixin):
            admin_class = type(admin_class.__name__, (DeclaredFiltersOnlyMixin, admin_class),
                               {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__})
        return super().register(model_or_iterable, admin_class, **options)

    def get_app_list(self, request, app_label=None):
        """Django's app list, built once per request (the page's context and the side menu both ask for
        it, and each time costs a permission check per model)."""
        built = request.__dict__.setdefault("_gorodok_app_lists", {})
        key = (self.name, app_label)
        if key not in built:
            app_list = sorted(self._app_dict(request, app_label).values(), key=lambda app: app["name"].lower())
            for app in app_list:
                app["models"].sort(key=lambda model: model["name"])
            built[key] = app_list
        return built[key]

    def _app_dict(self, request, label=None) -> dict:
        """What Django's ``AdminSite._build_app_dict`` builds (the sections the person may see, with their
        permissions), with each section's links looked up once per process: they follow from the URL
        configuration alone, while the permissions are asked of the section's admin on every request."""
        app_dict = {}
        for model, model_admin in list(self._registry.items()):
            app_label = model._meta.app_label
            if (label and app_label != label) or not model_admin.has_module_permission(request):
                continue
            perms = model_admin.get_model_perms(request)
            if True not in perms.values():
                continue
            links = self._section_links(app_label, model._meta.model_name)
            # Names as text in the request's language: sorting and rendering lazy ones translates
            # them again at every comparison and every use.
            model_dict = {"model": model, "name": capfirst(str(model._meta.verbose_name_plural)),
                          "object_name": model._meta.object_name, "perms": perms, "admin_url": None, "add_url": None}
            if perms.get("change") or perms.get("view"):
                model_dict["view_only"] = not perms.get("change")
                model_dict["admin_url"] = links["changelist"]
            if perms.get("add"):
                model_dict["add_url"] = links["add"]
            if app_label in app_dict:
                app_dict[app_label]["models"].append(model_dict)
            else:
                app_dict[app_label] = {"name": str(apps.get_app_config(app_label).verbose_name), "app_label": app_label,
                                       "app_url": links["app"], "has_module_perms": True, "models": [model_dict]}
        return app_dict

    def _section_links(self, app_label: str, model_name: str) -> dict[str, str | None]:
        known = self.__dict__.setdefault("_section_links_known", {})
        key = (get_urlconf(), get_script_prefix(), app_label, model_name)
        if key not in known:
            known[key] = {"changelist": reverse_or_none(f"{self.name}:{app_label}_{model_name}_changelist", self.name),
                          "add": reverse_or_none(f"{self.name}:{app_label}_{model_name}_add", self.name),
                          "app": reverse_or_none(f"{self.name}:app_list", self.name, {"app_label": app_label})}
        return known[key]

    def get_sidebar_list(self, request):
        """The side menu: the first page, then each application with its models, as the person may see
        them (built from the admin's own app list, so a module's admin appears without configuration)."""
        index = reverse(f"{self.name}:index")
        groups = [{"title": _("Today"), "items": [
            {"title": _("First page"), "icon": "today", "link": index, "active": request.path == index}]}]
        for app in self.get_app_list(request):
            # Marked here as the theme would mark them (the open page is under the link), which spares
            # it a URL lookup per link.
            items = [{"title": model["name"], "link": model["admin_url"],
                      "active": model["admin_url"] != index and model["admin_url"] in request.path}
                     for model in app["models"] if model.get("admin_url")]
            if items:
                groups.append({"title": app["name"], "separator": True, "items": items})
        for group in groups:
            group["items"] = self._get_navigation_items(request, group["items"])
        return groups

    def each_context(self, request):
        from django.templatetags.static import static

        context = super().each_context(request)
        context["site_url"] = None
        context["site_header"] = self.site_header
        context["site_title"] = self.site_title
        context["site_subheader"] = getattr(settings, "REGION_NAME", "")
        # Our few rules on top of the theme (first pages, queues, compact lists): on every page.
        context["styles"] = [*context.get("styles", []), static("gorodok_tenants/console.css")]
        context["side_menu"] = side_menu_markup(context.get("sidebar_navigation") or [])
        return context


class RegionConsoleSite(DeclaredFiltersOnlySite):
    """The regional committee's console: municipalities, their lifecycle, support and audit.

    Outside development a regional account needs its second factor before anything else is shown;
    until then the account is anonymous to every view (the API and downloads included), and these
    pages only send it to the second-factor step.
    """

    site_header = _("Gorodok · regional console")
    site_title = _("Gorodok regional console")
    index_title = _("Region")
    login_form = ThrottledAuthenticationForm

    @staticmethod
    def _owes_second_factor(request) -> bool:
        """Signed in here with a password, second factor still to come (``request.user`` is then
        anonymous on every surface: see ``gorodok_platform.accounts.middleware``)."""
        from gorodok_platform.accounts.middleware import second_factor_pending_user

        user = second_factor_pending_user(request)
        return (user is not None and is_region(getattr(request, "tenant", None)) and user.is_active
                and user.is_staff and user.has_role(*REGIONAL_ROLES))

    def has_permission(self, request) -> bool:
        from gorodok_platform.accounts.two_factor import second_factor_missing

        return _is_regional_staff(request) and not second_factor_missing(request.user)

    def _to_second_factor(self, request, next_url: str):
        query = urlencode({"next": next_url})
        return redirect(f"{reverse(f'{self.name}:two_factor')}?{query}")

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if self._owes_second_factor(request):
                return self._to_second_factor(request, request.get_full_path())
            return protected(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def login(self, request, extra_context=None):
        if self._owes_second_factor(request):
            return self._to_second_factor(request, request.GET.get("next", reverse(f"{self.name}:index")))
        return super().login(request, extra_context)

    index_template = "gorodok_tenants/console/dashboard.html"

    def index(self, request, extra_context=None):
        """Municipalities needing attention, the region's figures and charts, the modules' panels, then the
        sections."""
        from gorodok_platform.modules import DashboardPanel
        from gorodok_tenants.console.dashboard import (
            municipalities_needing_attention,
            panel_view,
            region_console_panels,
            region_items,
            region_monthly_chart,
            region_overdue_chart,
        )

        region = panel_view(DashboardPanel(title=_("Region"), items=region_items(),
                                           charts=(region_overdue_chart(), region_monthly_chart())))
        context = {"attention": municipalities_needing_attention(), "panels": [region, *region_console_panels(request)],
                   **(extra_context or {})}
        return super().index(request, context)

    def get_urls(self):
        from gorodok_tenants.console.two_factor import enrol_view, two_factor_view

        return [path("two-factor/", lambda request: two_factor_view(request, self), name="two_factor"),
                path("two-factor/enrol/<uidb64>/<token>/",
                     lambda request, uidb64, token: enrol_view(request, self, uidb64, token),
                     name="two_factor_enrol"),
                *super().get_urls()]


class BackOfficeSite(DeclaredFiltersOnlySite):
    """A municipality's back office, on its own host."""

    site_title = _("Gorodok back office")
    index_title = _("Back office")
    login_form = ThrottledAuthenticationForm

    def has_permission(self, request) -> bool:
        tenant = getattr(request, "tenant", None)
        return tenant is not None and not is_region(tenant) and request.user.is_active and request.user.is_staff

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        context["site_header"] = _("Gorodok · %(name)s") % {"name": getattr(tenant, "name", "")}
        context["site_title"] = getattr(tenant, "name", "") or context["site_title"]
        return context

    index_template = "gorodok_tenants/console/dashboard.html"

    def index(self, request, extra_context=None):
        """What is due today: one panel per enabled module (``ModuleInfo.dashboard``), then the sections."""
        from gorodok_tenants.console.dashboard import back_office_panels
        from gorodok_tenants.upgrades.notes import show_release_notes

        show_release_notes(request)  # once per administrator, after their municipality's upgrade
        context = {"panels": back_office_panels(request), "attention": None, **(extra_context or {})}
        return super().index(request, context)


region_console = RegionConsoleSite(name="console")
back_office = BackOfficeSite(name="backoffice")
