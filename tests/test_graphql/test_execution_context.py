"""The execution context completes plain fields (default resolver, no arguments, a scalar or an enum) and
fields without arguments on its own paths: the answers, the errors (message, path, nulling of the
parent) and the dataloaders' batching are exactly graphql-core's, and the input-bounds middleware still
sees every field that has arguments."""

from __future__ import annotations

import datetime as dt

import graphene
import pytest
from graphql_sync_dataloaders import DeferredExecutionContext, SyncDataLoader

from gorodok_graphql.core.bounds import InputBoundsMiddleware
from gorodok_graphql.core.execution import GorodokExecutionContext
from graphql import execute, parse


class Reference(DeferredExecutionContext):
    """graphql-sync-dataloaders' own execution, with the path graphql-core 3.2.9+ expects."""

    def handle_field_error(self, error, return_type, path=None):
        from gorodok_graphql.core.execution import _path_from_keys

        return super().handle_field_error(error, return_type, path or _path_from_keys(error.path))


class Colour(graphene.Enum):
    RED = "red"
    BLUE = "blue"


class Item:
    def __init__(self, pk, name, colour="red", size=1, at=None, broken=False):
        self.pk, self.name, self.colour, self.size = pk, name, colour, size
        self.at = at or dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
        self._broken = broken

    @property
    def label(self):
        if self._broken:
            raise ValueError("broken label")
        return f"#{self.pk}"


class Thing(graphene.ObjectType):
    name = graphene.String(required=True)
    colour = graphene.Field(Colour, required=True)
    size = graphene.Int()
    at = graphene.DateTime(required=True)
    label = graphene.String()
    strict_label = graphene.String(required=True)
    double = graphene.Int(required=True)
    twice = graphene.Int(times=graphene.Int(required=True))
    loaded = graphene.String()
    partner = graphene.Field(lambda: Thing)
    friends = graphene.List(lambda: Thing)
    strict_friends = graphene.List(graphene.NonNull(lambda: Thing))

    def resolve_strict_label(root, info):
        return None if root.pk == 2 else root.label

    def resolve_double(root, info):
        return root.size * 2

    def resolve_twice(root, info, times):
        return root.size * times

    def resolve_loaded(root, info):
        return info.context["loader"].load(root.pk)

    def resolve_partner(root, info):
        return Item(root.pk + 100, f"partner of {root.name}")

    def resolve_friends(root, info):
        return [Item(root.pk * 10 + n, f"friend {n}") if n != 1 else None for n in range(3)]

    def resolve_strict_friends(root, info):
        return [Item(root.pk * 10 + n, f"friend {n}") if n != 1 or root.pk != 2 else None for n in range(3)]


class Query(graphene.ObjectType):
    things = graphene.List(graphene.NonNull(Thing), required=True)
    moments = graphene.List(graphene.DateTime, at=graphene.DateTime())
    plain = graphene.String()

    def resolve_things(root, info):
        return [Item(1, "one", size=3), Item(2, "two", colour="blue", broken=True), Item(3, "three", size=None)]

    def resolve_moments(root, info, at=None):
        return [at]


SCHEMA = graphene.Schema(query=Query).graphql_schema


def _run(query: str, context_class, variables=None):
    calls = []

    def batch(keys):
        calls.append(list(keys))
        return [f"loaded {key}" for key in keys]

    result = execute(SCHEMA, parse(query), context_value={"loader": SyncDataLoader(batch)},
                     variable_values=variables, middleware=[InputBoundsMiddleware()],
                     execution_context_class=context_class)
    errors = sorted((error.message, tuple(error.path or ())) for error in result.errors or ())
    return result.data, errors, calls


@pytest.mark.parametrize("query", [
    "{ things { name colour size at label } }",
    "{ things { name strictLabel } }",
    "{ things { name double } }",
    "{ things { name label partner { name label colour } } }",
    "{ things { name loaded partner { loaded } } }",
    "{ things { twice(times: 3) __typename name } }",
    "{ things { a: name b: name ...F } } fragment F on Thing { colour size }",
    "{ plain things { name } }",
    "{ things { name friends { name loaded friends { size } } } }",
    "{ things { name strictFriends { name } } }",
])
def test_the_same_answer_and_errors_as_graphql_core(query):
    assert _run(query, GorodokExecutionContext) == _run(query, Reference)


def test_a_null_in_a_list_of_non_null_objects_with_pending_loaders():
    """graphql-sync-dataloaders itself reports a spurious extra error here (a callback of a list nulled
    by a sibling's error); the answer is the same, and no error is reported that it does not report."""
    query = "{ things { strictFriends { label loaded } } }"
    data, errors, calls = _run(query, GorodokExecutionContext)
    reference_data, reference_errors, reference_calls = _run(query, Reference)
    assert data == reference_data and calls == reference_calls
    assert set(errors) <= set(reference_errors)
    assert ("Cannot return null for non-nullable field Thing.strictFriends.", ("things", 1, "strictFriends", 1)) \
        in errors


def test_a_plain_field_that_fails_nulls_its_own_value_with_a_located_error():
    data, errors, _ = _run("{ things { name label } }", GorodokExecutionContext)
    assert data["things"][1] == {"name": "two", "label": None}
    assert errors == [("broken label", ("things", 1, "label"))]


def test_null_in_a_non_null_field_nulls_the_parent():
    data, errors, _ = _run("{ things { name strictLabel } }", GorodokExecutionContext)
    assert data is None  # things is [Thing!]!: the null propagates to the root
    assert errors == [("Cannot return null for non-nullable field Thing.strictLabel.", ("things", 1, "strictLabel"))]


def test_loaders_are_still_batched():
    data, errors, calls = _run("{ things { loaded } }", GorodokExecutionContext)
    assert not errors and [thing["loaded"] for thing in data["things"]] == ["loaded 1", "loaded 2", "loaded 3"]
    assert calls == [[1, 2, 3]]


def test_arguments_are_still_bounded():
    result = execute(SCHEMA, parse("query ($at: DateTime) { moments(at: $at) }"), context_value={},
                     variable_values={"at": "9999-12-31T23:59:59-14:00"}, middleware=[InputBoundsMiddleware()],
                     execution_context_class=GorodokExecutionContext)
    assert result.data == {"moments": None}
    assert [error.extensions["code"] for error in result.errors] == ["VALUE_OUT_OF_RANGE"]
    data, errors, _ = _run("query ($at: DateTime) { moments(at: $at) }", GorodokExecutionContext,
                           {"at": "2026-01-01T00:00:00+00:00"})
    assert data == {"moments": ["2026-01-01T00:00:00+00:00"]} and not errors


def test_other_middleware_keeps_graphql_cores_path():
    seen = []

    def spy(next_, root, info, **args):
        seen.append(info.field_name)
        return next_(root, info, **args)

    result = execute(SCHEMA, parse("{ things { name } }"), context_value={"loader": None},
                     middleware=[spy], execution_context_class=GorodokExecutionContext)
    assert not result.errors and seen == ["things", "name", "name", "name"]
