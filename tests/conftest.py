"""Shared fixtures: two municipalities created once per test session, and API helpers."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.db import connection
from django_tenants.utils import schema_context

ADMIN_PASSWORD = "correct-horse-battery-staple-42"


@dataclass
class TestMunicipality:
    municipality: object
    host: str
    admin_email: str

    @property
    def schema_name(self) -> str:
        return self.municipality.schema_name


def _ensure_municipality(slug: str, name: str, name_en: str, oktmo: str) -> TestMunicipality:
    from gorodok_tenants.models import Municipality
    from gorodok_tenants.provisioning.municipalities import (
        MunicipalitySpec,
        host_for,
        municipality_admin_create,
        municipality_create,
    )

    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        municipality = municipality_create(
            spec=MunicipalitySpec(name=name, name_en=name_en, slug=slug, oktmo=oktmo)
        )
    email = f"admin@{slug}.example.ru"
    from gorodok_platform.accounts.models import User

    with schema_context(municipality.schema_name):
        exists = User.objects.filter(email=email).exists()
    if not exists:
        municipality_admin_create(municipality=municipality, email=email, password=ADMIN_PASSWORD)
    return TestMunicipality(municipality=municipality, host=host_for(slug), admin_email=email)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_createdb,
                    django_db_modify_db_settings):
    """Always create the test database. pytest-django creates it only when some collected test is
    marked for the database; a session fixture or a thread would otherwise touch the real one."""
    from django.test.utils import setup_databases, teardown_databases

    keepdb = django_db_keepdb and not django_db_createdb
    with django_db_blocker.unblock():
        config = setup_databases(verbosity=request.config.option.verbose, interactive=False,
                                 aliases={"default"}, serialized_aliases=set(), keepdb=keepdb)
    from django.db import connection as default_connection

    assert default_connection.settings_dict["NAME"].startswith("test_"), "tests must never use a real database"
    yield
    if not django_db_keepdb:
        from gorodok_platform.dbtimeouts import use_database_timeouts

        # DROP DATABASE waits for a checkpoint, which on a busy server outlasts a request's statement timeout.
        use_database_timeouts("upgrade")
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=request.config.option.verbose)


@pytest.fixture(scope="session")
def municipalities(django_db_setup, django_db_blocker) -> dict[str, TestMunicipality]:
    """Two municipalities with migrated schemas and an admin each, committed for the whole session."""
    with django_db_blocker.unblock():
        return {
            "alpha": _ensure_municipality("alpha", "Альфа", "Alpha", "95000001"),
            "beta": _ensure_municipality("beta", "Бета", "Beta", "95000002"),
        }


@pytest.fixture(scope="session")
def regional_admin(django_db_setup, django_db_blocker):
    from gorodok_platform.accounts.models import User
    from gorodok_platform.accounts.roles import Role
    from gorodok_platform.accounts.services import staff_user_create

    email = "region-admin@example.ru"
    with django_db_blocker.unblock(), schema_context("public"):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = staff_user_create(email=email, password=ADMIN_PASSWORD, roles=[Role.REGIONAL_ADMIN])
    return user


@pytest.fixture
def client():
    """The test client speaks English unless a test asks for Russian (the default for real users):
    assertions on messages then read naturally. Tests of the Russian default pass Accept-Language."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _public_schema_and_clean_cache():
    """Each test starts and ends in the public schema with an empty cache."""
    cache.clear()
    yield
    connection.set_schema_to_public()
    cache.clear()


@pytest.fixture(autouse=True)
def _broker_deemed_up():
    """A test that takes the broker away must not make the next ones keep their messages for later."""
    from gorodok_platform.jobs.enqueue import broker_health

    broker_health.mark_up()
    yield
    broker_health.mark_up()


@pytest.fixture
def alpha(municipalities, db) -> TestMunicipality:
    return municipalities["alpha"]


@pytest.fixture
def beta(municipalities, db) -> TestMunicipality:
    return municipalities["beta"]


@pytest.fixture
def region_host(settings) -> str:
    return settings.REGION_DOMAIN


def graphql(client, host: str, query: str, variables: dict | None = None, **extra):
    """POST a GraphQL request to ``host`` and return (status, decoded body)."""
    response = client.post(
        "/graphql/",
        data=json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        HTTP_HOST=host,
        **extra,
    )
    return response.status_code, response.json()


def login(client, host: str, email: str, password: str = ADMIN_PASSWORD) -> None:
    """Sign in through the back office's login form on ``host``, as a person would; on the region
    host, complete the second factor with a recovery code when it is required."""
    from django.conf import settings

    response = client.post(
        "/admin/login/", {"username": email, "password": password, "next": "/admin/"}, HTTP_HOST=host
    )
    assert response.status_code == 302, response.content[:500]
    if host == settings.REGION_DOMAIN and settings.REQUIRE_REGIONAL_2FA:
        from gorodok_platform.accounts.models import User
        from gorodok_platform.accounts.two_factor import recovery_codes_issue

        with schema_context("public"):
            code = recovery_codes_issue(user=User.objects.get(email=email))[0]
        response = client.post("/admin/two-factor/", {"token": code, "next": "/admin/"}, HTTP_HOST=host)
        assert response.status_code == 302, response.content[:500]


@pytest.fixture
def media_root(settings, tmp_path):
    """Files in a temporary folder. The tenant storage caches its root (django-tenants does not
    clear it when MEDIA_ROOT changes), so forget it before and after."""
    from django.core.files.storage import default_storage
    from django.utils.functional import empty

    def forget():
        if default_storage._wrapped is not empty:
            vars(default_storage._wrapped).pop("relative_media_root", None)

    settings.MEDIA_ROOT = str(tmp_path)
    forget()
    yield tmp_path
    forget()


# An S3-compatible object store (FILE_STORAGE=s3): moto's S3 server, a real HTTP endpoint speaking the S3
# API in a thread, is the stand-in here; django-storages and boto3 run exactly as against a region's store.
@pytest.fixture
def object_store(settings):
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="gorodok", aws_secret_access_key="gorodok",
                          region_name="us-east-1")
    client.create_bucket(Bucket="gorodok-files")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "gorodok_platform.storage.TenantS3Storage",
        "OPTIONS": {"bucket_name": "gorodok-files", "endpoint_url": endpoint, "access_key": "gorodok",
                    "secret_key": "gorodok", "region_name": "us-east-1", "location": "media", "default_acl": None,
                    "file_overwrite": False}}}
    try:
        yield client
    finally:
        server.stop()
