"""Settings come from the environment; production refuses unsafe ones."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from gorodok_platform.settings import DEV_SECRET_KEY, check_production_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "0123456789abcdefghij"


def test_production_refuses_missing_or_dev_secret_key():
    for key in ("", DEV_SECRET_KEY, "short"):
        with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
            check_production_settings(key, debug=False)


def test_production_refuses_debug():
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        check_production_settings(GOOD_KEY, debug=True)
    check_production_settings(GOOD_KEY, debug=False)


def _load_settings(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "BROKER_URL")}
    env.update({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/gorodok", **env_overrides})
    code = "import gorodok_platform.settings as s; print(s.GORODOK_ENV, s.DEBUG, s.REGION_DOMAIN, s.PORT)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_production_process_will_not_start_without_secret_key():
    result = _load_settings(GORODOK_ENV="production", BROKER_URL="redis://127.0.0.1:6379/0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_process_will_not_start_with_debug():
    result = _load_settings(GORODOK_ENV="production", SECRET_KEY=GOOD_KEY, DEBUG="true",
                            BROKER_URL="redis://127.0.0.1:6379/0")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_needs_a_broker():
    result = _load_settings(GORODOK_ENV="production", SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "BROKER_URL" in result.stderr


def test_environment_values_are_read():
    result = _load_settings(GORODOK_ENV="production", SECRET_KEY=GOOD_KEY, BROKER_URL="redis://127.0.0.1:6379/0",
                            REGION_DOMAIN="gorodok.r19.example", PORT="9000")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["production", "False", "gorodok.r19.example", "9000"]


def test_dev_defaults_exist_only_in_dev():
    result = _load_settings(GORODOK_ENV="dev")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["dev", "True", "localhost"]


def test_unknown_environment_is_refused():
    result = _load_settings(GORODOK_ENV="staging")
    assert result.returncode != 0
    assert "GORODOK_ENV" in result.stderr
