"""What every appeals mutation answers: the appeal, to those who may read it, and its ID to all."""

from __future__ import annotations

import hashlib

import graphene
from graphql_relay import to_global_id

from gorodok_graphql.appeals.permissions import check_can_read_appeals
from gorodok_graphql.appeals.types import Appeal
from gorodok_graphql.core.fields import selects
from gorodok_graphql.core.permissions import request_api_client
from gorodok_services.appeals.models import Appeal as AppealModel
from gorodok_services.appeals.selectors import APPEAL_RELATIONS, appeal_detail
from graphql import FieldNode, FragmentSpreadNode, GraphQLError, InlineFragmentNode

# The appeal's fields that read a relation, and the relation the detail selector prefetches for each.
RELATION_FIELDS = {"questions": "questions", "history": "events", "attachments": "attachments"}


def _fields_named(selection_sets, name: str, fragments) -> list:
    """The selection sets of the fields called ``name`` in ``selection_sets`` (through fragments)."""
    found = []
    for selection_set in selection_sets:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                if selection.name.value == name and selection.selection_set is not None:
                    found.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                found.extend(_fields_named([selection.selection_set], name, fragments))
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
                found.extend(_fields_named([fragments[selection.name.value].selection_set], name, fragments))
    return found


def _relations_asked(info) -> tuple[str, ...]:
    """The relations of ``appeal`` the mutation's selection reads (its questions, history, attachments)."""
    appeals = _fields_named([node.selection_set for node in info.field_nodes], "appeal", info.fragments)
    return tuple(relation for field, relation in RELATION_FIELDS.items()
                 if any(selects(appeal, field, info.fragments) for appeal in appeals))


def reloaded(appeal: AppealModel, info=None) -> AppealModel:
    """The changed appeal read back through the detail selector: its relations and history are loaded
    as they are now (a request's dataloaders may have cached them before this mutation), and its dates
    come from the database, in UTC. With the mutation's ``info``, only the relations its selection reads
    under ``appeal`` are loaded (the others are not resolved at all)."""
    relations = APPEAL_RELATIONS if info is None else _relations_asked(info)
    return appeal_detail(relations).get(pk=appeal.pk)


def may_read_appeals(info) -> bool:
    try:
        check_can_read_appeals(info)
    except GraphQLError:
        return False
    return True


class AppealPayload:
    """The result fields of an appeals mutation. A mutation never shows more than the caller may read:
    an API client with appeals:write but not appeals:read gets the appeal's ID and not the appeal."""

    appeal = graphene.Field(
        Appeal, description="The appeal as it is now; null when you may not read appeals (an API client "
                            "without appeals:read): use appealId.")
    appeal_id = graphene.ID(description="The appeal's global ID, also for a client that may only write.")

    @staticmethod
    def resolve_appeal(root, info):
        appeal = getattr(root, "appeal", None)
        return appeal if appeal is not None and may_read_appeals(info) else None

    @staticmethod
    def resolve_appeal_id(root, info):
        appeal = getattr(root, "appeal", None)
        return to_global_id("Appeal", appeal.pk) if appeal is not None else None


def caller_source(info) -> str | None:
    """The integrator sending a request (its API client's region-wide identity); None for staff."""
    client = request_api_client(info.context)
    return f"api-client:{client.ident}" if client is not None else None


def scoped_idempotency_key(info, key: str | None) -> str | None:
    """An API client's idempotency key, scoped to that client: another client's same key is another
    submission. Staff keys are kept as sent (they may read every appeal anyway)."""
    if not key:
        return None
    source = caller_source(info)
    if source is None:
        return key
    return "client:" + hashlib.sha256(f"{source}\n{key}".encode()).hexdigest()
