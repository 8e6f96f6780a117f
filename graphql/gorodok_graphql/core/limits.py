"""Validation rules every GraphQL endpoint applies, built for each request.

graphql-core uses the rules it is given *instead of* its standard ones, so the standard rules are
always listed first. Every refusal carries a code in ``extensions``:

- ``QUERY_TOO_DEEP``: nested deeper than ``GRAPHQL_MAX_DEPTH``;
- ``QUERY_TOO_COMPLEX``: the operation would cost more than ``GRAPHQL_MAX_COMPLEXITY``. Every field
  that would be resolved counts, each alias on its own, once per item a list may hold (``first``/
  ``last``, or the page-size cap for a connection asked without them). A field costs 1 unless it
  declares its real weight with ``register_field_cost``: ``__schema`` costs ``SCHEMA_COST`` and
  ``__type`` ``TYPE_COST`` (a schema walk answers tens of kilobytes), a module's expensive fields
  (e.g. ``appealStatistics``, by the length of its period) what their own module declares;
- ``INTROSPECTION_DISABLED``: ``__schema``/``__type`` asked anonymously where introspection is private.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    specified_rules,
)

# What introspection weighs: one ``__schema`` walk answers ~30 KiB and walks every type.
SCHEMA_COST = 2000
TYPE_COST = 50
# (parent type name, field name) -> its cost: a number, or a function of ``argument(name)``, which
# gives an argument's literal or variable value (None when not given).
FIELD_COSTS: dict[tuple[str, str], int | Callable[[Callable[[str], Any]], int]] = {}


def register_field_cost(type_name: str, field_name: str, cost: int | Callable[[Callable[[str], Any]], int]) -> None:
    """Declare what resolving ``type_name.field_name`` once costs, instead of 1."""
    FIELD_COSTS[(type_name, field_name)] = cost


def _page_cap() -> int:
    from graphene_django.settings import graphene_settings

    return graphene_settings.RELAY_CONNECTION_MAX_LIMIT or 100


class _DepthCounter:
    """How deep an operation nests fields with selections (introspection fields aside), as graphene's
    depth limit counts it; each fragment is measured once, so repeated spreads cost nothing more and
    a cyclic or unknown fragment (reported by the standard rules) counts as empty."""

    def __init__(self, context: ValidationContext):
        self.context = context
        self.fragment_depths: dict[str, int] = {}
        self.visiting: set[str] = set()

    def depth(self, selection_set: SelectionSetNode | None) -> int:
        if selection_set is None:
            return 0
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if selection.selection_set is None or selection.name.value.startswith("__"):
                    continue
                deepest = max(deepest, 1 + self.depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self.fragment_depth(selection.name.value))
        return deepest

    def fragment_depth(self, name: str) -> int:
        if name in self.fragment_depths:
            return self.fragment_depths[name]
        fragment = self.context.get_fragment(name)
        if fragment is None or name in self.visiting:
            return 0
        self.visiting.add(name)
        depth = self.depth(fragment.selection_set)
        self.visiting.discard(name)
        self.fragment_depths[name] = depth
        return depth


def depth_rule(max_depth: int) -> type[ValidationRule]:
    class DepthLimitRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            depth = _DepthCounter(self.context).depth(node.selection_set)
            if depth > max_depth:
                name = node.name.value if node.name else "anonymous"
                # graphene's wording, kept as it was (integrators match on the code).
                self.report_error(GraphQLError(
                    f"'{name}' exceeds maximum operation depth of {max_depth}.",
                    node, extensions={"code": "QUERY_TOO_DEEP", "depth": depth, "maxDepth": max_depth},
                ))

    return DepthLimitRule


class _ComplexityCounter:
    def __init__(self, context: ValidationContext, variables: dict | None, operation: OperationDefinitionNode):
        self.context = context
        self.schema = context.schema
        self.variables = variables if isinstance(variables, dict) else {}
        self.defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
        }
        self.cap = _page_cap()
        self.fragment_costs: dict[str, int] = {}
        self.visiting: set[str] = set()

    def _argument(self, node: FieldNode, name: str) -> int | None:
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                variable = value.name.value
                if variable in self.variables:
                    raw = self.variables[variable]
                    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
                value = self.defaults.get(variable)
            if isinstance(value, IntValueNode):
                try:
                    return int(value.value)
                except ValueError:  # pragma: no cover - the parser only gives digits
                    return None
            return None
        return None

    def _value(self, node: FieldNode, name: str):
        """An argument's value: a literal's, or its variable's (or the variable's default)."""
        for argument in node.arguments or ():
            if argument.name.value != name:
                continue
            value = argument.value
            if isinstance(value, VariableNode):
                if value.name.value in self.variables:
                    return self.variables[value.name.value]
                value = self.defaults.get(value.name.value)
            return getattr(value, "value", None) if value is not None else None
        return None

    def _weight(self, parent_type, node: FieldNode) -> int:
        name = node.name.value
        if name == "__schema":
            return SCHEMA_COST
        if name == "__type":
            return TYPE_COST
        cost = FIELD_COSTS.get((getattr(parent_type, "name", ""), name))
        if cost is None:
            return 1
        if callable(cost):
            try:
                return max(1, int(cost(lambda argument: self._value(node, argument))))
            except (TypeError, ValueError, OverflowError):
                return 1
        return cost

    def _factor(self, node: FieldNode, field_type) -> int:
        """How many times the field's selections are resolved: its page size for a list."""
        sizes = [size for size in (self._argument(node, "first"), self._argument(node, "last")) if size is not None]
        if sizes:
            return max(0, min(max(sizes), self.cap))
        named = get_named_type(field_type) if field_type is not None else None
        if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "edges" in named.fields:
            return self.cap
        return 1

    def _field_definition(self, parent_type, node: FieldNode):
        name = node.name.value
        if name == "__typename":
            return TypeNameMetaFieldDef
        if parent_type is self.schema.query_type and name == "__schema":
            return SchemaMetaFieldDef
        if parent_type is self.schema.query_type and name == "__type":
            return TypeMetaFieldDef
        if isinstance(parent_type, (GraphQLObjectType, GraphQLInterfaceType)):
            return parent_type.fields.get(name)
        return None

    def selection_cost(self, selection_set: SelectionSetNode | None, parent_type) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                definition = self._field_definition(parent_type, selection)
                field_type = definition.type if definition is not None else None
                child_type = get_named_type(field_type) if field_type is not None else None
                children = self.selection_cost(selection.selection_set, child_type) if child_type else 0
                total += self._weight(parent_type, selection) + self._factor(selection, field_type) * children
            elif isinstance(selection, InlineFragmentNode):
                fragment_type = parent_type
                if selection.type_condition is not None:
                    fragment_type = self.schema.get_type(selection.type_condition.name.value)
                total += self.selection_cost(selection.selection_set, fragment_type)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment_cost(selection.name.value)
        return total

    def fragment_cost(self, name: str) -> int:
        if name in self.fragment_costs:
            return self.fragment_costs[name]
        fragment: FragmentDefinitionNode | None = self.context.get_fragment(name)
        if fragment is None or name in self.visiting:  # unknown or cyclic: other rules report it
            return 0
        self.visiting.add(name)
        fragment_type = self.schema.get_type(fragment.type_condition.name.value)
        cost = self.selection_cost(fragment.selection_set, fragment_type)
        self.visiting.discard(name)
        self.fragment_costs[name] = cost
        return cost


