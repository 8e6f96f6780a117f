"""Execution context: synchronous dataloaders, and plain fields completed without per-field machinery.

graphql-sync-dataloaders 0.1.1 calls ``handle_field_error(error, return_type)``, while graphql-core
3.2.9+ also expects the field's path (to skip errors under an already nulled parent). Without a
path we rebuild one from the error's own path, which carries the same keys.

**Plain leaf fields.** Most fields of a list are a scalar or an enum read straight off the object
(graphene's default resolver: an attribute, or a key of a dict) or a Relay ``id`` of a Django node. For
each such field graphql-core builds a ``GraphQLResolveInfo``, collects the (absent) arguments, calls the
middleware and the resolver through two partials, and completes the value through the generic
``complete_value``: for a page of 50 appeals that is about a thousand times per request, most of the
request's CPU. A field qualifies when it declares no arguments, its resolver is one of those two, its
type is a scalar or an enum (non-null or not), and every middleware only looks at arguments
(``arguments_only = True``, as ``InputBoundsMiddleware``): such a field is read and serialised
directly. The result, the null checks and the errors (message, path, nulling of the parent) are those
of graphql-core's path; every other field takes graphql-core's path unchanged. What qualifies is
decided once per parent type and field for the request.
"""

from __future__ import annotations

from functools import partial

from graphene.relay.node import GlobalID
from graphene.types.resolver import attr_resolver, dict_or_attr_resolver
from graphene_django.types import DjangoObjectType
from graphql.execution.execute import get_field_def
from graphql.pyutils import Path, Undefined, inspect
from graphql_sync_dataloaders import DeferredExecutionContext, SyncFuture

from graphql import GraphQLNonNull, is_leaf_type, located_error

_GENERIC, _PLAIN, _LEAN = "generic", "plain", "lean"
_PENDING = object()


def _path_from_keys(keys) -> Path | None:
    path = None
    for key in keys or ():
        path = Path(path, key, None)
    return path


def _attribute_reader(attname: str, default):
    def read(source, _parent_name):
        if isinstance(source, dict):
            return source.get(attname, default)
        return getattr(source, attname, default)

    return read


def _plain_reader(resolve):
    """A function ``(source, parent type name) -> value`` doing what ``resolve`` does without ``info``,
    or None when ``resolve`` is not one of graphene's default resolvers."""
    if not isinstance(resolve, partial) or resolve.keywords.get("parent_type_name", None) is not None:
        return None
    if resolve.func in (dict_or_attr_resolver, attr_resolver) and len(resolve.args) == 2 and not resolve.keywords:
        attname, default = resolve.args
        if resolve.func is attr_resolver:
            return lambda source, _parent_name: getattr(source, attname, default)
        return _attribute_reader(attname, default)
    if resolve.func is GlobalID.id_resolver and len(resolve.args) == 2 \
            and resolve.args[0] is DjangoObjectType.resolve_id and set(resolve.keywords) <= {"parent_type_name"}:
        node = resolve.args[1]
        return lambda source, parent_name: node.to_global_id(parent_name, source.pk)
    return None


