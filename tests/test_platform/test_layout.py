"""The four source roots must never shadow the standard library or graphql-core."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_ROOTS = ("platform", "tenants", "services", "graphql")


def test_source_roots_are_not_packages():
    for name in SOURCE_ROOTS:
        assert (ROOT / name).is_dir()
        assert not (ROOT / name / "__init__.py").exists(), f"{name}/__init__.py would shadow a real module"
        packages = [p.name for p in (ROOT / name).iterdir() if (p / "__init__.py").exists()]
        assert packages == [f"gorodok_{name}"], packages


def test_no_test_folder_shadows_a_real_module():
    for folder in (ROOT / "tests").rglob("*"):
        if folder.is_dir():
            assert folder.name not in ("platform", "graphql", "tenants", "services"), folder


def test_import_from_repository_root_gives_the_real_modules():
    code = (
        "import platform, graphql, sys;"
        "assert callable(platform.system), platform.__file__;"
        "assert hasattr(graphql, 'build_schema'), graphql.__file__;"
        "print(platform.__file__); print(graphql.__file__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    platform_file, graphql_file = result.stdout.split()
    assert not platform_file.startswith(str(ROOT / "platform"))
    assert "site-packages" in graphql_file


def test_pytest_pythonpath_does_not_shadow_either():
    import platform

    import graphql

    assert platform.system()
    assert hasattr(graphql, "graphql_sync")