def complexity_rule(max_complexity: int, variables: dict | None = None) -> type[ValidationRule]:
    class ComplexityLimitRule(ValidationRule):
        operation_only = True  # reports from enter_operation_definition alone (see core.documents)

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            root_type = {
                OperationType.QUERY: self.context.schema.query_type,
                OperationType.MUTATION: self.context.schema.mutation_type,
                OperationType.SUBSCRIPTION: self.context.schema.subscription_type,
            }.get(node.operation)
            if root_type is None:
                return
            complexity = _ComplexityCounter(self.context, variables, node).selection_cost(node.selection_set, root_type)
            if complexity > max_complexity:
                self.report_error(GraphQLError(
                    _("The query is too complex: %(complexity)d, at most %(limit)d. Ask for fewer fields or "
                      "smaller pages.") % {"complexity": complexity, "limit": max_complexity},
                    node, extensions={"code": "QUERY_TOO_COMPLEX", "complexity": complexity,
                                      "maxComplexity": max_complexity},
                ))

    return ComplexityLimitRule


class NoIntrospectionRule(ValidationRule):
    introspection_only = True  # reports on __schema/__type fields alone (see core.documents)

    def enter_field(self, node: FieldNode, *_args):
        if node.name.value in ("__schema", "__type"):
            self.report_error(GraphQLError(
                _("Introspection is available to signed-in staff and API clients only."),
                node, extensions={"code": "INTROSPECTION_DISABLED"},
            ))


def static_rules() -> list:
    """The rules whose verdict depends on the document (and GRAPHQL_MAX_DEPTH) alone."""
    return [*specified_rules, depth_rule(settings.GRAPHQL_MAX_DEPTH)]


def request_rules(*, variables: dict | None = None, introspection: bool = True) -> list:
    """The rules whose verdict depends on the request too: the cost (variables, weights, limit) and
    the introspection policy (the caller)."""
    rules: list = [complexity_rule(settings.GRAPHQL_MAX_COMPLEXITY, variables)]
    if not introspection:
        rules.append(NoIntrospectionRule)
    return rules


def validation_rules(*, variables: dict | None = None, introspection: bool = True) -> list:
    """The rules for one request: the standard ones, the limits, and the introspection policy."""
    return [*static_rules(), *request_rules(variables=variables, introspection=introspection)]
