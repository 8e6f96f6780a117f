"""The committed SDL is the contract with integrators: any change must show up as a diff, and a breaking
change against the released baseline fails unless the changelog declares it with a deprecation period."""

import json
from datetime import date, timedelta

import pytest

from gorodok_graphql.snapshot import (
    CHANGELOG,
    DEPRECATION_PERIOD_DAYS,
    SNAPSHOTS,
    DeclaredChange,
    baseline_path,
    check_breaking,
    judge,
    live_sdl,
    load_changelog,
    main,
    parse_changelog,
)
from graphql import ObjectTypeDefinitionNode, parse, print_ast


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


# --- Breaking changes against the released baselines -------------------------------------------------

TODAY = date(2026, 7, 1)


def _declared(covers: str, *, days: int = DEPRECATION_PERIOD_DAYS, ended_days_ago: int = 1, schema="tenant",
              type="FIELD_REMOVED") -> DeclaredChange:
    removable_after = TODAY - timedelta(days=ended_days_ago)
    return DeclaredChange(schema=schema, type=type, covers=covers,
                          deprecated_on=removable_after - timedelta(days=days), removable_after=removable_after)


def _edit_type(sdl: str, type_name: str, edit) -> str:
    """The SDL with ``edit(fields) -> fields`` applied to one object type's field definitions."""
    document = parse(sdl)
    definitions = []
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeDefinitionNode) and definition.name.value == type_name:
            definition = ObjectTypeDefinitionNode(
                name=definition.name, description=definition.description, interfaces=definition.interfaces,
                directives=definition.directives, fields=tuple(edit(list(definition.fields))),
            )
        definitions.append(definition)
    document.definitions = tuple(definitions)
    return print_ast(document) + "\n"


def _without_field(sdl: str, type_name: str, field: str) -> str:
    edited = _edit_type(sdl, type_name, lambda fields: [f for f in fields if f.name.value != field])
    assert edited != print_ast(parse(sdl)) + "\n", f"{type_name}.{field} is not in the schema"
    return edited


def _with_field(sdl: str, type_name: str, field: str, deprecated: bool = False) -> str:
    directive = ' @deprecated(reason: "Gone soon.")' if deprecated else ""
    node = parse(f"type X {{ {field}: String{directive} }}").definitions[0].fields[0]
    return _edit_type(sdl, type_name, lambda fields: [*fields, node])


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_released_baselines_exist_and_parse(name):
    from graphql import build_schema

    assert build_schema(baseline_path(name).read_text(encoding="utf-8")).query_type is not None


def test_live_schemas_have_no_undeclared_breaking_changes():
    verdicts, problems = check_breaking()
    assert not problems, problems
    assert {verdict.schema for verdict in verdicts} == set(SNAPSHOTS)
    failures = [f"[{verdict.schema}] {failure}" for verdict in verdicts for failure in verdict.failures]
    assert not failures, "\n".join(failures)


def test_the_changelog_is_well_formed_with_full_deprecation_periods():
    assert CHANGELOG.exists()
    entries, problems = load_changelog(CHANGELOG)
    assert not problems, problems
    for entry in entries:
        assert (entry.removable_after - entry.deprecated_on).days >= DEPRECATION_PERIOD_DAYS, entry


def test_a_removed_field_of_the_real_schema_is_breaking_and_fails():
    released = baseline_path("tenant").read_text(encoding="utf-8")
    live = _without_field(released, "Appeal", "subject")
    verdict = judge("tenant", released, live, [], TODAY)
    assert not verdict.ok
    assert verdict.failures == ["FIELD_REMOVED: Appeal.subject was removed. -- not declared in schema_changes.json"]
    # Declared with a full period, but the released schema never warned integrators with @deprecated.
    verdict = judge("tenant", released, live, [_declared("Appeal.subject")], TODAY)
    assert [failure.split(" -- ")[1] for failure in verdict.failures] == [
        "the released schema does not mark it @deprecated"]
    # An entry for the other API, or of another kind, does not cover it.
    for entry in (_declared("Appeal.subject", schema="region"), _declared("Appeal.subject", type="TYPE_REMOVED")):
        assert "not declared" in judge("tenant", released, live, [entry], TODAY).failures[0]


