"""A person's roles are read once per user object (once per request): a console page asks every section
whether the person may see it, and that must not cost a query each. Changing the object's groups
forgets what was read."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create


def test_roles_are_read_once_per_user_object_and_forgotten_on_change(db):
    with schema_context("public"):
        user = staff_user_create(email="roles-cache@region.example.ru", password="a-long-password-42",
                                 roles=[Role.REGIONAL_ANALYST])
        user = User.objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as captured:
            answers = [user.has_role(Role.REGIONAL_ANALYST), user.has_role(Role.REGIONAL_ADMIN),
                       *(user.has_role(Role.REGIONAL_ANALYST, Role.REGIONAL_ADMIN) for _ in range(20))]
        assert answers[:2] == [True, False] and all(answers[2:])
        assert len([q for q in captured.captured_queries if "auth_group" in q["sql"]]) == 1
        admins, _ = Group.objects.get_or_create(name=str(Role.REGIONAL_ADMIN))
        user.groups.add(admins)
        assert user.has_role(Role.REGIONAL_ADMIN)
        user.groups.clear()
        assert not user.has_role(Role.REGIONAL_ANALYST) and not user.has_role(Role.REGIONAL_ADMIN)
        user.is_active = False
        user.groups.add(admins)
        assert not user.has_role(Role.REGIONAL_ADMIN)  # an inactive account holds no role
