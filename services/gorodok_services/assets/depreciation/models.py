"""Depreciation of the register's objects: the municipality's defaults per kind of object, an object's
own overrides (a one-to-one profile), and the municipality's choice of where the register's residual
value comes from. The figures themselves are computed in SQL (``selectors.net_book_values``), never
stored: they follow from the balance value, the commissioning date, the method and the useful life.

Money is Decimal (kopecks); the rounding is defined in ``selectors``."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gorodok_services.assets.models import Asset, AssetKind

MAX_USEFUL_LIFE_MONTHS = 1200  # 100 years: a building's useful life in the classification is up to 30+ years


class Method(models.TextChoices):
    LINEAR = "linear", _("linear")
    REDUCING_BALANCE = "reducing_balance", _("reducing balance")


class ResidualSource(models.TextChoices):
    ACCOUNTING = "accounting", _("kept from accounting")
    DEPRECIATION = "depreciation", _("refreshed from depreciation")


class DepreciationSettings(models.Model):
    """One row per municipality: where the register's residual value comes from."""

    residual_source = models.CharField(
        _("residual value in the register"), max_length=16, choices=ResidualSource.choices,
        default=ResidualSource.ACCOUNTING,
        help_text=_("Kept from accounting: the residual value is what the accounts say (typed in or imported). "
                    "Refreshed from depreciation: a refresh for a month writes the net book value computed here."))

    class Meta:
        verbose_name = _("depreciation settings")
        verbose_name_plural = _("depreciation settings")

    def __str__(self) -> str:
        return str(_("depreciation settings"))

    @classmethod
    def current(cls) -> DepreciationSettings:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()


class CategoryDefault(models.Model):
    """The municipality's default method and useful life for a kind of object. A kind without a default
    (land plots, shares) is not depreciated unless an object's profile says so."""

    kind = models.CharField(_("kind of object"), max_length=16, choices=AssetKind.choices, unique=True)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, default=Method.LINEAR)
    useful_life_months = models.PositiveIntegerField(_("useful life, months"))
    coefficient = models.DecimalField(
        _("acceleration coefficient"), max_digits=4, decimal_places=2, default=Decimal("2.00"),
        help_text=_("Reducing balance only: the monthly rate is the coefficient divided by the useful life."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("depreciation default")
        verbose_name_plural = _("depreciation defaults by kind")
        ordering = ("kind",)
        constraints = [
            models.CheckConstraint(condition=Q(useful_life_months__gte=1), name="depreciation_default_life_positive"),
            models.CheckConstraint(condition=Q(coefficient__gt=0), name="depreciation_default_coefficient_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_method_display()}, {self.useful_life_months}"


class DepreciationProfile(models.Model):
    """An object's own depreciation terms; an empty field falls back to its kind's default (and the
    commissioning date to the date of inclusion in the register)."""

    asset = models.OneToOneField(Asset, verbose_name=_("register object"), on_delete=models.CASCADE,
                                 related_name="depreciation_profile")
    commissioned_on = models.DateField(_("commissioned on"), null=True, blank=True,
                                       help_text=_("Empty: the date of inclusion in the register."))
    method = models.CharField(_("method"), max_length=16, choices=Method.choices, blank=True,
                              help_text=_("Empty: the default for the kind of object."))
    useful_life_months = models.PositiveIntegerField(_("useful life, months"), null=True, blank=True,
                                                     help_text=_("Empty: the default for the kind of object."))
    coefficient = models.DecimalField(_("acceleration coefficient"), max_digits=4, decimal_places=2, null=True,
                                      blank=True, help_text=_("Empty: the default for the kind of object."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("depreciation terms of an object")
        verbose_name_plural = _("depreciation terms of objects")
        ordering = ("asset__register_number",)
        constraints = [
            models.CheckConstraint(condition=Q(useful_life_months__isnull=True) | Q(useful_life_months__gte=1),
                                   name="depreciation_profile_life_positive"),
            models.CheckConstraint(condition=Q(coefficient__isnull=True) | Q(coefficient__gt=0),
                                   name="depreciation_profile_coefficient_positive"),
        ]

    def __str__(self) -> str:
        return str(self.asset)
