"""Open311 requests tied to register objects: by the service attribute ``asset_register_number``, or else
the nearest object in the register with coordinates within the configured radius of lat/long."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from gorodok_services.appeals.models import Appeal
from gorodok_services.assets import services as asset_services
from tests.support.assets import building
from tests.support.open311 import api_client, get, post

ATTRIBUTE = "attribute[asset_register_number]"
SCHOOL = (53.719, 91.429)  # the test building's coordinates
METRE = 1 / 111_320  # of latitude, in degrees


def linked(tenant, number: str):
    with schema_context(tenant.schema_name):
        question = Appeal.objects.get(registration_number=number).questions.get()
        return question.asset.register_number if question.asset_id else None


def remove(tenant, asset) -> None:
    with schema_context(tenant.schema_name):
        asset_services.asset_remove(asset=asset, removed_on=date(2024, 6, 1), reason="снос",
                                    document=asset_services.DocumentInput(kind="write_off", number="3",
                                                                          date=date(2024, 6, 1)))


def north(metres: float) -> dict:
    return {"lat": f"{SCHOOL[0] + metres * METRE:.6f}", "long": f"{SCHOOL[1]:.6f}"}


@pytest.fixture
def school(alpha):
    return building(alpha)


@pytest.fixture
def token(alpha):
    return api_client(alpha)


def test_the_service_definition_declares_the_attribute(client, alpha):
    status, body = get(client, alpha, "v2/services/0005.0005.0057.1153.json")
    attribute = body["attributes"][0]
    assert (attribute["code"], attribute["variable"], attribute["required"]) == ("asset_register_number", True, False)


def test_the_attribute_names_the_object(client, alpha, school, token):
    status, body = post(client, alpha, token, **{ATTRIBUTE: school.register_number}, **north(5000))
    assert status == 200, body
    assert linked(alpha, body[0]["service_request_id"]) == school.register_number


@pytest.mark.parametrize("number", ["1.999999", "x" * 300])
def test_an_unknown_register_number_is_400(client, alpha, school, token, number):
    status, body = post(client, alpha, token, **{ATTRIBUTE: number})
    assert status == 400 and "asset_register_number" in body[0]["description"]
    with schema_context(alpha.schema_name):
        assert not Appeal.objects.exists()


def test_a_removed_object_is_400_by_number_and_skipped_by_coordinates(client, alpha, school, token):
    remove(alpha, school)
    status, body = post(client, alpha, token, **{ATTRIBUTE: school.register_number})
    assert status == 400 and "removed from the register" in body[0]["description"]
    status, body = post(client, alpha, token, **north(10))
    assert status == 200 and linked(alpha, body[0]["service_request_id"]) is None


def test_the_nearest_object_within_the_radius(client, alpha, school, token, settings):
    boiler = building(alpha, name="Котельная № 2", cadastral_number="19:01:030101:18",
                      latitude=f"{SCHOOL[0] + 80 * METRE:.6f}", longitude=f"{SCHOOL[1]:.6f}")
    building(alpha, name="Без координат", cadastral_number="19:01:030101:19", latitude=None, longitude=None)
    status, body = post(client, alpha, token, **north(30))
    assert linked(alpha, body[0]["service_request_id"]) == school.register_number  # 30 m against 50 m
    status, body = post(client, alpha, token, **north(60), description="ближе к котельной")
    assert linked(alpha, body[0]["service_request_id"]) == boiler.register_number  # 20 m against 60 m
    status, body = post(client, alpha, token, **north(-150), description="далеко")
    assert status == 200 and linked(alpha, body[0]["service_request_id"]) is None  # nothing within 100 m
    settings.OPEN311_ASSET_RADIUS_METERS = 200
    status, body = post(client, alpha, token, **north(-150), description="далеко, радиус больше")
    assert linked(alpha, body[0]["service_request_id"]) == school.register_number
    status, body = post(client, alpha, token, description="только адрес")  # no coordinates: no object
    assert linked(alpha, body[0]["service_request_id"]) is None


def test_the_distance_is_measured_east_west_too(client, alpha, school, token):
    metres_per_degree = 111_320 * 0.5925  # cos(53.719°)
    east = {"lat": f"{SCHOOL[0]:.6f}", "long": f"{SCHOOL[1] + 90 / metres_per_degree:.6f}"}
    status, body = post(client, alpha, token, **east)
    assert linked(alpha, body[0]["service_request_id"]) == school.register_number
    east = {"lat": f"{SCHOOL[0]:.6f}", "long": f"{SCHOOL[1] + 110 / metres_per_degree:.6f}"}
    status, body = post(client, alpha, token, **east, description="110 м к востоку")
    assert linked(alpha, body[0]["service_request_id"]) is None


def test_another_municipalitys_objects_are_never_linked(client, alpha, beta, token):
    theirs = building(beta)  # the same coordinates, in the other municipality's register
    status, body = post(client, alpha, token, **north(0))
    assert status == 200 and linked(alpha, body[0]["service_request_id"]) is None
    with schema_context(alpha.schema_name):
        from gorodok_services.assets.models import Asset

        assert not Asset.objects.filter(register_number=theirs.register_number).exists()
    status, body = post(client, alpha, token, **{ATTRIBUTE: theirs.register_number}, description="чужой")
    assert status == 400


def test_without_the_register_there_is_no_attribute(client, alpha, school, token):
    from gorodok_tenants.routing import forget_hosts

    alpha.municipality.disabled_modules = ["assets"]
    alpha.municipality.save()
    forget_hosts(alpha.host)
    status, body = get(client, alpha, "v2/services/0005.0005.0057.1153.json")
    assert body["attributes"] == []
    status, body = post(client, alpha, token, **{ATTRIBUTE: school.register_number})
    assert status == 400 and "not kept here" in body[0]["description"]
    status, body = post(client, alpha, token, **north(0))
    assert status == 200 and linked(alpha, body[0]["service_request_id"]) is None
