"""The ICT fleet: the ICT profile of a movable object of the register (where it stands, who answers for
it, its warranty and planned end of life), software licences (not register items), and the reminders
sent before a warranty or a licence ends. Items below the register's threshold are objects too (tracked,
not in the extract), so every computer can have a profile."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.models import MONEY, Asset, AssetKind

# The kinds of register objects that can be ICT equipment (movable property, not shares or stakes).
ICT_KINDS = (AssetKind.EQUIPMENT, AssetKind.MOVABLE_OTHER)


class IctCategory(models.TextChoices):
    COMPUTER = "computer", _("computer")
    LAPTOP = "laptop", _("laptop")
    SERVER = "server", _("server")
    NETWORK = "network", _("network equipment")
    PRINTER = "printer", _("printer")
    OTHER = "other", _("other ICT equipment")


class FleetSettings(models.Model):
    """One row per municipality: when and to whom reminders go."""

    reminder_days = models.PositiveSmallIntegerField(
        _("remind days before"), default=30,
        help_text=_("Reminders are sent this many days before a warranty or a licence ends."))
    reminder_email = models.EmailField(
        _("send reminders to"), blank=True,
        help_text=_("Empty: to the administrators and asset managers of the municipality."))

    class Meta:
        verbose_name = _("ICT fleet settings")
        verbose_name_plural = _("ICT fleet settings")

    def __str__(self) -> str:
        return str(_("ICT fleet settings"))

    @classmethod
    def current(cls) -> FleetSettings:
        return cls.objects.order_by("pk").first() or cls()


class IctProfile(models.Model):
    asset = models.OneToOneField(Asset, verbose_name=_("object"), on_delete=models.CASCADE,
                                 related_name="ict_profile")
    category = models.CharField(_("category"), max_length=16, choices=IctCategory.choices)
    building = models.ForeignKey(Asset, verbose_name=_("building"), on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="ict_equipment", help_text=_("A real-estate object of the register."))
    room = models.CharField(_("room"), max_length=64, blank=True)
    responsible_name = models.CharField(_("responsible employee"), max_length=300, blank=True)
    responsible_position = models.CharField(_("responsible employee's position"), max_length=200, blank=True)
    warranty_until = models.DateField(_("warranty until"), null=True, blank=True)
    end_of_life = models.DateField(_("planned end of life"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ICT equipment")
        verbose_name_plural = _("ICT equipment")
        ordering = ("asset__register_number", "pk")
        indexes = [models.Index(fields=["warranty_until"]), models.Index(fields=["category"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.asset}"


class Licence(models.Model):
    """A software licence: what the municipality pays for every year to keep its ICT working."""

    product = models.CharField(_("product"), max_length=300)
    vendor = models.CharField(_("vendor"), max_length=300, blank=True)
    seats = models.PositiveIntegerField(_("seats"), default=1)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty: perpetual."))
    yearly_cost = models.DecimalField(_("yearly cost, roubles"), default=0, **MONEY)
    note = models.CharField(_("note"), max_length=500, blank=True)
    assets = models.ManyToManyField(Asset, verbose_name=_("installed on"), blank=True, related_name="licences")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("software licence")
        verbose_name_plural = _("software licences")
        ordering = ("product", "pk")
        indexes = [models.Index(fields=["valid_until"])]
        constraints = [
            models.CheckConstraint(condition=Q(yearly_cost__gte=0) & Q(seats__gte=1), name="licence_values_valid"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                                   name="licence_term_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.product} ({self.seats})"


class ReminderKind(models.TextChoices):
    WARRANTY = "warranty", _("warranty ends")
    LICENCE = "licence", _("licence expires")


class FleetReminder(models.Model):
    """What was sent. The unique (kind, object, date) makes the periodic job idempotent: a reminder
    about one end date is sent once; a new end date gets its own reminder."""

    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    profile = models.ForeignKey(IctProfile, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="reminders")
    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders")
    ends_on = models.DateField()
    recipient = models.CharField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=("profile", "ends_on"), condition=Q(kind="warranty"),
                                    name="fleet_warranty_reminder_once"),
            models.UniqueConstraint(fields=("licence", "ends_on"), condition=Q(kind="licence"),
                                    name="fleet_licence_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ends_on} → {self.recipient}"
