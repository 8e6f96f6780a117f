"""Stock-taking: opening snapshots the scope (holder, building, kind), marks once by item or by number
(bad input as typed errors and nothing written), an explicit change of a mark, closing (atomic,
idempotent) with the differences report, the status changes it implies through the lifecycle, the
webhook event, the back office's pages, and another municipality's campaigns out of reach."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from gorodok_platform.integrations.models import OutboxEvent
from gorodok_services.assets import services as asset_services
from gorodok_services.assets.models import Asset, AssetChange, AssetTransition
from gorodok_services.assets.stocktaking import error_codes as codes
from gorodok_services.assets.stocktaking import services
from gorodok_services.assets.stocktaking.models import Campaign, Item, MarkChange
from gorodok_services.core.identifiers import inn_complete
from tests.conftest import login
from tests.support.assets import building, holder


def codes_of(exc: ValidationError) -> dict[str, set[str]]:
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


def equipment(tenant, n: int, owner=None, **overrides):
    owner = owner or holder(tenant)
    values = {"kind": "equipment", "name": f"Компьютер № {n}", "right_type": "operational_management",
              "holder": owner, "balance_value": Decimal("250000.00"), "inventory_number": f"ИНВ-{n:04d}",
              "address": "Республика Хакасия, ул. Щетинкина, 20, каб. 1", "included_on": date(2022, 1, 1)}
    values.update(overrides)
    with schema_context(tenant.schema_name):
        return asset_services.asset_create(values=values)


def other_holder(tenant):
    return holder(tenant, inn=inn_complete("190100007"), name="МБУК «Библиотека»")


def open_campaign(tenant, **scope):
    with schema_context(tenant.schema_name):
        return services.campaign_open(name="Инвентаризация 2026", starts_on=date(2026, 1, 10),
                                      ends_on=date(2026, 12, 20), commission="Петров С. Н., председатель", **scope)


@pytest.fixture
def world(alpha):
    school = building(alpha)  # Республика Хакасия, ул. Щетинкина, 20
    owner = school.holder
    items = [equipment(alpha, n, owner) for n in range(1, 5)]
    elsewhere = equipment(alpha, 9, other_holder(alpha), address="Республика Хакасия, ул. Ленина, 1")
    return {"school": school, "owner": owner, "items": items, "elsewhere": elsewhere}


def test_opening_snapshots_the_scope(alpha, world):
    by_holder = open_campaign(alpha, holder=world["owner"], kind="equipment")
    by_building = open_campaign(alpha, building=world["school"])
    with schema_context(alpha.schema_name):
        assert sorted(by_holder.items.values_list("inventory_number", flat=True)) == [
            "ИНВ-0001", "ИНВ-0002", "ИНВ-0003", "ИНВ-0004"]
        assert by_building.items.count() == 4  # the objects at the school's address, not the school itself
        item = by_holder.items.get(inventory_number="ИНВ-0001")
        assert (item.name, item.balance_value, item.mark) == ("Компьютер № 1", Decimal("250000.00"), "")


@pytest.mark.parametrize(("values", "field", "code"), [
    ({}, "holder", codes.EMPTY_SCOPE),
    ({"kind": "vessel"}, "holder", codes.EMPTY_SCOPE),
    ({"kind": "equipment", "ends_on": date(2025, 1, 1)}, "ends_on", codes.INVALID_DATES),
    ({"kind": "equipment", "commission": " "}, "commission", "required"),
])
def test_a_bad_campaign_is_a_typed_error_and_nothing_is_written(alpha, world, values, field, code):
    arguments = {"name": "Инвентаризация", "starts_on": date(2026, 1, 10), "ends_on": date(2026, 2, 1),
                 "commission": "Петров"} | values
    with schema_context(alpha.schema_name):
        with pytest.raises(ValidationError) as caught:
            services.campaign_open(**arguments)
        assert code in codes_of(caught.value)[field]
        assert not Campaign.objects.exists() and not Item.objects.exists()


def test_marking_once_by_item_or_by_number_and_the_bad_marks(alpha, world):
    campaign = open_campaign(alpha, holder=world["owner"], kind="equipment")
    with schema_context(alpha.schema_name):
        first = campaign.items.get(inventory_number="ИНВ-0001")
        services.item_mark(campaign=campaign, item=first, mark="found", source="api")
        by_number = services.item_mark(campaign=campaign, number=world["items"][1].register_number, mark="damaged")
        assert by_number.asset_id == world["items"][1].pk
        refusals = [
            ({"item": first, "mark": "not_found"}, "mark", codes.ALREADY_MARKED),
            ({"number": "ИНВ-0001", "mark": "damaged"}, "mark", codes.ALREADY_MARKED),
            ({"number": "ИНВ-0009", "mark": "found"}, "number", codes.OUTSIDE_CAMPAIGN),  # another holder's
            ({"number": "ИНВ-7777", "mark": "found"}, "number", "not_found"),
            ({"number": "ИНВ-0003", "mark": "found_elsewhere"}, "place", codes.PLACE_REQUIRED),
            ({"number": "ИНВ-0003", "mark": "lost"}, "mark", "invalid_choice"),
            ({"number": " ", "mark": "found"}, "number", codes.NUMBER_REQUIRED),
        ]
        before = MarkChange.objects.count()
        for arguments, field, code in refusals:
            with pytest.raises(ValidationError) as caught:
                services.item_mark(campaign=campaign, **arguments)
            assert code in codes_of(caught.value)[field], arguments
        assert MarkChange.objects.count() == before
        first.refresh_from_db()
        assert first.mark == "found"
        # Changing a mark is its own action, with a reason.
        with pytest.raises(ValidationError) as caught:
            services.item_change_mark(item=first, mark="not_found", reason="")
        assert codes_of(caught.value) == {"reason": {codes.REASON_REQUIRED}}
        unmarked = campaign.items.get(inventory_number="ИНВ-0004")
        with pytest.raises(ValidationError) as caught:
            services.item_change_mark(item=unmarked, mark="found", reason="ошибка")
        assert codes_of(caught.value) == {"mark": {codes.NOT_MARKED}}
        services.item_change_mark(item=first, mark="found_elsewhere", place="каб. 14", reason="перенесён")
        first.refresh_from_db()
        assert (first.mark, first.place) == ("found_elsewhere", "каб. 14")
        assert list(first.mark_changes.values_list("from_mark", "to_mark", "reason")) == [
            ("", "found", ""), ("found", "found_elsewhere", "перенесён")]


def test_closing_applies_proposes_and_records_once(alpha, world, media_root):
    campaign = open_campaign(alpha, holder=world["owner"], kind="equipment")
    one, two, three, four = world["items"]
    with schema_context(alpha.schema_name):
        services.item_mark(campaign=campaign, number="ИНВ-0001", mark="found")
        services.item_mark(campaign=campaign, number="ИНВ-0002", mark="damaged", note="разбит экран")
        services.item_mark(campaign=campaign, number="ИНВ-0003", mark="found_elsewhere", place="каб. 14")
        # ИНВ-0004 is left unmarked: closing counts it as not found.
        with pytest.raises(ValidationError) as caught:
            services.campaign_close(campaign=campaign, on=date.today() + timedelta(days=2))
        assert codes_of(caught.value) == {"on": {codes.INVALID_DATES}}
        result = services.campaign_close(campaign=campaign, on=date(2026, 2, 1) if date.today() >= date(
            2026, 2, 1) else date.today(), source="api")
        assert result.closed_now
        assert result.counts == {"found": 1, "not_found": 1, "damaged": 1, "found_elsewhere": 1, "unmarked": 0,
                                 "total": 4}
        items = {item.inventory_number: item for item in campaign.items.all()}
        assert items["ИНВ-0004"].mark == "not_found" and items["ИНВ-0004"].outcome == "write_off_proposed"
        assert Asset.objects.get(pk=four.pk).lifecycle_status == "in_use"  # never written off by the close
        assert Asset.objects.get(pk=two.pk).lifecycle_status == "under_repair"
        assert AssetTransition.objects.filter(asset=two, to_status="under_repair").count() == 1
        assert items["ИНВ-0002"].outcome == "sent_to_repair"
        place = AssetChange.objects.get(asset=three, action="found_elsewhere")
        assert place.changes["place"][1] == "каб. 14" and items["ИНВ-0003"].outcome == "place_recorded"
        event = OutboxEvent.objects.get(event_type="stocktaking.closed")
        assert event.payload["data"]["counts"]["not_found"] == 1
        assert {d["register_number"] for d in event.payload["data"]["differences"]} == {
            two.register_number, three.register_number, four.register_number}
        campaign.refresh_from_db()
        assert campaign.is_closed and campaign.report
        workbook = load_workbook(io.BytesIO(campaign.report.read()), read_only=True)
        assert workbook.sheetnames == ["Итоги", "Расхождения", "Все объекты"]
        differences = list(workbook["Расхождения"].iter_rows(values_only=True))
        assert len(differences) == 4 and {row[1] for row in differences[1:]} == {"ИНВ-0002", "ИНВ-0003", "ИНВ-0004"}
        # Closing again changes nothing; marking a closed campaign is refused.
        again = services.campaign_close(campaign=campaign)
        assert not again.closed_now and again.counts == result.counts
        assert OutboxEvent.objects.filter(event_type="stocktaking.closed").count() == 1
        assert AssetTransition.objects.filter(asset=two).count() == 1
        with pytest.raises(ValidationError) as caught:
            services.item_mark(campaign=campaign, number="ИНВ-0001", mark="found")
        assert caught.value.code == codes.CAMPAIGN_CLOSED
        with pytest.raises(ValidationError) as caught:
            services.item_change_mark(item=items["ИНВ-0001"], mark="damaged", reason="x")
        assert caught.value.code == codes.CAMPAIGN_CLOSED


def test_a_damaged_object_that_cannot_go_to_repair_is_reported_not_moved(alpha, world, media_root):
    campaign = open_campaign(alpha, holder=world["owner"], kind="equipment")
    one = world["items"][0]
    with schema_context(alpha.schema_name):
        from gorodok_services.assets.lifecycle import asset_transition

        asset_transition(asset=one, to_status="leased", on=date(2022, 2, 1), basis="договор аренды № 5")
        services.item_mark(campaign=campaign, number="ИНВ-0001", mark="damaged")
        services.campaign_close(campaign=campaign, on=date.today())
        item = campaign.items.get(inventory_number="ИНВ-0001")
        assert item.outcome == "not_applied"
        assert Asset.objects.get(pk=one.pk).lifecycle_status == "leased"


# --- the back office ---------------------------------------------------------------------------------------

CAMPAIGNS = "/admin/assets_stocktaking/campaign/"


@pytest.fixture
def signed_in(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    return client


def test_the_back_office_opens_marks_from_a_phone_and_closes(signed_in, alpha, world, media_root):
    form = {"name": "Инвентаризация школы", "starts_on": "2026-01-10", "ends_on": "2026-01-20",
            "commission": "Петров С. Н.", "scope_holder": "", "scope_building": "", "scope_address": "",
            "scope_kind": ""}
    response = signed_in.post(f"{CAMPAIGNS}add/", form, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "errornote" in response.content.decode()  # no scope
    response = signed_in.post(f"{CAMPAIGNS}add/", form | {"scope_building": world["school"].pk}, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:3000]
    with schema_context(alpha.schema_name):
        campaign = Campaign.objects.get()
        assert campaign.items.count() == 4
    mark_url = f"{CAMPAIGNS}{campaign.pk}/mark/"
    page = signed_in.get(mark_url, {"q": "ИНВ-0002"}, HTTP_HOST=alpha.host).content.decode()
    assert "Компьютер № 2" in page and 'value="found_elsewhere"' in page
    with schema_context(alpha.schema_name):
        item = campaign.items.get(inventory_number="ИНВ-0002")
    response = signed_in.post(mark_url, {"item": item.pk, "mark": "found", "q": "ИНВ-0002"}, HTTP_HOST=alpha.host)
    assert response.status_code == 302
    response = signed_in.post(mark_url, {"item": item.pk, "mark": "damaged"}, HTTP_HOST=alpha.host)
    assert response.status_code == 200 and "errornote" in response.content.decode()  # marked twice
    page = signed_in.get(mark_url, {"q": "ИНВ-0009"}, HTTP_HOST=alpha.host).content.decode()
    assert "errornote" in page  # another holder's object is not in this campaign
    response = signed_in.post(mark_url, {"item": item.pk, "mark": "damaged", "change": "1", "reason": "трещина"},
                              HTTP_HOST=alpha.host)
    assert response.status_code == 302
    page_url = f"{CAMPAIGNS}{campaign.pk}/page/"
    response = signed_in.post(page_url, {"on": date.today().isoformat()}, HTTP_HOST=alpha.host)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = signed_in.get(page_url, HTTP_HOST=alpha.host).content.decode()
    assert "report/" in page
    response = signed_in.get(f"{CAMPAIGNS}{campaign.pk}/report/", HTTP_HOST=alpha.host)
    assert response.status_code == 200
    sheets = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).sheetnames
    assert sheets[1] == "Расхождения"
    with schema_context(alpha.schema_name):
        item.refresh_from_db()
        assert (item.mark, item.outcome) == ("damaged", "sent_to_repair")


def test_another_municipalitys_campaign_is_not_found(signed_in, alpha, beta, world, media_root):
    theirs_building = building(beta, name="Чужая школа")
    equipment(beta, 1, theirs_building.holder)
    theirs = open_campaign(beta, holder=theirs_building.holder)
    ours = open_campaign(alpha, holder=world["owner"])
    other_pk = theirs.pk if theirs.pk != ours.pk else theirs.pk + 1000
    with schema_context(beta.schema_name):
        their_pk = theirs.pk
    for suffix in ("page/", "mark/", "report/"):
        response = signed_in.get(f"{CAMPAIGNS}{other_pk}/{suffix}", HTTP_HOST=alpha.host)
        assert response.status_code == 404 or "Чужая школа" not in response.content.decode()
    response = signed_in.post(f"{CAMPAIGNS}{ours.pk}/mark/", {"item": 10**9, "mark": "found"}, HTTP_HOST=alpha.host)
    assert response.status_code == 404
    with schema_context(beta.schema_name):
        assert Campaign.objects.get(pk=their_pk).status == "open"
        assert not MarkChange.objects.exists()


def test_demo_data_bring_depreciation_terms_and_one_closed_stocktaking_once(alpha, media_root):
    from django.core.management import call_command

    from gorodok_services.assets.depreciation.models import CategoryDefault, DepreciationProfile

    call_command("seed_demo", schema=alpha.schema_name, modules=["assets"], quiet=True)
    with schema_context(alpha.schema_name):
        campaign = Campaign.objects.get()
        assert campaign.is_closed and campaign.report
        assert set(campaign.items.values_list("outcome", flat=True)) >= {
            "write_off_proposed", "sent_to_repair", "place_recorded"}
        assert CategoryDefault.objects.count() == 5 and DepreciationProfile.objects.count() == 1
        counts = (Campaign.objects.count(), Item.objects.count(), CategoryDefault.objects.count(),
                  AssetChange.objects.count())
    call_command("seed_demo", schema=alpha.schema_name, modules=["assets"], quiet=True)
    with schema_context(alpha.schema_name):
        assert (Campaign.objects.count(), Item.objects.count(), CategoryDefault.objects.count(),
                AssetChange.objects.count()) == counts
