"""Parsed and validated GraphQL documents, kept by their text so that a query sent again is neither
parsed nor checked against the schema again.

Only what depends on the document alone is remembered: a document enters the cache once it has
passed *every* rule of its request (the standard rules, the depth limit, the cost limit, the
introspection policy). On a later request with the same text the rules that depend on the request
still run, every time: the cost limit (it depends on the variables, e.g. ``first: $first``, and on
the weights and limit in force) and, for a caller who may not introspect, the introspection policy.
The depth limit depends on the document and ``GRAPHQL_MAX_DEPTH`` only, which is part of the key.
A document that fails any rule is not kept: it is checked in full each time it is sent, so its
errors are exactly those it always had.

The cache is per process, bounded (``GRAPHQL_DOCUMENT_CACHE_SIZE`` documents, least recently used
first out; documents longer than ``GRAPHQL_DOCUMENT_CACHE_MAX_CHARS`` are never kept) and guarded
by a lock; a parsed document is never changed by execution, so threads may share it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from graphql.language import Visitor

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    ValidationContext,
    parse,
    validate,
    visit,
)

DEFAULT_CACHE_SIZE = 512
DEFAULT_MAX_CHARS = 64 * 1024


@dataclass(frozen=True)
class CachedDocument:
    schema: GraphQLSchema
    document: DocumentNode
    introspects: bool  # asks for __schema or __type somewhere: the introspection policy must run


class ParseFailed(Exception):
    """The document does not parse: ``error`` is what the parser raised."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class _IntrospectionFinder(Visitor):
    def __init__(self):
        super().__init__()
        self.found = False

    def enter_field(self, node: FieldNode, *_args):
        if node.name.value in ("__schema", "__type"):
            self.found = True
            return self.BREAK
        return None


def _introspects(document: DocumentNode) -> bool:
    finder = _IntrospectionFinder()
    visit(document, finder)
    return finder.found


class DocumentCache:
    def __init__(self):
        self._entries: OrderedDict[tuple, CachedDocument] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _size() -> int:
        return max(0, int(getattr(settings, "GRAPHQL_DOCUMENT_CACHE_SIZE", DEFAULT_CACHE_SIZE)))

    @staticmethod
    def key(schema: GraphQLSchema, query: str) -> tuple:
        return id(schema), settings.GRAPHQL_MAX_DEPTH, query

    def get(self, schema: GraphQLSchema, query: str) -> CachedDocument | None:
        key = self.key(schema, query)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.schema is not schema:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, schema: GraphQLSchema, query: str, document: DocumentNode) -> None:
        size = self._size()
        if not size or len(query) > getattr(settings, "GRAPHQL_DOCUMENT_CACHE_MAX_CHARS", DEFAULT_MAX_CHARS):
            return
        entry = CachedDocument(schema=schema, document=document, introspects=_introspects(document))
        key = self.key(schema, query)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


documents = DocumentCache()


def _request_rules_errors(schema: GraphQLSchema, entry: CachedDocument, request_rules: list,
                          max_errors: int | None) -> list[GraphQLError]:
    """The errors of the rules that depend on the request, for a document every other rule accepts.

    A rule marked ``operation_only`` reports from ``enter_operation_definition`` alone: it is called on
    each operation directly rather than through a walk of the whole document. A rule marked
    ``introspection_only`` reports on ``__schema``/``__type`` fields alone: it cannot report on a
    document that asks for neither. Any other rule, or an introspection rule on a document that
    introspects, makes all the request's rules run through graphql-core's own ``validate`` (in the
    order a full validation reports them)."""
    walked = [rule for rule in request_rules if not getattr(rule, "operation_only", False)]
    if any(entry.introspects or not getattr(rule, "introspection_only", False) for rule in walked):
        return validate(schema, entry.document, request_rules, max_errors)
    request_rules = [rule for rule in request_rules if getattr(rule, "operation_only", False)]
    errors: list[GraphQLError] = []
    context = ValidationContext(schema, entry.document, TypeInfo(schema), errors.append)
    rules = [rule(context) for rule in request_rules]
    for definition in entry.document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for rule in rules:
                rule.enter_operation_definition(definition)
    return errors


def parse_and_validate(schema: GraphQLSchema, query: str, *, static_rules: list, request_rules: list,
                       max_errors: int | None = None) -> tuple[DocumentNode | None, list[GraphQLError]]:
    """The document and the errors of all the rules, from the cache when the text was seen before.

    ``static_rules`` depend on the document (and the settings in the key) only; ``request_rules`` on
    the request too (see ``_request_rules_errors`` for how they run on a cached document). Raises
    ParseFailed, with what the parser raised, for a document that does not parse."""
    entry = documents.get(schema, query)
    if entry is not None:
        return entry.document, _request_rules_errors(schema, entry, request_rules, max_errors)
    try:
        document = parse(query)
    except Exception as error:
        raise ParseFailed(error) from error
    errors = validate(schema, document, [*static_rules, *request_rules], max_errors)
    if not errors:
        documents.put(schema, query, document)
    return document, errors
