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


PRODUCTION = {"GORODOK_ENV": "production", "SECRET_KEY": GOOD_KEY, "BROKER_URL": "redis://127.0.0.1:6379/0",
              "CACHE_URL": "redis://127.0.0.1:6379/1", "MEDIA_ROOT": "/srv/gorodok/media",
              "ARCHIVE_ROOT": "/srv/gorodok/archives"}
UNSET = ("SECRET_KEY", "DEBUG", "BROKER_URL", "CACHE_URL", "MEDIA_ROOT", "ARCHIVE_ROOT", "TRUSTED_PROXIES")


def _load_settings(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/gorodok", **env_overrides})
    env = {k: v for k, v in env.items() if v is not None}
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
    result = _load_settings(**PRODUCTION, REGION_DOMAIN="gorodok.r19.example", PORT="9000")
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


def _production_value(name, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/gorodok", **PRODUCTION, **env_overrides})
    code = f"import gorodok_platform.settings as s; print(repr(s.{name}))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("missing", ["MEDIA_ROOT", "ARCHIVE_ROOT"])
def test_production_needs_explicit_shared_file_directories(missing):
    # The old default sat under the installed package: not writable in the image, not shared between pods.
    result = _load_settings(**{**PRODUCTION, missing: None})
    assert result.returncode != 0
    assert missing in result.stderr
    result = _load_settings(**{**PRODUCTION, missing: "var/relative"})
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_needs_a_shared_redis_cache():
    for value in (None, "locmemcache://", "dummycache://"):
        result = _load_settings(**{**PRODUCTION, "CACHE_URL": value})
        assert result.returncode != 0, value
        assert "CACHE_URL" in result.stderr


@pytest.mark.parametrize(("name", "value"), [
    ("SECRET_KEY", "change-me-to-at-least-32-random-characters"),
    ("DATABASE_URL", "postgres://gorodok:change-me@postgres.example.internal:5432/gorodok"),
    ("BROKER_URL", "amqp://gorodok:change-me@rabbitmq.example.internal:5672/"),
])
def test_production_refuses_placeholder_values(name, value):
    result = _load_settings(**{**PRODUCTION, name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_trusted_proxies_must_be_networks():
    result = _load_settings(**PRODUCTION, TRUSTED_PROXIES="10.42.0.0/16,ingress")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr
    value = _production_value("TRUSTED_PROXIES", TRUSTED_PROXIES="10.42.0.0/16,fd00::/8")
    assert value == "['10.42.0.0/16', 'fd00::/8']"


def test_production_checks_kept_connections_and_serves_hashed_compressed_static_files():
    assert "'CONN_HEALTH_CHECKS': True" in _production_value("DATABASES")
    assert "whitenoise.storage.CompressedManifestStaticFilesStorage" in _production_value("STORAGES")
    assert _production_value("MEDIA_ROOT") == "'/srv/gorodok/media'"


def test_sentry_sends_no_local_variables_and_samples_few_traces(monkeypatch):
    import sentry_sdk

    from gorodok_platform.observability import sentry

    captured = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: captured.update(options))
    assert sentry.init_sentry(dsn="https://key@sentry.example/1", environment="production", release="1.4.2",
                              traces_sample_rate=0.01)
    assert captured["include_local_variables"] is False
    assert captured["release"] == "1.4.2"
    assert captured["traces_sample_rate"] == 0.01
    assert captured["send_default_pii"] is False


def test_webhook_backoff_stays_below_rabbitmqs_consumer_timeout():
    amqp = {**PRODUCTION, "BROKER_URL": "amqp://gorodok:s3cret@rabbitmq.internal:5672/"}
    assert int(_production_value("WEBHOOK_MAX_BACKOFF_MS", **amqp)) <= 1_800_000 - 60_000
    result = _load_settings(**amqp, WEBHOOK_MAX_BACKOFF_MS="3600000")
    assert result.returncode != 0
    assert "consumer_timeout" in result.stderr
    # A broker configured with a longer consumer_timeout may take longer waits.
    assert _production_value("WEBHOOK_MAX_BACKOFF_MS", **amqp, WEBHOOK_MAX_BACKOFF_MS="3600000",
                             RABBITMQ_CONSUMER_TIMEOUT_MS="7200000") == "3600000"
