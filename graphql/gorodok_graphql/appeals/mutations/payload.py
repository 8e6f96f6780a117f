"""What every appeals mutation answers: the appeal, to those who may read it, and its ID to all."""

from __future__ import annotations

import hashlib

import graphene
from graphql_relay import to_global_id

from gorodok_graphql.appeals.permissions import check_can_read_appeals
from gorodok_graphql.appeals.types import Appeal
from gorodok_graphql.core.permissions import request_api_client
from gorodok_services.appeals.models import Appeal as AppealModel
from gorodok_services.appeals.selectors import appeal_detail
from graphql import GraphQLError


def reloaded(appeal: AppealModel) -> AppealModel:
    """The changed appeal read back through the detail selector: its relations and history are loaded
    as they are now (a request's dataloaders may have cached them before this mutation), and its dates
    come from the database, in UTC."""
    return appeal_detail().get(pk=appeal.pk)


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
