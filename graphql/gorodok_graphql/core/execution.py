"""Execution context: synchronous dataloaders, and lists completed without per-field machinery.

graphql-sync-dataloaders 0.1.1 calls ``handle_field_error(error, return_type)``, while graphql-core
3.2.9+ also expects the field's path (to skip errors under an already nulled parent). Without a
path we rebuild one from the error's own path, which carries the same keys.

**What a list costs.** For every field graphql-core builds a ``GraphQLResolveInfo``, collects the
field's arguments, calls the middleware and the resolver through partials, and completes the value
through the generic ``complete_value`` (non-null, then list, leaf, abstract or object): for a page of
50 appeals that is some 1,300 fields per request, most of the request's CPU. Three shortcuts, decided
once per parent type and field for the request, keep the answers, null checks and errors (message,
path, nulling of the parent) and the dataloaders' batching of graphql-core's path:

- *Plain fields*: no arguments declared, graphene's default resolver (an attribute, or a key of a
  dict) or a Django node's Relay ``id``, a scalar or an enum (non-null or not), and every middleware
  looks at arguments only (``arguments_only = True``, as ``InputBoundsMiddleware``): read and serialised
  directly, without a resolve info.
- *Other fields without arguments* (same middleware condition): the resolver is called directly, with
  its resolve info, without collecting arguments or calling the middleware; a scalar or enum result is
  serialised directly.
- *Objects and lists of objects* whose values are not futures are completed straight away
  (``complete_object_value`` per item); anything else takes graphql-sync-dataloaders' path.

Fields with arguments, and every field when some middleware looks at more than arguments, take
graphql-core's path unchanged.
"""

from __future__ import annotations

from functools import partial

from graphene.relay.node import GlobalID
from graphene.types.resolver import attr_resolver, dict_or_attr_resolver
from graphene_django.types import DjangoObjectType
from graphql.execution.execute import get_field_def
from graphql.pyutils import Path, Undefined, inspect, is_iterable
from graphql_sync_dataloaders import DeferredExecutionContext, SyncFuture

from graphql import GraphQLNonNull, GraphQLObjectType, is_leaf_type, located_error

_GENERIC, _PLAIN, _LEAN = "generic", "plain", "lean"


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

    def complete_value(self, return_type, field_nodes, info, path, result):
        """An object (non-null or not) is completed straight away; anything else as graphql-core does."""
        if result is not None and result is not Undefined and not isinstance(result, Exception | SyncFuture):
            inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
            if isinstance(inner, GraphQLObjectType):
                return self.complete_object_value(inner, field_nodes, info, path, result)
        return super().complete_value(return_type, field_nodes, info, path, result)

    def complete_list_value(self, return_type, field_nodes, info, path, result):
        """A list of objects none of which is a future: each item is completed straight away, its errors
        handled as graphql-sync-dataloaders does; any other list takes its path."""
        item_type = return_type.of_type
        non_null = isinstance(item_type, GraphQLNonNull)
        object_type = item_type.of_type if non_null else item_type
        if not isinstance(object_type, GraphQLObjectType) or not is_iterable(result):
            return super().complete_list_value(return_type, field_nodes, info, path, result)
        items = list(result)
        if any(isinstance(item, SyncFuture | Exception) for item in items):
            return super().complete_list_value(return_type, field_nodes, info, path, items)
        results: list = [None] * len(items)
        unresolved = 0
        future = None
        for index, item in enumerate(items):
            item_path = path.add_key(index, None)
            try:
                if item is None:
                    if non_null:
                        raise TypeError(f"Cannot return null for non-nullable field {info.parent_type.name}."
                                        f"{info.field_name}.")
                    continue
                completed = self.complete_object_value(object_type, field_nodes, info, item_path, item)
                if not isinstance(completed, SyncFuture):
                    results[index] = completed
                    continue
                if completed.done():
                    results[index] = completed.result()
                    continue
                callback = completed.deferred_callback
                if callback:
                    self._deferred_callbacks.append(callback)

                def process_completed(index: int, completed: SyncFuture, item_path) -> None:
                    nonlocal unresolved
                    try:
                        results[index] = completed.result()
                    except Exception as raw_error:
                        error = located_error(raw_error, field_nodes, item_path.as_list())
                        self.handle_field_error(error, item_type, item_path)
                    unresolved -= 1
                    if not unresolved:
                        future.set_result(results)

                unresolved += 1
                completed.add_done_callback(partial(process_completed, index, completed, item_path))
            except Exception as raw_error:
                error = located_error(raw_error, field_nodes, item_path.as_list())
                self.handle_field_error(error, item_type, item_path)
        if not unresolved:
            return results
        future = SyncFuture()
        return future

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
