"""Translation catalogs without GNU gettext: ``python -m gorodok_platform.i18n compile|check``.

``compile`` turns every ``locale/<lang>/LC_MESSAGES/django.po`` of the Gorodok packages into the
``.mo`` file Django reads (only when the ``.po`` is newer); ``check`` fails on fuzzy entries and on
untranslated entries in languages other than the source language (English).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import polib

PACKAGES = ("gorodok_platform", "gorodok_tenants", "gorodok_services", "gorodok_graphql")
SOURCE_LANGUAGE = "en"


def package_catalogs(packages: Iterable[str] = PACKAGES) -> list[Path]:
    """The ``django.po`` files of the given packages, wherever they are installed."""
    catalogs: list[Path] = []
    for package in packages:
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            catalogs.extend(sorted(Path(location).glob("**/locale/*/LC_MESSAGES/django.po")))
    return catalogs


def compile_catalog(po_path: Path, *, force: bool = False) -> bool:
    """Write ``<po_path>.mo``; returns False when it was already up to date."""
    mo_path = po_path.with_suffix(".mo")
    if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return False
    catalog = polib.pofile(str(po_path))
    # Django skips fuzzy entries like msgfmt does; polib would include them.
    for entry in catalog.fuzzy_entries():
        catalog.remove(entry)
    catalog.save_as_mofile(str(mo_path))
    return True


def catalog_problems(po_path: Path) -> list[str]:
    catalog = polib.pofile(str(po_path))
    language = po_path.parents[1].name
    problems = [f"{po_path}:{entry.linenum}: fuzzy: {entry.msgid!r}" for entry in catalog.fuzzy_entries()]
    if language != SOURCE_LANGUAGE:
        problems += [f"{po_path}:{entry.linenum}: untranslated: {entry.msgid!r}"
                     for entry in catalog.untranslated_entries()]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gorodok_platform.i18n",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("compile", "check"))
    parser.add_argument("catalogs", nargs="*", type=Path, help="django.po files (default: all of Gorodok's)")
    parser.add_argument("--force", action="store_true", help="Compile even when the .mo is up to date.")
    args = parser.parse_args(argv)
    catalogs = args.catalogs or package_catalogs()
    if args.action == "compile":
        compiled = [path for path in catalogs if compile_catalog(path, force=args.force)]
        if compiled:
            print(f"compiled {len(compiled)} translation catalog(s)")
        return 0
    problems = [problem for path in catalogs for problem in catalog_problems(path)]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
