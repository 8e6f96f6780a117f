"""Jobs of the tenancy layer: keeping the console's counters current, and the modules' periodic
tasks (``module_jobs``), registered with the scheduler here, where the worker imports actors."""

from __future__ import annotations

import dramatiq
from django.db import connection

from gorodok_platform.jobs.middleware import send_in_tenant
from gorodok_platform.jobs.queues import FANOUT_QUEUE
from gorodok_platform.jobs.scheduler import periodic
from gorodok_tenants.models import Municipality
from gorodok_tenants.modules.jobs import register_module_tasks

register_module_tasks()

COUNTERS_INTERVAL_SECONDS = 300


@dramatiq.actor(queue_name=FANOUT_QUEUE, max_retries=3)
def refresh_municipality_counters() -> None:
    """Runs in a municipality's schema (named in the message); idempotent."""
    from gorodok_tenants.modules.counters import municipality_counters_refresh

    municipality = Municipality.objects.filter(schema_name=connection.schema_name).first()
    if municipality is not None:
        municipality_counters_refresh(municipality=municipality)


@periodic(seconds=COUNTERS_INTERVAL_SECONDS)
@dramatiq.actor(queue_name=FANOUT_QUEUE, max_retries=0)
def refresh_all_counters() -> None:
    """Every five minutes, a counter refresh in each municipality that had activity since the last
    tick or whose counters are older than COUNTERS_MAX_AGE_SECONDS (found in two queries); the quiet
    rest gets no message."""
    from gorodok_tenants.modules.counters import municipalities_due_for_counters

    for schema_name in municipalities_due_for_counters(interval_seconds=COUNTERS_INTERVAL_SECONDS):
        send_in_tenant(refresh_municipality_counters, schema_name)


@dramatiq.actor(queue_name="default", max_retries=5)
def send_admin_invitation(user_id: int) -> None:
    """E-mail a municipality's new administrator a one-time sign-in link (runs in its schema).

    Idempotent: once the administrator has set a password, nothing is sent again."""
    from django.core.mail import send_mail
    from django.utils import translation
    from django.utils.translation import gettext as _

    from gorodok_platform.accounts.models import User
    from gorodok_tenants.provisioning.municipalities import first_sign_in_link

    municipality = Municipality.objects.filter(schema_name=connection.schema_name).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if municipality is None or user is None or user.has_usable_password():
        return
    link = first_sign_in_link(municipality=municipality, user=user)
    with translation.override("ru"):
        send_mail(
            subject=_("Gorodok: your access to %(name)s") % {"name": municipality.name},
            message=_("You are the administrator of %(name)s in Gorodok.\n\nSet your password here "
                      "(the link works once):\n%(link)s\n") % {"name": municipality.name, "link": link},
            from_email=None,
            recipient_list=[user.email],
        )


@periodic(seconds=600)
@dramatiq.actor(queue_name="default", max_retries=0)
def refill_schema_pool() -> None:
    """Keep the warm pool of spare schemas full (sent after each take, and every ten minutes, in the
    public schema); idempotent. A failed run is not retried: the next take or tick runs it again."""
    from gorodok_tenants.provisioning.pool import pool_refill

    pool_refill()
