"""Stock-taking: a campaign checks the register's objects in a scope (a right holder, a building, a kind
of object) against what the commission finds. Opening it snapshots the objects in scope as items; each
item is marked found, not found, damaged or found elsewhere (with the place); closing it writes the
differences report and applies (or proposes) the status changes the differences imply."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.models import Asset, AssetKind, Holder


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Mark(models.TextChoices):
    FOUND = "found", _("found")
    NOT_FOUND = "not_found", _("not found")
    DAMAGED = "damaged", _("damaged")
    FOUND_ELSEWHERE = "found_elsewhere", _("found elsewhere")


class Outcome(models.TextChoices):
    """What closing did with an item's difference."""

    NONE = "", _("no difference")
    WRITE_OFF_PROPOSED = "write_off_proposed", _("write-off proposed")
    SENT_TO_REPAIR = "sent_to_repair", _("sent to repair")
    PLACE_RECORDED = "place_recorded", _("place recorded")
    NOT_APPLIED = "not_applied", _("status not changed")


class Campaign(models.Model):
    name = models.CharField(_("name"), max_length=300)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    commission = models.TextField(_("commission"), help_text=_("Its members, one per line: name and position."))
    scope_holder = models.ForeignKey(Holder, verbose_name=_("right holder"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    scope_building = models.ForeignKey(
        Asset, verbose_name=_("building"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("A real-estate object: the objects at its address are checked."))
    scope_address = models.CharField(_("address contains"), max_length=300, blank=True)
    scope_kind = models.CharField(_("kind of object"), max_length=16, choices=AssetKind.choices, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    opened_by_email = models.CharField(max_length=254, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by_email = models.CharField(max_length=254, blank=True)
    report = models.FileField(_("differences report"), upload_to="assets/stocktaking/%Y/", blank=True)

    class Meta:
        verbose_name = _("stock-taking")
        verbose_name_plural = _("stock-takings")
        ordering = ("-starts_on", "-pk")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="stocktaking_dates_in_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == CampaignStatus.CLOSED


class Item(models.Model):
    """An object in a campaign's scope when it opened (a snapshot of what the register said), and its mark."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey(Asset, verbose_name=_("register object"), on_delete=models.PROTECT, related_name="+")
    register_number = models.CharField(_("register number"), max_length=40)
    inventory_number = models.CharField(_("inventory number"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=500)
    address = models.CharField(_("address"), max_length=500, blank=True)
    holder_name = models.CharField(_("right holder"), max_length=500, blank=True)
    balance_value = models.DecimalField(_("balance value, roubles"), max_digits=17, decimal_places=2)
    mark = models.CharField(_("mark"), max_length=16, choices=Mark.choices, blank=True)
    place = models.CharField(_("where it was found"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    marked_at = models.DateTimeField(_("marked"), null=True, blank=True)
    marked_by_email = models.CharField(max_length=254, blank=True)
    outcome = models.CharField(_("outcome"), max_length=24, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("stock-taking item")
        verbose_name_plural = _("stock-taking items")
        ordering = ("register_number", "pk")
        constraints = [models.UniqueConstraint(fields=["campaign", "asset"], name="stocktaking_item_once")]
        indexes = [models.Index(fields=["campaign", "inventory_number"]),
                   models.Index(fields=["campaign", "register_number"])]

    def __str__(self) -> str:
        return f"{self.register_number} {self.name}"


class MarkChange(models.Model):
    """Every mark given or changed, with who did it, from where, and why it changed."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="mark_changes")
    at = models.DateTimeField(auto_now_add=True)
    actor_email = models.CharField(max_length=254, blank=True)
    source = models.CharField(max_length=16, blank=True)  # back_office, api, close
    from_mark = models.CharField(max_length=16, blank=True)
    to_mark = models.CharField(max_length=16)
    place = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.from_mark or '—'} → {self.to_mark}"
