"""Dramatiq middleware that runs each job in its tenant's schema.

A message carries its schema in ``options["tenant_schema"]``. Sending stamps the schema of the
current connection unless the caller named one. The worker activates that schema before the actor
runs and goes back to public afterwards. A message without a schema, or naming a schema that has
no municipality (deleted, archived or never existed), is skipped: raising SkipMessage is the only
way to stop the actor, since other exceptions in before_process_message are swallowed.
"""

from __future__ import annotations

import logging

import dramatiq
from django.db import close_old_connections, connection
from django_tenants.postgresql_backend.base import is_valid_schema_name
from dramatiq.message import generate_unique_id
from dramatiq.middleware import Middleware, MiddlewareError, SkipMessage

from gorodok_platform.observability.context import bind_tenant

logger = logging.getLogger("gorodok.jobs")

TENANT_OPTION = "tenant_schema"
PUBLIC_SCHEMA = "public"


class TenantLookupFailed(MiddlewareError):
    """The tenant could not be looked up (e.g. the database is down): the actor does not run, and the
    message goes through Retries like a failed job."""


def tenant_for_schema(schema_name: str):
    """The tenant object for a schema, or None when no active-or-suspended municipality owns it."""
    from django_tenants.utils import get_tenant_model

    if schema_name == PUBLIC_SCHEMA:
        tenant = get_tenant_model()(schema_name=PUBLIC_SCHEMA)
        return tenant
    connection.set_schema_to_public()
    tenant = get_tenant_model().objects.filter(schema_name=schema_name).first()
    if tenant is None or getattr(tenant, "status", "active") == "archived":
        return None
    return tenant


MAINTENANCE_RETRY_MS = 60_000


class TenantMiddleware(Middleware):
    def before_enqueue(self, broker, message, delay):
        if TENANT_OPTION not in message.options:
            message.options[TENANT_OPTION] = connection.schema_name

    def before_process_message(self, broker, message):
        schema_name = message.options.get(TENANT_OPTION)
        if not schema_name:
            logger.warning("job skipped: no tenant", extra={"actor": message.actor_name,
                                                           "message_id": message.message_id})
            raise SkipMessage("message names no tenant")
        if not isinstance(schema_name, str) or not is_valid_schema_name(schema_name):
            tenant = None
        else:
            try:
                tenant = tenant_for_schema(schema_name)
            except Exception as exc:
                # Any other exception here would be swallowed and the actor would run in public.
                raise TenantLookupFailed(f"cannot look up the tenant {schema_name!r}") from exc
        if tenant is None:
            logger.warning("job skipped: unknown tenant %s", schema_name,
                           extra={"actor": message.actor_name, "message_id": message.message_id})
            raise SkipMessage(f"no municipality for schema {schema_name!r}")
        if getattr(tenant, "maintenance_since", None):
            # The municipality is being upgraded (or waits for a retry after a failed upgrade): its
            # schema is not ready for this release's code. The job waits and comes back later.
            broker.enqueue(message.copy(message_id=generate_unique_id()), delay=MAINTENANCE_RETRY_MS)
            logger.info("job postponed: %s is being upgraded", schema_name,
                        extra={"actor": message.actor_name, "message_id": message.message_id})
            raise SkipMessage(f"{schema_name} is in maintenance")
        connection.set_tenant(tenant)
        bind_tenant(schema_name)

    def after_process_message(self, broker, message, *, result=None, exception=None):
        connection.set_schema_to_public()
        bind_tenant(None)

    def after_skip_message(self, broker, message):
        connection.set_schema_to_public()
        bind_tenant(None)


class DatabaseConnectionsMiddleware(Middleware):
    """Closes broken or expired database connections around each job, as Django does per request."""

    def before_process_message(self, broker, message):
        close_old_connections()

    def after_process_message(self, broker, message, *, result=None, exception=None):
        close_old_connections()

    after_skip_message = after_process_message

    def before_worker_thread_shutdown(self, broker, thread):
        connection.close()


def send_in_tenant(actor: dramatiq.Actor, schema_name: str, *args, **kwargs) -> dramatiq.Message:
    """Enqueue ``actor(*args, **kwargs)`` to run in ``schema_name``, whatever the current schema."""
    return actor.send_with_options(args=args, kwargs=kwargs, **{TENANT_OPTION: schema_name})
