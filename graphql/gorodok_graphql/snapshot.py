"""The committed SDL snapshots of both APIs, and the check that keeps them compatible.

    python -m gorodok_graphql.snapshot              # fail when a snapshot differs from the live schema
    python -m gorodok_graphql.snapshot --write      # rewrite the snapshots from the live schemas
    python -m gorodok_graphql.snapshot --check-breaking
    python -m gorodok_graphql.snapshot --release    # at release time: the live schemas become the baselines

Every API change shows up as a diff of the snapshots; a test fails when the live schema differs.

``released/schema_<name>.graphql`` are the baselines: the contract integrators have, rewritten only at
release time. ``--check-breaking`` compares each live schema with its baseline using graphql-core's
``find_breaking_changes``. A breaking change fails the check unless ``schema_changes.json`` declares it
with a deprecation period of at least ``DEPRECATION_PERIOD_DAYS`` that has ended:

    {"schema": "tenant", "type": "FIELD_REMOVED", "covers": "Appeal.externalNumber",
     "deprecated_on": "2026-03-01", "removable_after": "2026-06-01",
     "note": "Use externalReference."}

``type`` is a ``BreakingChangeType`` name and ``covers`` a part of the change's description (what the
check prints). A removed field, argument or enum value must also carry ``@deprecated`` in the baseline:
integrators are warned in the schema itself, for a whole release, before anything disappears. Dangerous
changes (``find_dangerous_changes``: an enum value or an optional argument added, a default changed) are
printed as warnings and do not fail the check.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

SNAPSHOT_DIR = Path(__file__).resolve().parent
SNAPSHOTS = {
    "tenant": ("gorodok_graphql.tenant_schema", SNAPSHOT_DIR / "schema_tenant.graphql"),
    "region": ("gorodok_graphql.region_schema", SNAPSHOT_DIR / "schema_region.graphql"),
}
BASELINE_DIR = SNAPSHOT_DIR / "released"
CHANGELOG = SNAPSHOT_DIR / "schema_changes.json"
# The shortest time between deprecating something in a release and removing it.
DEPRECATION_PERIOD_DAYS = 90
ENTRY_FIELDS = ("schema", "type", "covers", "deprecated_on", "removable_after")

# What a removal's description names, for the @deprecated the baseline must carry (graphql-core's wording).
_REMOVED_FIELD = re.compile(r"^(?P<type>\w+)\.(?P<field>\w+) was removed\.$")
_REMOVED_ARG = re.compile(r"^(?P<type>\w+)\.(?P<field>\w+) arg (?P<arg>\w+) was removed\.$")
_REMOVED_VALUE = re.compile(r"^(?P<value>\w+) was removed from enum type (?P<type>\w+)\.$")


def baseline_path(name: str, baseline_dir: Path = BASELINE_DIR) -> Path:
    return Path(baseline_dir) / f"schema_{name}.graphql"


def live_sdl(name: str) -> str:
    """The schema as SDL, with descriptions in English (model help texts are translatable)."""
    import importlib

    from django.utils import translation

    from graphql import print_schema

    module, _ = SNAPSHOTS[name]
    with translation.override("en"):
        return print_schema(importlib.import_module(module).schema.graphql_schema).rstrip() + "\n"


# --- The changelog -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredChange:
    schema: str
    type: str
    covers: str
    deprecated_on: date
    removable_after: date
    note: str = ""

    def matches(self, schema: str, change) -> bool:
        return self.schema == schema and self.type == change.type.name and self.covers in change.description

    def describe(self) -> str:
        return (f"{self.schema} {self.type} {self.covers!r} (deprecated {self.deprecated_on}, "
                f"removable after {self.removable_after})")


def parse_changelog(data: dict) -> tuple[list[DeclaredChange], list[str]]:
    """The declared changes, and what is wrong with the entries that could not be read."""
    from graphql.utilities import BreakingChangeType

    entries, problems = [], []
    raw = data.get("changes") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return [], ['the changelog must be an object with a "changes" list']
    for index, item in enumerate(raw):
        where = f"changes[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: not an object")
            continue
        missing = [name for name in ENTRY_FIELDS if not item.get(name)]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        if item["schema"] not in SNAPSHOTS:
            problems.append(f"{where}: schema must be one of {', '.join(sorted(SNAPSHOTS))}")
            continue
        if item["type"] not in BreakingChangeType.__members__:
            problems.append(f"{where}: {item['type']!r} is not a BreakingChangeType "
                            f"({', '.join(BreakingChangeType.__members__)})")
            continue
        try:
            deprecated_on = date.fromisoformat(item["deprecated_on"])
            removable_after = date.fromisoformat(item["removable_after"])
        except (TypeError, ValueError):
            problems.append(f"{where}: dates must be YYYY-MM-DD")
            continue
        entries.append(DeclaredChange(
            schema=item["schema"], type=item["type"], covers=str(item["covers"]), deprecated_on=deprecated_on,
            removable_after=removable_after, note=str(item.get("note", "")),
        ))
    return entries, problems


def load_changelog(path: Path = CHANGELOG) -> tuple[list[DeclaredChange], list[str]]:
    path = Path(path)
    if not path.exists():
        return [], []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        return [], [f"{path.name} is not valid JSON: {error}"]
    return parse_changelog(data)


# --- The check ---------------------------------------------------------------------------------------


@dataclass
class Verdict:
    """What comparing one schema with its baseline found. ``failures`` fail the build."""

    schema: str
    failures: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # breaking, but declared and past their period
    warnings: list[str] = field(default_factory=list)  # dangerous changes

    @property
    def ok(self) -> bool:
        return not self.failures


def _deprecated_in_baseline(old_schema, description: str) -> bool | None:
    """Whether what a removal names carried @deprecated in the baseline; None when @deprecated cannot
    apply (a type, a union member, an interface...)."""
    from graphql import GraphQLEnumType

    if match := _REMOVED_ARG.match(description):
        owner = old_schema.get_type(match["type"])
        arg = owner.fields[match["field"]].args.get(match["arg"])
        return bool(arg is not None and arg.deprecation_reason)
    if match := _REMOVED_FIELD.match(description):
        owner = old_schema.get_type(match["type"])
        removed = getattr(owner, "fields", {}).get(match["field"])
        return bool(removed is not None and removed.deprecation_reason)
    if match := _REMOVED_VALUE.match(description):
        owner = old_schema.get_type(match["type"])
        if isinstance(owner, GraphQLEnumType) and match["value"] in owner.values:
            return bool(owner.values[match["value"]].deprecation_reason)
        return False
    return None


def judge(schema: str, released_sdl: str, live, declared: list[DeclaredChange], today: date) -> Verdict:
    """Compare ``live`` (SDL or a GraphQLSchema) with the released SDL of ``schema`` (tenant|region).

    A breaking change passes only when an entry of ``declared`` covers it, the entry's period is at least
    DEPRECATION_PERIOD_DAYS long and has ended (``today`` is after ``removable_after``), and, for a removed
    field, argument or enum value, the baseline marks it @deprecated."""
    from graphql.utilities import find_breaking_changes, find_dangerous_changes

    from graphql import GraphQLSchema, build_schema

    old = build_schema(released_sdl)
    new = live if isinstance(live, GraphQLSchema) else build_schema(live)
    verdict = Verdict(schema=schema)
    for change in find_dangerous_changes(old, new):
        verdict.warnings.append(f"{change.type.name}: {change.description}")
    for change in find_breaking_changes(old, new):
        label = f"{change.type.name}: {change.description}"
        entry = next((item for item in declared if item.matches(schema, change)), None)
        if entry is None:
            verdict.failures.append(f"{label} -- not declared in {CHANGELOG.name}")
            continue
        period = (entry.removable_after - entry.deprecated_on).days
        if period < DEPRECATION_PERIOD_DAYS:
            verdict.failures.append(
                f"{label} -- declared with a deprecation period of {period} days, "
                f"at least {DEPRECATION_PERIOD_DAYS} are needed")
        elif today <= entry.removable_after:
            verdict.failures.append(
                f"{label} -- removable only after {entry.removable_after} (deprecated on {entry.deprecated_on})")
        elif _deprecated_in_baseline(old, change.description) is False:
            verdict.failures.append(f"{label} -- the released schema does not mark it @deprecated")
        else:
            verdict.declared.append(f"{label} -- {entry.describe()}")
    return verdict


def check_breaking(
    *, baseline_dir: Path = BASELINE_DIR, changelog: Path = CHANGELOG, today: date | None = None,
    live: dict[str, str] | None = None,
) -> tuple[list[Verdict], list[str]]:
    """Every schema's verdict against its baseline, and the changelog's own problems (which also fail).

    ``live`` maps schema names to SDL; by default the live schemas are built."""
    today = today or datetime.now(UTC).date()
    declared, problems = load_changelog(changelog)
    verdicts = []
    for name in SNAPSHOTS:
        path = baseline_path(name, baseline_dir)
        if not path.exists():
            problems.append(f"{path} is missing: run python -m gorodok_graphql.snapshot --release")
            continue
        sdl = live[name] if live is not None else live_sdl(name)
        verdicts.append(judge(name, path.read_text(encoding="utf-8"), sdl, declared, today))
    return verdicts, problems


def _print_check(verdicts: list[Verdict], problems: list[str]) -> bool:
    for problem in problems:
        print(f"ERROR {problem}")
    for verdict in verdicts:
        for warning in verdict.warnings:
            print(f"warning [{verdict.schema}] dangerous change {warning}")
        for item in verdict.declared:
            print(f"ok [{verdict.schema}] declared breaking change {item}")
        for failure in verdict.failures:
            print(f"ERROR [{verdict.schema}] breaking change {failure}")
    ok = not problems and all(verdict.ok for verdict in verdicts)
    if not ok:
        print(f"Breaking changes must be declared in graphql/gorodok_graphql/{CHANGELOG.name} with a deprecation "
              f"period of at least {DEPRECATION_PERIOD_DAYS} days that has ended, after a release that marked "
              f"them @deprecated.")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="Rewrite the snapshots from the live schemas.")
    mode.add_argument("--check-breaking", action="store_true",
                      help="Fail on breaking changes against the released baselines that the changelog "
                           "does not declare.")
    mode.add_argument("--release", action="store_true",
                      help="Make the live schemas the released baselines (after the breaking-change check).")
    parser.add_argument("--baseline-dir", type=Path, default=BASELINE_DIR, help="Where the baselines are.")
    parser.add_argument("--changelog", type=Path, default=CHANGELOG, help="The changelog of breaking changes.")
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="Judge as of this date.")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gorodok_platform.settings")
    os.environ.setdefault("GORODOK_ENV", "test")
    import django
    from django.apps import apps

    if not apps.ready:  # already set up when called from the test suite
        django.setup()
    if args.check_breaking or args.release:
        verdicts, problems = check_breaking(baseline_dir=args.baseline_dir, changelog=args.changelog,
                                            today=args.today)
        if not _print_check(verdicts, problems):
            return 1
        if args.release:
            args.baseline_dir.mkdir(parents=True, exist_ok=True)
            for name in SNAPSHOTS:
                baseline_path(name, args.baseline_dir).write_text(live_sdl(name), encoding="utf-8")
            print(f"Released: the live schemas are now the baselines in {args.baseline_dir}.")
        return 0
    stale = []
    for name, (_, path) in SNAPSHOTS.items():
        sdl = live_sdl(name)
        if args.write:
            path.write_text(sdl, encoding="utf-8")
        elif not path.exists() or path.read_text(encoding="utf-8") != sdl:
            stale.append(path.name)
    if stale:
        print("Out of date: " + ", ".join(stale) + ". Run: python -m gorodok_graphql.snapshot --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
