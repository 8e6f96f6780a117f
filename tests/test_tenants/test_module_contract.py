"""The module contract holds: a toy module (``tests/toy_module``: one model, role, scope, event,
counter, report source, periodic task, query and mutation) is switched on by one line in the settings
(``tests/toy_module/settings.py``) and every part of it works, tested end to end in a run of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from gorodok_platform.modules import registered_modules

ROOT = Path(__file__).resolve().parents[2]


def test_the_toy_module_works_end_to_end_when_added_to_the_settings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.toy_module.settings", "GORODOK_ENV": "test"}
    result = subprocess.run(
        # A fresh database each time, kept at the end: dropping it could wait on a job thread's connection.
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--ds=tests.toy_module.settings",
         "--create-db", "--reuse-db", "tests/toy_module"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) >= 10, output[-2000:]


def test_the_toy_module_is_not_installed_here():
    """Gorodok's own settings know nothing of it: the committed SDL and the registry stay the product's."""
    assert "toy" not in registered_modules()


def test_the_platform_and_tenants_layers_never_name_a_module():
    modules = list(registered_modules())
    offenders = []
    for root in ("platform", "tenants"):
        for path in (ROOT / root).rglob("*.py"):
            if "migrations" in path.parts or path.name == "settings.py":  # the one line that installs it
                continue
            text = path.read_text(encoding="utf-8")
            for code in modules:
                if re.search(rf"gorodok_services\.{code}\b|[\"']{code}:[a-z_]+[\"']", text):
                    offenders.append(f"{path.relative_to(ROOT)}: {code}")
    assert offenders == []
