"""Staff live in one schema each; a login on one host is worthless on another."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import REGIONAL_ROLES, Role, municipal_roles
from gorodok_platform.accounts.services import staff_user_create
from tests.conftest import ADMIN_PASSWORD, graphql, login

VIEWER = "{ viewer { email roles } }"


def test_roles_are_seeded_per_kind_of_schema(alpha):
    with schema_context(alpha.schema_name):
        assert set(Group.objects.values_list("name", flat=True)) >= set(municipal_roles())
        assert not Group.objects.filter(name__in=[str(r) for r in REGIONAL_ROLES]).exists()
    with schema_context("public"):
        assert set(Group.objects.values_list("name", flat=True)) == {str(r) for r in REGIONAL_ROLES}


def test_municipal_staff_exist_only_in_their_schema(alpha, beta):
    with schema_context(alpha.schema_name):
        assert User.objects.filter(email=alpha.admin_email).exists()
    with schema_context(beta.schema_name):
        assert not User.objects.filter(email=alpha.admin_email).exists()
    with schema_context("public"):
        assert not User.objects.filter(email=alpha.admin_email).exists()


def test_regional_role_cannot_be_granted_in_a_municipality(alpha):
    with schema_context(alpha.schema_name), pytest.raises(ValueError, match="regional_admin"):
        staff_user_create(email="x@example.ru", password=None, roles=[Role.REGIONAL_ADMIN])


def test_passwords_are_hashed_with_argon2(alpha):
    with schema_context(alpha.schema_name):
        user = User.objects.get(email=alpha.admin_email)
    assert user.password.startswith("argon2")
    assert user.check_password(ADMIN_PASSWORD)


def test_viewer_after_login_on_own_host(client, alpha):
    login(client, alpha.host, alpha.admin_email)
    status, body = graphql(client, alpha.host, VIEWER)
    assert status == 200
    assert body["data"]["viewer"] == {"email": alpha.admin_email, "roles": ["MUNICIPAL_ADMIN"]}


def test_session_from_one_municipality_is_worthless_on_another(client, alpha, beta, region_host):
    login(client, alpha.host, alpha.admin_email)
    # The same cookie jar (as if the cookie leaked or was replayed on another host).
    for host in (beta.host, region_host):
        status, body = graphql(client, host, VIEWER)
        assert status == 200
        assert body["data"]["viewer"] is None, host
        assert client.get("/admin/", HTTP_HOST=host).status_code == 302  # back to the login page


def test_municipal_credentials_do_not_sign_in_elsewhere(client, alpha, beta, region_host):
    for host in (beta.host, region_host):
        response = client.post("/admin/login/", {"username": alpha.admin_email, "password": ADMIN_PASSWORD},
                               HTTP_HOST=host)
        assert response.status_code == 200  # the form again, with an error
        assert "_auth_user_id" not in client.session


def test_regional_admin_signs_in_only_on_the_region_host(client, regional_admin, alpha, region_host):
    login(client, region_host, regional_admin.email)
    status, body = graphql(client, region_host, VIEWER)
    assert body["data"]["viewer"] == {"email": regional_admin.email, "roles": ["REGIONAL_ADMIN"]}
    status, body = graphql(client, alpha.host, VIEWER)
    assert body["data"]["viewer"] is None
    assert connection.schema_name == alpha.schema_name
