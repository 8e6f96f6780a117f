"""No transaction stays open while Gorodok talks to a mail server or the broker: a slow or hanging
peer must never leave a session idle in transaction (holding row locks) in the database."""

from __future__ import annotations

import dramatiq
import pytest
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django_tenants.utils import schema_context

from gorodok_services.appeals import services
from gorodok_services.appeals.models import Notification
from tests.support.appeals import dated_intake as intake

DEPTHS: list[int] = []


class DepthRecordingBackend(EmailBackend):
    """Records how many transactions (atomic blocks) are open when a message is handed to the server."""

    def send_messages(self, messages):
        DEPTHS.append(len(connection.atomic_blocks))
        return super().send_messages(messages)


@pytest.fixture
def recording_mail(settings):
    settings.EMAIL_BACKEND = f"{__name__}.DepthRecordingBackend"
    DEPTHS.clear()
    yield DEPTHS
    DEPTHS.clear()


def test_a_notification_is_mailed_with_no_transaction_open(alpha, recording_mail, mailoutbox,
                                                           django_capture_on_commit_callbacks):
    from gorodok_services.appeals.actors import send_appeal_notification

    with schema_context(alpha.schema_name):
        appeal, _ = services.appeal_receive(data=intake(external_number="IO-1"))
        with django_capture_on_commit_callbacks(execute=False):
            services.appeal_register(appeal=appeal)
        notice = Notification.objects.get(appeal=appeal, kind="registered_notice")
        baseline = len(connection.atomic_blocks)  # the test's own transaction
        send_appeal_notification.fn(notice.pk)
        send_appeal_notification.fn(notice.pk)  # a second run sends nothing
        assert Notification.objects.get(pk=notice.pk).sent_at is not None
    assert len(mailoutbox) == 1
    assert recording_mail == [baseline]


def test_an_outbox_event_is_handed_to_the_broker_with_no_transaction_open(alpha, monkeypatch,
                                                                          django_capture_on_commit_callbacks):
    from gorodok_platform.integrations import actors
    from gorodok_platform.integrations.models import OutboxEvent
    from gorodok_platform.integrations.outbox import outbox_dispatch
    from gorodok_platform.integrations.webhooks import subscriptions as webhooks

    depths = []
    monkeypatch.setattr(webhooks, "subscriptions_for", lambda event_type, schema: [(101, schema), (102, schema)])
    monkeypatch.setattr(actors, "enqueue_delivery", lambda *args: depths.append(len(connection.atomic_blocks)))
    with schema_context(alpha.schema_name):
        appeal, _ = services.appeal_receive(data=intake(external_number="IO-2"))
        with django_capture_on_commit_callbacks(execute=False):
            services.appeal_register(appeal=appeal)
        event = OutboxEvent.objects.filter(dispatched_at__isnull=True).latest("created_at")
        baseline = len(connection.atomic_blocks)
        assert outbox_dispatch(str(event.event_id)) == 2
        assert outbox_dispatch(str(event.event_id)) is None  # dispatched once
    assert depths == [baseline, baseline]
    dramatiq.get_broker().flush_all()
