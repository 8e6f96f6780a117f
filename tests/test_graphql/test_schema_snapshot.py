"""The committed SDL is the contract with integrators: any change must show up as a diff."""

import pytest

from gorodok_graphql.snapshot import SNAPSHOTS, live_sdl


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_committed_schema_matches_the_live_one(name):
    _, path = SNAPSHOTS[name]
    assert path.exists(), f"{path.name} is missing: run python -m gorodok_graphql.snapshot --write"
    assert path.read_text(encoding="utf-8") == live_sdl(name), (
        f"{path.name} is out of date: run python -m gorodok_graphql.snapshot --write and review the diff"
    )


def test_every_list_is_a_counted_connection():
    sdl = live_sdl("region")
    assert "type RegionMunicipalityConnection" in sdl
    connection_block = sdl.split("type RegionMunicipalityConnection", 1)[1].split("}", 1)[0]
    assert "totalCount: Int!" in connection_block
