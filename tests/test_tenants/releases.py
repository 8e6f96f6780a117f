"""Simulated releases for the upgrade tests and benchmark: an app's real migrations plus new ones.

``make_release`` writes a package whose ``migrations`` subpackage lists the app's real migration
directory on its ``__path__`` next to its own, so the loader sees the real migrations (same names,
already applied) followed by the release's; ``settings.MIGRATION_MODULES[app] = release.module``
switches it on, in this process or (``release.environ()``) in a subprocess started with
``upgrade_driver``.
"""

from __future__ import annotations

import importlib
import json
import os
import secrets
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = "GORODOK_TEST_RELEASE"


@dataclass(frozen=True)
class Release:
    app_label: str
    module: str
    path: str
    names: tuple[str, ...]

    def activate(self) -> None:
        if self.path not in sys.path:
            sys.path.insert(0, self.path)

    def environ(self, **extra: str) -> dict[str, str]:
        return {**os.environ, ENV: json.dumps({"app": self.app_label, "module": self.module, "path": self.path}),
                **extra}


def leaf(app_label: str) -> str:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    leaves = loader.graph.leaf_nodes(app_label)
    assert len(leaves) == 1, leaves
    return leaves[0][1]


def make_release(directory: Path, app_label: str, migrations: dict[str, str]) -> Release:
    """``migrations``: {name: body of the Migration class, with {previous} for the previous name}."""
    from django.apps import apps

    real = importlib.import_module(apps.get_app_config(app_label).module.__name__ + ".migrations")
    package = f"gorodok_release_{secrets.token_hex(4)}"
    target = directory / package / "migrations"
    target.mkdir(parents=True)
    (directory / package / "__init__.py").write_text("")
    (target / "__init__.py").write_text(
        f"import importlib\n__path__.extend(importlib.import_module({real.__name__!r}).__path__)\n"
    )
    previous = leaf(app_label)
    for name, body in migrations.items():
        source = textwrap.dedent(body).replace("{previous}", previous).replace("{app}", app_label)
        (target / f"{name}.py").write_text(source)
        previous = name
    release = Release(app_label, f"{package}.migrations", str(directory), tuple(migrations))
    release.activate()
    return release


def activate_from_environment() -> None:
    """In a subprocess: switch on the release named by GORODOK_TEST_RELEASE (after django.setup())."""
    raw = os.environ.get(ENV)
    if not raw:
        return
    spec = json.loads(raw)
    if spec["path"] not in sys.path:
        sys.path.insert(0, spec["path"])
    from django.conf import settings

    settings.MIGRATION_MODULES = {**getattr(settings, "MIGRATION_MODULES", {}), spec["app"]: spec["module"]}


# A subprocess that runs a management command with the release switched on: python -c DRIVER <args>.
DRIVER = textwrap.dedent(f"""
    import os, sys
    for root in ("platform", "tenants", "services", "graphql", ""):
        sys.path.insert(0, os.path.join({str(ROOT)!r}, root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gorodok_platform.settings")
    import django
    django.setup()
    from tests.test_tenants.releases import activate_from_environment
    activate_from_environment()
    from django.core.management import execute_from_command_line
    execute_from_command_line(["manage.py", *sys.argv[1:]])
""")
