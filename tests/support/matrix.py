"""Access matrices: every role and every set of API-client scopes against every surface of a module,
the expected answer taken from the module's rule table (``RULES``: action -> roles any-of, scopes all-of)."""

from __future__ import annotations

from collections.abc import Callable

from django_tenants.utils import schema_context

from gorodok_platform.integrations.services import api_client_create
from tests.conftest import login
from tests.support.appeals import staff

Surfaces = dict[str, tuple[Callable, str]]  # name -> (call(client, world, headers) -> bool, the rule's action)


def role_expected(rules, role: str, action: str) -> bool:
    return role in {str(r) for r in rules[action].roles}


def scopes_expected(rules, scopes, action: str) -> bool:
    needed = rules[action].scopes
    return bool(needed) and needed <= set(scopes)


def staff_answers(client, world, role: str, surfaces: Surfaces, rules, *, label: str) -> tuple[dict, dict]:
    """(what each surface gave a member of staff with ``role`` — or none — , what the table says)."""
    roles = [role] if role != "no role" else []
    email = staff(world.tenant, f"{label}-{role.replace(' ', '-')}@matrix.example.ru", *roles)
    login(client, world.tenant.host, email)
    got = {name: surface(client, world, {}) for name, (surface, _action) in surfaces.items()}
    return got, {name: role_expected(rules, role, action) for name, (_surface, action) in surfaces.items()}


def client_answers(client, world, scopes, surfaces: Surfaces, rules) -> tuple[dict, dict]:
    """(what each surface gave an API client with ``scopes``, what the table says)."""
    with schema_context(world.tenant.schema_name):
        _client, token = api_client_create(name="Matrix integrator", scopes=list(scopes))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    got = {name: surface(client, world, headers) for name, (surface, _action) in surfaces.items()}
    return got, {name: scopes_expected(rules, scopes, action) for name, (_surface, action) in surfaces.items()}
