"""Building a schema's root types from the platform's own roots and the modules' (their registry
entries name graphene classes by dotted path, since a module's services never import the API)."""

from __future__ import annotations

import graphene
from django.utils.module_loading import import_string

from gorodok_platform.modules import ModuleInfo, registered_modules


def module_roots(kind: str, modules: dict[str, ModuleInfo] | None = None) -> list[type]:
    """The classes every module declares as ``kind`` (tenant_query, tenant_mutation, region_query,
    region_mutation), in module order."""
    modules = registered_modules() if modules is None else modules
    return [import_string(path) for module in modules.values() if (path := getattr(module.graphql, kind))]


def root_type(name: str, core: list[type], kind: str, fields: dict | None = None) -> type:
    """A root ObjectType named ``name`` merging the core classes and the modules' ``kind`` roots."""
    bases = (*core, *module_roots(kind), graphene.ObjectType)
    return type(name, bases, dict(fields or {}))