class GorodokExecutionContext(DeferredExecutionContext):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._field_plans: dict[tuple[str, str], tuple] = {}
        self._selection_plans: dict[int, tuple] = {}
        manager = self.middleware_manager
        self._middleware_needs_arguments_only = manager is None or all(
            getattr(middleware, "arguments_only", False) for middleware in manager.middlewares)

    def handle_field_error(self, error, return_type, path=None):
        if path is None:
            path = _path_from_keys(error.path)
        return super().handle_field_error(error, return_type, path)

    def _field_plan(self, parent_type, field_node) -> tuple:
        """(GENERIC,), (PLAIN, reader, return type, leaf type, non-null) or (LEAN, field, return type, leaf
        type or None, non-null), decided once per parent type and field name for the request."""
        key = (parent_type.name, field_node.name.value)
        plan = self._field_plans.get(key)
        if plan is None:
            plan = (_GENERIC,)
            field_def = get_field_def(self.schema, parent_type, field_node)
            if field_def is not None and not field_def.args and self._middleware_needs_arguments_only:
                return_type = field_def.type
                non_null = isinstance(return_type, GraphQLNonNull)
                leaf_type = return_type.of_type if non_null else return_type
                leaf_type = leaf_type if is_leaf_type(leaf_type) else None
                reader = _plain_reader(field_def.resolve)
                if reader is not None and leaf_type is not None:
                    plan = (_PLAIN, reader, return_type, leaf_type, non_null)
                else:
                    plan = (_LEAN, field_def, return_type, leaf_type, non_null)
            self._field_plans[key] = plan
        return plan

    def _selection_plan(self, parent_type, fields: dict) -> list:
        """[(response name, field nodes, plan)] of a selection, once per selection for the request. The
        selection (``fields``) is kept with its plan, so its id cannot be reused for another one."""
        entry = self._selection_plans.get(id(fields))
        if entry is None or entry[0] is not fields or entry[1] is not parent_type:
            plan = [(name, nodes, self._field_plan(parent_type, nodes[0])) for name, nodes in fields.items()]
            entry = (fields, parent_type, plan)
            self._selection_plans[id(fields)] = entry
        return entry[2]

    def execute_fields_serially(self, parent_type, source_value, path, fields):
        """graphql-sync-dataloaders' execute_fields with the plain fields read in the loop itself: no
        path, no call of execute_field for them unless they fail."""
        results = {}
        unresolved = 0
        future = None
        parent_name = parent_type.name
        for response_name, field_nodes, plan in self._selection_plan(parent_type, fields):
            if plan[0] is _PLAIN:
                _, reader, return_type, leaf_type, non_null = plan
                try:
                    results[response_name] = self._complete_leaf(
                        reader(source_value, parent_name), leaf_type, non_null, parent_type, field_nodes)
                except Exception as raw_error:
                    field_path = Path(path, response_name, parent_name)
                    error = located_error(raw_error, field_nodes, field_path.as_list())
                    self.handle_field_error(error, return_type, field_path)
                    results[response_name] = None
                continue
            result = self.execute_field(parent_type, source_value, field_nodes, Path(path, response_name, parent_name))
            if isinstance(result, SyncFuture):
                if result.done():
                    result = result.result()
                    if result is not Undefined:
                        results[response_name] = result
                    continue
                results[response_name] = _PENDING  # keeps the order of the fields

                def process_result(response_name: str, result: SyncFuture) -> None:
                    nonlocal unresolved
                    awaited = result.result()
                    if awaited is not Undefined:
                        results[response_name] = awaited
                    else:
                        del results[response_name]
                    unresolved -= 1
                    if not unresolved:
                        future.set_result(results)

                unresolved += 1
                result.add_done_callback(partial(process_result, response_name, result))
            elif result is not Undefined:
                results[response_name] = result
        if not unresolved:
            return results
        future = SyncFuture()
        return future

    execute_fields = execute_fields_serially

    def execute_field(self, parent_type, source, field_nodes, path):
        plan = self._field_plan(parent_type, field_nodes[0])
        kind = plan[0]
        if kind is _GENERIC:
            return super().execute_field(parent_type, source, field_nodes, path)
        if kind is _PLAIN:
            _, reader, return_type, leaf_type, non_null = plan
            try:
                return self._complete_leaf(reader(source, parent_type.name), leaf_type, non_null, parent_type,
                                           field_nodes)
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, path.as_list())
                self.handle_field_error(error, return_type, path)
                return None
        # A field without arguments: its resolver is called directly (no middleware has anything to check,
        # there are no arguments to collect); the rest is graphql-sync-dataloaders' execute_field.
        _, field_def, return_type, leaf_type, non_null = plan
        info = self.build_resolve_info(field_def, field_nodes, parent_type, path)
        try:
            result = (field_def.resolve or self.field_resolver)(source, info)
            if isinstance(result, SyncFuture):
                if not result.done():
                    return self._complete_later(result, return_type, field_nodes, info, path)
                result = result.result()
            if leaf_type is not None and not isinstance(result, Exception):
                return self._complete_leaf(result, leaf_type, non_null, parent_type, field_nodes)
            completed = self.complete_value(return_type, field_nodes, info, path, result)
            if isinstance(completed, SyncFuture):
                return self._completed_later(completed, return_type, field_nodes, path)
            return completed
        except Exception as raw_error:
            error = located_error(raw_error, field_nodes, path.as_list())
            self.handle_field_error(error, return_type, path)
            return None

    @staticmethod
    def _complete_leaf(result, leaf_type, non_null: bool, parent_type, field_nodes):
        """graphql-core's complete_value for a scalar or an enum, non-null or not."""
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            if non_null:
                raise TypeError(f"Cannot return null for non-nullable field {parent_type.name}."
                                f"{field_nodes[0].name.value}.")
            return None
        serialized = leaf_type.serialize(result)
        if serialized is Undefined or serialized is None:
            raise TypeError(f"Expected `{inspect(leaf_type)}.serialize({inspect(result)})`"
                            f" to return non-nullable value, returned: {inspect(serialized)}")
        return serialized

    def _complete_later(self, result: SyncFuture, return_type, field_nodes, info, path) -> SyncFuture:
        """A resolver's pending future: completed when its loader has run (as graphql-sync-dataloaders)."""
        callback = result.deferred_callback
        if callback:
            self._deferred_callbacks.append(callback)
        future = SyncFuture()

        def process_result():
            try:
                completed = self.complete_value(return_type, field_nodes, info, path, result.result())
                if isinstance(completed, SyncFuture):
                    self._completed_later(completed, return_type, field_nodes, path, future)
                else:
                    future.set_result(completed)
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, path.as_list())
                self.handle_field_error(error, return_type, path)
                future.set_result(None)

        result.add_done_callback(process_result)
        return future

    def _completed_later(self, completed: SyncFuture, return_type, field_nodes, path, future=None) -> SyncFuture:
        """A completion still waiting for loaders below it (as graphql-sync-dataloaders)."""
        future = future or SyncFuture()

        def process_completed():
            try:
                future.set_result(completed.result())
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, path.as_list())
                self.handle_field_error(error, return_type, path)
                future.set_result(None)

        if completed.done():
            process_completed()
        else:
            completed.add_done_callback(process_completed)
        return future
