"""The register of municipal property (Ministry of Finance order 163n of 10.10.2023), in the schema of
each municipality: section 1 real estate, section 2 movable property, shares and stakes, section 3 the
right holders. Money is Decimal (kopecks), never float; dates are local dates of the municipality."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    REAL_ESTATE = "real_estate", _("section 1: real estate")
    MOVABLE = "movable", _("section 2: movable property, shares and stakes")


SECTION_NUMBERS = {Section.REAL_ESTATE: 1, Section.MOVABLE: 2}


class AssetKind(models.TextChoices):
    LAND_PLOT = "land_plot", _("land plot")
    BUILDING = "building", _("building")
    STRUCTURE = "structure", _("structure")
    UNFINISHED = "unfinished", _("unfinished construction")
    COMPLEX = "complex", _("single real-estate complex")
    PREMISES = "premises", _("premises")
    PARKING = "parking", _("parking place")
    VESSEL = "vessel", _("vessel")
    SHARES = "shares", _("shares")
    STAKE = "stake", _("stake in a company's capital")
    VEHICLE = "vehicle", _("vehicle")
    EQUIPMENT = "equipment", _("equipment")
    MOVABLE_OTHER = "movable_other", _("other movable property")
    COMMON_SHARE = "common_share", _("share in common ownership")


KIND_SECTIONS = {
    **dict.fromkeys((AssetKind.LAND_PLOT, AssetKind.BUILDING, AssetKind.STRUCTURE, AssetKind.UNFINISHED,
                     AssetKind.COMPLEX, AssetKind.PREMISES, AssetKind.PARKING, AssetKind.VESSEL), Section.REAL_ESTATE),
    **dict.fromkeys((AssetKind.SHARES, AssetKind.STAKE, AssetKind.VEHICLE, AssetKind.EQUIPMENT,
                     AssetKind.MOVABLE_OTHER, AssetKind.COMMON_SHARE), Section.MOVABLE),
}


class RightType(models.TextChoices):
    OWNERSHIP = "ownership", _("ownership (municipal treasury)")
    ECONOMIC_MANAGEMENT = "economic_management", _("economic management")
    OPERATIONAL_MANAGEMENT = "operational_management", _("operational management")
    PERMANENT_USE = "permanent_use", _("permanent (unlimited) use")
    FREE_USE = "free_use", _("free use")


class HolderKind(models.TextChoices):
    INSTITUTION = "institution", _("municipal institution")
    ENTERPRISE = "enterprise", _("municipal unitary enterprise")
    ADMINISTRATION = "administration", _("local administration or other body")
    TREASURY = "treasury", _("municipal treasury")


class AssetStatus(models.TextChoices):
    IN_REGISTER = "in_register", _("in the register")
    REMOVED = "removed", _("removed from the register")


class LifecycleStatus(models.TextChoices):
    """Where an object is in its working life (apart from being in the register or not): the allowed
    moves between these are the table in ``lifecycle.py``."""

    IN_USE = "in_use", _("in use")
    IN_RESERVE = "in_reserve", _("in reserve")
    UNDER_REPAIR = "under_repair", _("under repair")
    TRANSFERRED = "transferred", _("transferred to a holder")
    LEASED = "leased", _("leased")
    WRITTEN_OFF = "written_off", _("written off")
    DISPOSED = "disposed", _("disposed")


class DocumentRole(models.TextChoices):
    ACQUISITION = "acquisition", _("basis of acquiring the right")
    TERMINATION = "termination", _("basis of ending the right")


class DocumentKind(models.TextChoices):
    CONTRACT = "contract", _("contract")
    ACT = "act", _("act of acceptance and transfer")
    DECISION = "decision", _("decision or order")
    COURT = "court", _("court decision")
    EGRN_EXTRACT = "egrn_extract", _("EGRN extract")
    WRITE_OFF = "write_off", _("write-off act")
    OTHER = "other", _("other document")


class EncumbranceKind(models.TextChoices):
    LEASE = "lease", _("lease")
    FREE_USE = "free_use", _("free use")
    PLEDGE = "pledge", _("pledge")
    EASEMENT = "easement", _("easement")
    TRUST = "trust", _("trust management")
    CONCESSION = "concession", _("concession")
    ARREST = "arrest", _("arrest")
    OTHER = "other", _("other")


class AssetsSettings(models.Model):
    """One row per municipality: register numbering and the threshold for movable property."""

    number_prefix = models.CharField(_("register number prefix"), max_length=12, blank=True,
                                     help_text=_("E.g. РМИ-. Numbers look like РМИ-1.000123."))
    number_digits = models.PositiveSmallIntegerField(_("digits of the number"), default=6)
    movable_threshold = models.DecimalField(
        _("threshold for movable property, roubles"), max_digits=17, decimal_places=2, default=Decimal("200000.00"),
        help_text=_("Movable items of at least this balance value (or especially valuable ones) are in the "
                    "register extract; cheaper items are tracked but not listed."))

    class Meta:
        verbose_name = _("register settings")
        verbose_name_plural = _("register settings")

    def __str__(self) -> str:
        return str(_("register settings"))

    @classmethod
    def current(cls) -> AssetsSettings:
        row = cls.objects.order_by("pk").first()
        return row if row is not None else cls.objects.create()


class RegisterCounter(models.Model):
    """The sequence of register numbers of a section (row-locked while numbers are taken)."""

    section = models.CharField(max_length=16, choices=Section.choices, unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.section}: {self.last_number}"


class Holder(models.Model):
    """Section 3: a right holder (an institution, an enterprise, the administration, the treasury).
    The head's name is public in the unified state register of legal entities (129-FZ, art. 6)."""

    kind = models.CharField(_("kind"), max_length=16, choices=HolderKind.choices)
    name = models.CharField(_("name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=200, blank=True)
    inn = models.CharField(_("INN"), max_length=12, unique=True)
    ogrn = models.CharField(_("OGRN"), max_length=15, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    head_name = models.CharField(_("head"), max_length=300, blank=True)
    head_position = models.CharField(_("head's position"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("right holder")
        verbose_name_plural = _("right holders (section 3)")
        ordering = ("name", "pk")

    def __str__(self) -> str:
        return self.short_name or self.name


MONEY = {"max_digits": 17, "decimal_places": 2}
MEASURE = {"max_digits": 14, "decimal_places": 2}


class Asset(models.Model):
    register_number = models.CharField(_("register number"), max_length=40, unique=True)
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=AssetKind.choices)
    name = models.CharField(_("name"), max_length=500)
    purpose = models.CharField(_("purpose"), max_length=500, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    cadastral_number = models.CharField(_("cadastral number"), max_length=40, blank=True)
    cadastral_date = models.DateField(_("cadastral number assigned"), null=True, blank=True)
    cadastral_value = models.DecimalField(_("cadastral value, roubles"), null=True, blank=True, **MONEY)
    area = models.DecimalField(_("area, sq. m"), null=True, blank=True, **MEASURE)
    length = models.DecimalField(_("length, m"), null=True, blank=True, **MEASURE)
    parameters = models.CharField(_("other parameters"), max_length=500, blank=True)
    # Section 2
    make = models.CharField(_("make"), max_length=100, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year of manufacture"), null=True, blank=True)
    vin = models.CharField(_("VIN"), max_length=17, blank=True)
    plate = models.CharField(_("registration plate"), max_length=16, blank=True)
    inventory_number = models.CharField(_("inventory number"), max_length=64, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True)
    especially_valuable = models.BooleanField(_("especially valuable movable property"), default=False)
    share_percent = models.DecimalField(_("share or stake, %"), max_digits=7, decimal_places=4, null=True, blank=True)
    # Right
    right_type = models.CharField(_("right type"), max_length=24, choices=RightType.choices)
    holder = models.ForeignKey(Holder, verbose_name=_("right holder"), on_delete=models.PROTECT,
                               related_name="assets")
    # Accounting
    balance_value = models.DecimalField(_("balance value, roubles"), default=Decimal("0"), **MONEY)
    residual_value = models.DecimalField(_("residual value, roubles"), default=Decimal("0"), **MONEY)
    values_date = models.DateField(_("values taken from accounting on"), null=True, blank=True)
    # Life in the register
    status = models.CharField(_("status"), max_length=16, choices=AssetStatus.choices,
                              default=AssetStatus.IN_REGISTER)
    lifecycle_status = models.CharField(_("lifecycle status"), max_length=16, choices=LifecycleStatus.choices,
                                        default=LifecycleStatus.IN_USE)
    included_on = models.DateField(_("included in the register on"))
    removed_on = models.DateField(_("removed from the register on"), null=True, blank=True)
    removal_reason = models.CharField(_("reason for removal"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("register object")
        verbose_name_plural = _("register objects")
        ordering = ("register_number",)
        indexes = [
            models.Index(fields=["section", "status"]),
            models.Index(fields=["cadastral_number"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(balance_value__gte=0) & Q(residual_value__gte=0),
                                   name="asset_values_not_negative"),
            models.CheckConstraint(condition=Q(residual_value__lte=models.F("balance_value")),
                                   name="asset_residual_within_balance"),
        ]

    def __str__(self) -> str:
        return f"{self.register_number} {self.name}"

    @property
    def is_removed(self) -> bool:
        return self.status == AssetStatus.REMOVED


class AssetDocument(models.Model):
    """A document that is the basis of acquiring or ending the right."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="documents")
    role = models.CharField(_("role"), max_length=16, choices=DocumentRole.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=64, blank=True)
    date = models.DateField(_("date"))
    issuer = models.CharField(_("issued by"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to="assets/documents/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ("date", "pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} № {self.number or '—'} {self.date:%d.%m.%Y}"


class Encumbrance(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="encumbrances")
    kind = models.CharField(_("kind"), max_length=16, choices=EncumbranceKind.choices)
    basis = models.CharField(_("basis"), max_length=300)
    beneficiary = models.CharField(_("in favour of"), max_length=300)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Ended before (or without) its term, through ``asset_encumbrance_end``: the date and its basis.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_basis = models.CharField(_("basis of ending"), max_length=300, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("encumbrance")
        verbose_name_plural = _("encumbrances")
        ordering = ("starts_on", "pk")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.beneficiary}"

    @property
    def is_ended(self) -> bool:
        return self.ended_on is not None


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class AssetImport(models.Model):
    """One import of a spreadsheet, run as a background job: its file, mapping, progress and report.

    The job checks every row first (nothing is written for a file with rejected rows), then writes a
    chunk at a time, each chunk committed together with ``rows_done``: a job interrupted midway resumes
    after the last committed chunk, so no row is written twice."""

    file = models.FileField(_("file"), upload_to="assets/imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)  # header -> field ("" ignored)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    checked = models.BooleanField(_("every row checked"), default=False)
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    rejected_count = models.PositiveIntegerField(_("rejected"), default=0)
    error = models.TextField(_("error"), blank=True)  # why the file could not be taken at all
    report = models.JSONField(_("rejected rows"), default=list, blank=True)  # [{row, register_number, name, reasons}]
    actor_email = models.CharField(_("started by"), max_length=254, blank=True)
    source = models.CharField(_("source"), max_length=16, blank=True)  # back_office, api, command
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        """Progress: checking every row is the first half, writing them the second."""
        if self.status == ImportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, (50 * self.rows_checked + 50 * self.rows_done) // self.rows_total)


class AssetChange(models.Model):
    """The history of an object: who changed what, from which value to which."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=32)  # created, changed, removed, document_added, encumbrance_added
    changes = models.JSONField(default=dict, blank=True)  # {field: [before, after]}
    source = models.CharField(max_length=16, blank=True)  # "", "import", "api", "back_office"
    # The import that wrote the entry (no index: added to a filled table during a rolling deploy).
    import_run = models.ForeignKey(AssetImport, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="changes", db_index=False)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class AssetTransition(models.Model):
    """One move of an object's lifecycle status: from which, to which, on which date, on what basis and
    by whom. Rows are only ever added."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=16, choices=LifecycleStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=LifecycleStatus.choices)
    on = models.DateField(_("date"))
    basis = models.CharField(_("basis"), max_length=500)
    actor_email = models.CharField(_("by"), max_length=254, blank=True)
    source = models.CharField(max_length=16, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ("on", "pk")

    def __str__(self) -> str:
        return f"{self.on:%d.%m.%Y} {self.get_from_status_display()} → {self.get_to_status_display()}"
