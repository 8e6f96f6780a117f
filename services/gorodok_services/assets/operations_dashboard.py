"""What the property register puts on a municipality's first page: the ICT fleet's and maintenance's
work of the day (overdue and due maintenance, licences expiring and warranties ending), each with the
list that shows it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gorodok_platform.modules import DashboardItem, DashboardPanel
from gorodok_services.assets.permissions import READ, assets_permit


def assets_today(request) -> DashboardPanel | None:
    from gorodok_services.assets.fleet.models import FleetSettings
    from gorodok_services.assets.fleet.selectors import fleet_today, licences_expiring, warranty_ending
    from gorodok_services.assets.maintenance.selectors import maintenance_due

    if not assets_permit(request.user, READ):
        return None
    today = fleet_today()
    due = maintenance_due(today=today)
    overdue = sum(1 for item in due if item.overdue)
    days = FleetSettings.current().reminder_days
    work = reverse("backoffice:assets_maintenance_due")
    items = (
        DashboardItem(label=str(_("Maintenance overdue")), count=overdue, url=f"{work}?overdue=1", tone="danger"),
        DashboardItem(label=str(_("Maintenance due soon")), count=len(due) - overdue, url=work, tone="warning"),
        DashboardItem(label=str(_("Licences expiring in 30 days")),
                      count=licences_expiring(today=today, days=30).count(),
                      url=reverse("backoffice:assets_fleet_licence_changelist") + "?term=expiring", tone="warning"),
        DashboardItem(label=str(_("Warranties ending")), count=warranty_ending(today=today, days=days).count(),
                      url=reverse("backoffice:assets_fleet_ictprofile_changelist") + "?warranty=ending"),
    )
    links = ((str(_("Register objects")), reverse("backoffice:assets_asset_changelist")),
             (str(_("Operating cost of buildings")), reverse("backoffice:assets_maintenance_buildings")))
    return DashboardPanel(title=str(_("Property and ICT")), items=items, links=links)