def test_additions_are_not_breaking_and_dangerous_changes_are_warnings():
    old = 'enum Status { OPEN CLOSED }\ntype Query { appeals(status: Status): [String!]! }'
    new = ('enum Status { OPEN CLOSED ARCHIVED }\n'
           'type Query { appeals(status: Status, first: Int = 10): [String!]! total: Int! }')
    verdict = judge("tenant", old, new, [], TODAY)
    assert verdict.ok
    assert any(warning.startswith("VALUE_ADDED_TO_ENUM: ARCHIVED") for warning in verdict.warnings)
    assert any(warning.startswith("OPTIONAL_ARG_ADDED") for warning in verdict.warnings)


OLD = """enum Status { OPEN CLOSED @deprecated(reason: "Use OPEN.") }
type Query {
  appeals(status: Status, legacyFilter: String @deprecated(reason: "Use status.")): [String!]!
  legacy: String @deprecated(reason: "Use appeals.")
  plain: String
}"""
NEW = """enum Status { OPEN }
type Query {
  appeals(status: Status): [String!]!
  plain: String
}"""


def test_a_declared_removal_after_a_full_deprecation_period_passes():
    declared = [_declared("Query.legacy"), _declared("Query.appeals arg legacyFilter", type="ARG_REMOVED"),
                _declared("CLOSED was removed from enum type Status", type="VALUE_REMOVED_FROM_ENUM")]
    verdict = judge("tenant", OLD, NEW, declared, TODAY)
    assert verdict.ok, verdict.failures
    assert len(verdict.declared) == 3


@pytest.mark.parametrize(("days", "ended_days_ago", "why"), [
    (DEPRECATION_PERIOD_DAYS - 1, 1, f"at least {DEPRECATION_PERIOD_DAYS} are needed"),
    (30, 400, f"at least {DEPRECATION_PERIOD_DAYS} are needed"),
    (DEPRECATION_PERIOD_DAYS, 0, "removable only after"),  # the last day of the period: not yet
    (365, -10, "removable only after"),
])
def test_a_removal_before_its_deprecation_period_has_run_fails(days, ended_days_ago, why):
    declared = [_declared("Query.legacy", days=days, ended_days_ago=ended_days_ago),
                _declared("Query.appeals arg legacyFilter", type="ARG_REMOVED"),
                _declared("CLOSED was removed from enum type Status", type="VALUE_REMOVED_FROM_ENUM")]
    verdict = judge("tenant", OLD, NEW, declared, TODAY)
    assert len(verdict.failures) == 1 and verdict.failures[0].startswith("FIELD_REMOVED: Query.legacy was removed.")
    assert why in verdict.failures[0]


def test_removing_what_was_never_deprecated_fails_even_when_declared():
    new = NEW.replace("  plain: String\n", "")
    declared = [_declared("Query.legacy"), _declared("Query.plain"),
                _declared("Query.appeals arg legacyFilter", type="ARG_REMOVED"),
                _declared("CLOSED was removed from enum type Status", type="VALUE_REMOVED_FROM_ENUM")]
    verdict = judge("tenant", OLD, new, declared, TODAY)
    assert verdict.failures == ["FIELD_REMOVED: Query.plain was removed. -- the released schema does not mark it "
                                "@deprecated"]


def test_changes_that_cannot_carry_deprecated_need_only_the_declaration():
    old = "type Query { appeals: [String!]! }\ntype Legacy { id: String! }"
    new = "type Query { appeals: [String!]! }"
    assert not judge("tenant", old, new, [], TODAY).ok
    assert judge("tenant", old, new, [_declared("Legacy", type="TYPE_REMOVED")], TODAY).ok


