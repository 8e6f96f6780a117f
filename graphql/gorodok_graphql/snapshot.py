"""The committed SDL snapshots of both APIs: ``python -m gorodok_graphql.snapshot [--write]``.

Every API change shows up as a diff of these files; a test fails when the live schema differs.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SNAPSHOT_DIR = Path(__file__).resolve().parent
SNAPSHOTS = {
    "tenant": ("gorodok_graphql.tenant_schema", SNAPSHOT_DIR / "schema_tenant.graphql"),
    "region": ("gorodok_graphql.region_schema", SNAPSHOT_DIR / "schema_region.graphql"),
}


def live_sdl(name: str) -> str:
    """The schema as SDL, with descriptions in English (model help texts are translatable)."""
    import importlib

    from django.utils import translation

    from graphql import print_schema

    module, _ = SNAPSHOTS[name]
    with translation.override("en"):
        return print_schema(importlib.import_module(module).schema.graphql_schema).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="Rewrite the snapshots from the live schemas.")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gorodok_platform.settings")
    os.environ.setdefault("GORODOK_ENV", "test")
    import django

    django.setup()
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
