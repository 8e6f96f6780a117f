"""The appeals API's vocabulary checked against the services'."""

from __future__ import annotations

from gorodok_graphql.appeals.enums import AppealErrorCode
from gorodok_graphql.snapshot import live_sdl
from gorodok_services.appeals import error_codes


def test_error_codes_cover_the_services():
    members = set(AppealErrorCode._meta.enum.__members__)
    assert {code.upper() for code in error_codes.ALL} <= members
    assert {"INVALID", "REQUIRED", "NOT_FOUND", "INVALID_CHOICE", "MAX_LENGTH"} <= members


def test_tenant_schema_has_the_appeals_api_and_the_region_has_not():
    tenant, region = live_sdl("tenant"), live_sdl("region")
    for name in ("appeals(", "appeal(", "appealStatus(", "receiveAppeal(", "leaveAppealWithoutAnswer("):
        assert name in tenant
        assert name not in region
    connection_block = tenant.split("type AppealConnection", 1)[1].split("}", 1)[0]
    assert "totalCount: Int!" in connection_block