def test_malformed_changelog_entries_are_reported():
    entries, problems = parse_changelog({"changes": [
        {"schema": "tenant", "type": "FIELD_REMOVED", "covers": "Appeal.x", "deprecated_on": "2026-01-01",
         "removable_after": "2026-04-01"},
        {"schema": "city", "type": "FIELD_REMOVED", "covers": "x", "deprecated_on": "2026-01-01",
         "removable_after": "2026-04-01"},
        {"schema": "tenant", "type": "FIELD_GONE", "covers": "x", "deprecated_on": "2026-01-01",
         "removable_after": "2026-04-01"},
        {"schema": "tenant", "type": "FIELD_REMOVED", "covers": "x", "deprecated_on": "1 Jan 2026",
         "removable_after": "2026-04-01"},
        {"schema": "tenant", "type": "FIELD_REMOVED", "deprecated_on": "2026-01-01"},
    ]})
    assert [entry.covers for entry in entries] == ["Appeal.x"]
    assert len(problems) == 4
    assert "missing covers, removable_after" in problems[3]
    assert parse_changelog([])[1] == ['the changelog must be an object with a "changes" list']


# --- The command line ----------------------------------------------------------------------------------


@pytest.fixture
def baselines(tmp_path):
    """A baseline directory holding the live schemas, and an empty changelog next to it."""
    directory = tmp_path / "released"
    directory.mkdir()
    for name in SNAPSHOTS:
        baseline_path(name, directory).write_text(live_sdl(name), encoding="utf-8")
    changelog = tmp_path / "changes.json"
    changelog.write_text(json.dumps({"changes": []}), encoding="utf-8")
    return directory, changelog


def _cli(directory, changelog, *extra) -> int:
    return main(["--check-breaking", "--baseline-dir", str(directory), "--changelog", str(changelog), *extra])


def test_cli_passes_when_nothing_broke(baselines, capsys):
    assert _cli(*baselines) == 0
    assert "ERROR" not in capsys.readouterr().out


def test_cli_fails_on_an_undeclared_breaking_change(baselines, capsys):
    directory, changelog = baselines
    # The released tenant API had a field the live one no longer has.
    released = baseline_path("tenant", directory)
    released.write_text(_with_field(released.read_text(encoding="utf-8"), "Appeal", "legacyNumber"), encoding="utf-8")
    assert _cli(directory, changelog) == 1
    out = capsys.readouterr().out
    assert "ERROR [tenant] breaking change FIELD_REMOVED: Appeal.legacyNumber was removed. -- not declared" in out
    # --release refuses to make a schema with an undeclared breaking change the new baseline.
    before = released.read_text(encoding="utf-8")
    assert main(["--release", "--baseline-dir", str(directory), "--changelog", str(changelog)]) == 1
    assert released.read_text(encoding="utf-8") == before


def test_cli_accepts_a_declared_removal_and_release_rewrites_the_baselines(baselines, capsys):
    directory, changelog = baselines
    released = baseline_path("tenant", directory)
    released.write_text(_with_field(released.read_text(encoding="utf-8"), "Appeal", "legacyNumber", deprecated=True),
                        encoding="utf-8")
    changelog.write_text(json.dumps({"changes": [{
        "schema": "tenant", "type": "FIELD_REMOVED", "covers": "Appeal.legacyNumber",
        "deprecated_on": "2026-01-05", "removable_after": "2026-04-05", "note": "Use registrationNumber.",
    }]}), encoding="utf-8")
    assert _cli(directory, changelog, "--today", "2026-04-05") == 1  # the period's last day
    assert "removable only after 2026-04-05" in capsys.readouterr().out
    assert _cli(directory, changelog, "--today", "2026-04-06") == 0
    assert "ok [tenant] declared breaking change FIELD_REMOVED: Appeal.legacyNumber" in capsys.readouterr().out

    assert main(["--release", "--baseline-dir", str(directory), "--changelog", str(changelog),
                 "--today", "2026-04-06"]) == 0
    assert released.read_text(encoding="utf-8") == live_sdl("tenant")


def test_cli_fails_on_a_missing_baseline(baselines, capsys):
    directory, changelog = baselines
    baseline_path("region", directory).unlink()
    assert _cli(directory, changelog) == 1
    assert "schema_region.graphql is missing" in capsys.readouterr().out
