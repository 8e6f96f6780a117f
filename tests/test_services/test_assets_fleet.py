"""The ICT fleet: ICT profiles of register objects (below the threshold too), software licences, bad
input as typed errors with nothing written, reminders before a warranty or a licence ends sent once by
the module's periodic job, the console's counter, and the back office's pages and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import dramatiq
import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from gorodok_platform.audit.models import AuditEntry
from gorodok_platform.integrations.models import OutboxEvent
from gorodok_platform.modules import registered_modules
from gorodok_services.assets import error_codes as codes
from gorodok_services.assets.fleet import services
from gorodok_services.assets.fleet.models import FleetReminder, FleetSettings, IctProfile, Licence
from gorodok_services.assets.fleet.reminders import fleet_reminders
from gorodok_services.assets.fleet.selectors import licences_expiring_count
from gorodok_services.assets.models import AssetChange
from gorodok_services.assets.selectors import asset_register
from gorodok_services.assets.services import DocumentInput, asset_remove, register_today
from gorodok_tenants.modules.jobs import run_module_task
from tests.conftest import login
from tests.support.assets import building, vehicle
from tests.support.operations import equipment


def codes_of(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


@pytest.fixture
def broker():
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield broker
    broker.flush_all()


def deliver_queued(broker) -> int:
    """Run the queued jobs here, in their schemas, as a worker would."""
    queue = broker.queues.get("default")
    done = 0
    while queue is not None and not queue.empty():
        message = dramatiq.Message.decode(queue.get_nowait())
        queue.task_done()
        with schema_context(message.options["tenant_schema"]):
            broker.get_actor(message.actor_name).fn(*message.args, **message.kwargs)
        done += 1
    return done


def test_an_object_gets_an_ict_profile_with_history_audit_and_an_event(alpha):
    server = equipment(alpha)
    town_hall = building(alpha)
    with schema_context(alpha.schema_name):
        profile = services.ict_profile_set(asset=server, values={
            "category": "server", "building": town_hall, "room": "104", "responsible_name": "Тюлюпов И. А.",
            "responsible_position": "системный администратор", "warranty_until": register_today() + timedelta(days=90)})
        assert (profile.asset, profile.building, profile.room) == (server, town_hall, "104")
        # Only what is given changes.
        again = services.ict_profile_set(asset=server, values={"room": "105"})
        assert again.pk == profile.pk and again.category == "server" and again.building == town_hall
        entries = list(AssetChange.objects.filter(asset=server, action="ict_profile_set").order_by("pk"))
        assert [e.changes.get("room") for e in entries] == [[None, "104"], ["104", "105"]]
        assert AuditEntry.objects.filter(action="asset.ict_profile_set").count() == 2
        events = OutboxEvent.objects.filter(event_type="asset.changed").order_by("pk")
        assert [e.payload["data"]["changed"] for e in events if "ict_profile" in e.payload["data"]["changed"]] == [
            ["ict_profile"], ["ict_profile"]]


def test_equipment_below_the_threshold_is_tracked_with_a_profile_but_not_in_the_extract(alpha):
    cheap = equipment(alpha, name="Персональный компьютер", balance_value=Decimal("68000"),
                      residual_value=Decimal("0"), inventory_number="МЦ-0311")
    with schema_context(alpha.schema_name):
        services.ict_profile_set(asset=cheap, values={"category": "computer"})
        assert IctProfile.objects.filter(asset=cheap).exists()
        assert not asset_register().filter(pk=cheap.pk).exists()


@pytest.mark.parametrize(("target", "values", "field", "code"), [
    ("building", {"category": "server"}, "asset", codes.NOT_ICT_EQUIPMENT),
    ("vehicle", {"category": "other"}, "asset", codes.NOT_ICT_EQUIPMENT),
    ("server", {"category": "toaster"}, "category", "invalid_choice"),
    ("server", {"category": "server", "building": "vehicle"}, "building", codes.NOT_REAL_ESTATE),
    ("server", {"category": "server", "room": "x" * 65}, "room", "max_length"),
])
def test_bad_profiles_are_typed_errors_and_nothing_is_written(alpha, target, values, field, code):
    objects = {"building": building(alpha), "vehicle": vehicle(alpha), "server": equipment(alpha)}
    values = {k: objects[v] if k == "building" else v for k, v in values.items()}
    with schema_context(alpha.schema_name):
        before = (IctProfile.objects.count(), OutboxEvent.objects.count(), AssetChange.objects.count())
        with pytest.raises(ValidationError) as caught:
            services.ict_profile_set(asset=objects[target], values=values)
        assert code in codes_of(caught.value)[field]
        assert (IctProfile.objects.count(), OutboxEvent.objects.count(), AssetChange.objects.count()) == before


def test_a_removed_object_gets_no_profile(alpha):
    server = equipment(alpha)
    with schema_context(alpha.schema_name):
        asset_remove(asset=server, removed_on=register_today(), reason="списан",
                     document=DocumentInput(kind="write_off", number="1", date=register_today()))
        with pytest.raises(ValidationError) as caught:
            services.ict_profile_set(asset=server, values={"category": "server"})
        assert caught.value.code == codes.ALREADY_REMOVED
        assert not IctProfile.objects.exists()


def test_licences_perpetual_or_with_a_term_installed_on_equipment(alpha):
    server = equipment(alpha)
    today = register_today()
    with schema_context(alpha.schema_name):
        perpetual = services.licence_create(values={"product": "1С:Бухгалтерия", "seats": 3,
                                                    "valid_from": today - timedelta(days=900),
                                                    "yearly_cost": Decimal("48600")})
        assert perpetual.valid_until is None and perpetual.vendor == ""
        licence = services.licence_create(values={"product": "Kaspersky", "vendor": "Лаборатория Касперского",
                                                  "seats": 25, "valid_from": today - timedelta(days=300),
                                                  "valid_until": today + timedelta(days=65),
                                                  "yearly_cost": "86500.004", "assets": [server]})
        assert licence.yearly_cost == Decimal("86500.00") and list(licence.assets.all()) == [server]
        licence = services.licence_update(licence=licence, values={"seats": 30, "assets": []})
        assert licence.seats == 30 and not licence.assets.exists()
        entry = AuditEntry.objects.filter(action="asset_licence.changed").get()
        assert entry.before == {"seats": 25, "assets": [server.register_number]}


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"seats": 0}, "seats", "invalid"),
    ({"yearly_cost": Decimal("-1")}, "yearly_cost", codes.NEGATIVE_VALUE),
    ({"valid_until": "before"}, "valid_until", codes.INVALID_DATES),
    ({"product": " "}, "product", "required"),
    ({"assets": "building"}, "assets", codes.NOT_ICT_EQUIPMENT),
])
def test_bad_licences_are_typed_errors_and_nothing_is_written(alpha, values, field, code):
    today = register_today()
    town_hall = building(alpha)
    base = {"product": "Astra Linux", "seats": 20, "valid_from": today, "yearly_cost": Decimal("124000")}
    if values.get("valid_until") == "before":
        values = {"valid_until": today - timedelta(days=1)}
    if values.get("assets") == "building":
        values = {"assets": [town_hall]}
    with schema_context(alpha.schema_name):
        with pytest.raises(ValidationError) as caught:
            services.licence_create(values={**base, **values})
        assert code in codes_of(caught.value)[field]
        assert not Licence.objects.exists()
        good = services.licence_create(values=base)
        with pytest.raises(ValidationError):
            services.licence_update(licence=good, values=values)
        good.refresh_from_db()
        assert (good.seats, good.yearly_cost, good.valid_until, good.product) == (20, Decimal("124000"), None,
                                                                                   "Astra Linux")


def test_reminders_are_sent_once_before_a_warranty_and_a_licence_end(alpha, broker, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    server = equipment(alpha)
    now = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 2 March, 10:00 in Khakassia
    today = now.date()
    with schema_context(alpha.schema_name):
        services.ict_profile_set(asset=server, values={"category": "server", "warranty_until": today.replace(day=20)})
        late = equipment(alpha, name="Коммутатор", inventory_number="МЦ-0361")
        services.ict_profile_set(asset=late, values={"category": "network",
                                                     "warranty_until": today + timedelta(days=31)})
        licence = services.licence_create(values={"product": "Kaspersky", "seats": 25,
                                                  "valid_from": date_of(2025, 3, 1),
                                                  "valid_until": today + timedelta(days=30),
                                                  "yearly_cost": Decimal("86500")})
        services.licence_create(values={"product": "1С", "valid_from": date_of(2020, 1, 1),
                                        "yearly_cost": Decimal("1")})  # perpetual: never reminded

        with django_capture_on_commit_callbacks(execute=True):
            report = fleet_reminders(now=now)
        assert (report.warranty, report.licences) == (1, 1)
        assert deliver_queued(broker) == 2
        subjects = sorted(m.subject for m in mailoutbox)
        assert subjects == sorted([f"Гарантия на {server.name} заканчивается 20.03.2026",
                                   f"Лицензия {licence.product} истекает 01.04.2026"])
        assert all(m.to == [alpha.admin_email] for m in mailoutbox)

        with django_capture_on_commit_callbacks(execute=True):
            again = fleet_reminders(now=now + timedelta(days=1))
        assert (again.warranty, again.licences) == (1, 0)  # the switch came within 30 days the next day
        deliver_queued(broker)
        with django_capture_on_commit_callbacks(execute=True):
            third = fleet_reminders(now=now + timedelta(days=2))
        assert (third.warranty, third.licences) == (0, 0) and deliver_queued(broker) == 0
        assert len(mailoutbox) == 3
        # A reminder's job delivered twice sends one e-mail.
        from gorodok_services.assets.fleet.reminders import reminder_send

        assert not reminder_send(FleetReminder.objects.order_by("pk").first().pk)
        assert len(mailoutbox) == 3 and FleetReminder.objects.filter(sent_at__isnull=True).count() == 0

        # A renewed licence (a new end date) is reminded again, once; the settings' address takes over.
        row = FleetSettings.current()
        row.reminder_email = "it@alpha.example.ru"
        row.save()
        services.licence_update(licence=licence, values={"valid_until": today + timedelta(days=25)})
        with django_capture_on_commit_callbacks(execute=True):
            renewed = fleet_reminders(now=now + timedelta(days=3))
        assert renewed.licences == 1 and deliver_queued(broker) == 1
        assert mailoutbox[-1].to == ["it@alpha.example.ru"]


def date_of(year, month, day):
    from datetime import date

    return date(year, month, day)


def test_the_reminders_are_a_periodic_task_of_the_module(alpha, broker, django_capture_on_commit_callbacks):
    module = registered_modules()["assets"]
    assert {task.key for task in module.periodic} >= {"fleet_reminders", "maintenance"}
    server = equipment(alpha)
    with schema_context(alpha.schema_name):
        services.ict_profile_set(asset=server, values={"category": "server",
                                                       "warranty_until": register_today() + timedelta(days=3)})
        with django_capture_on_commit_callbacks(execute=True):
            run_module_task.fn("assets", "fleet_reminders")
            run_module_task.fn("assets", "fleet_reminders")
        assert FleetReminder.objects.filter(profile__asset=server).count() == 1


def test_the_console_counts_licences_expiring_in_30_days(alpha):
    today = register_today()
    with schema_context(alpha.schema_name):
        for days in (0, 30, 31, -1):
            services.licence_create(values={"product": f"П{days}", "valid_from": today - timedelta(days=400),
                                            "valid_until": today + timedelta(days=days), "yearly_cost": 0})
        assert licences_expiring_count() == 2
        counter = {c.key: c for c in registered_modules()["assets"].counters}["licences_expiring"]
        assert counter.compute() == 2


def test_the_back_office_lists_the_fleet_and_licences_with_their_filters(client, alpha, beta):
    server = equipment(alpha)
    theirs = equipment(beta, name="Чужой сервер")
    today = register_today()
    with schema_context(alpha.schema_name):
        services.ict_profile_set(asset=server, values={"category": "server", "room": "104",
                                                       "warranty_until": today + timedelta(days=10)})
        services.licence_create(values={"product": "Kaspersky", "valid_from": today - timedelta(days=300),
                                        "valid_until": today + timedelta(days=5), "yearly_cost": 1,
                                        "assets": [server]})
        services.licence_create(values={"product": "Astra", "valid_from": today, "yearly_cost": 1})
    with schema_context(beta.schema_name):
        their_profile = services.ict_profile_set(asset=theirs, values={"category": "server"})
        their_licence = services.licence_create(values={"product": "Чужая лицензия", "valid_from": today,
                                                        "yearly_cost": 1})
    login(client, alpha.host, alpha.admin_email)
    page = client.get("/admin/assets_fleet/ictprofile/?warranty=ending", HTTP_HOST=alpha.host).content.decode()
    assert server.name in page and "104" in page
    page = client.get("/admin/assets_fleet/ictprofile/?warranty=ended", HTTP_HOST=alpha.host).content.decode()
    assert server.name not in page
    page = client.get("/admin/assets_fleet/licence/?term=expiring", HTTP_HOST=alpha.host).content.decode()
    assert "Kaspersky" in page and "Astra" not in page
    page = client.get("/admin/assets_fleet/licence/?term=perpetual", HTTP_HOST=alpha.host).content.decode()
    assert "Astra" in page and "Kaspersky" not in page
    # The object's page shows its profile and licences.
    page = client.get(f"/admin/assets/asset/{server.pk}/change/", HTTP_HOST=alpha.host).content.decode()
    assert "Kaspersky" in page and "104" in page
    # Another municipality's rows are not reachable by URL.
    for url in (f"/admin/assets_fleet/ictprofile/{their_profile.pk}/change/",
                f"/admin/assets_fleet/licence/{their_licence.pk}/change/"):
        # Keys are per schema: the same number may name one of ours, never theirs.
        response = client.get(url, HTTP_HOST=alpha.host, follow=True)
        assert response.status_code == 200 and "Чуж" not in response.content.decode()


def test_the_back_office_sets_a_profile_and_adds_a_licence_through_the_services(client, alpha):
    server = equipment(alpha)
    town_hall = building(alpha)
    login(client, alpha.host, alpha.admin_email)
    response = client.post("/admin/assets_fleet/ictprofile/add/", {
        "asset": server.pk, "category": "server", "building": town_hall.pk, "room": "104",
        "warranty_until": "2027-01-31"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post("/admin/assets_fleet/licence/add/", {
        "product": "Astra", "seats": "0", "valid_from": "2026-01-01", "yearly_cost": "10"}, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "errornote" in response.content.decode()
    response = client.post("/admin/assets_fleet/licence/add/", {
        "product": "Astra", "seats": "20", "valid_from": "2026-01-01", "yearly_cost": "124000",
        "assets": [server.pk]}, HTTP_HOST=alpha.host)
    assert response.status_code == 302
    with schema_context(alpha.schema_name):
        profile = IctProfile.objects.get(asset=server)
        assert (profile.building_id, profile.room) == (town_hall.pk, "104")
        assert AssetChange.objects.filter(asset=server, action="ict_profile_set", source="back_office").exists()
        assert list(Licence.objects.get().assets.all()) == [server]
