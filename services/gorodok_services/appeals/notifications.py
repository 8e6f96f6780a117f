"""Texts of the e-mails the appeals module sends, in Russian (the municipality's language)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gorodok_platform.jobs.locks import PER_ITEM, advisory_lock, register_lock
from gorodok_services.appeals.deadlines import tenant_timezone
from gorodok_services.appeals.models import AppealsSettings, AppealStatus, Notification, NotificationKind

logger = logging.getLogger("gorodok.appeals")

NOTIFICATION_LOCK = register_lock("appeals.notification", 0x60D0_0A03, kind=PER_ITEM,
                                  purpose="one sender of a notification at a time (per schema and notification)")


def _send_after_commit(notification_pk: int) -> None:
    from gorodok_platform.jobs.enqueue import enqueue_on_commit
    from gorodok_services.appeals.actors import send_appeal_notification

    # A broker outage keeps the message for the scheduler's catch-up (sent within seconds of the
    # broker's return); the sweep's resend of unsent notices is the backstop.
    enqueue_on_commit(send_appeal_notification, notification_pk)


def notification_record(*, appeal, kind: str, key: str, recipient: str) -> tuple[Notification | None, bool]:
    """Record a notification once (the unique key decides) and send it after commit."""
    if not recipient:
        return None, False
    notification = Notification(appeal=appeal, kind=kind, key=key, recipient=recipient, created_at=timezone.now())
    # One statement: inserted, or left alone when the key is there already (then read).
    meta = Notification._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name).column for name in ("appeal", "kind", "key", "recipient", "created_at")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT ({', '.join(quote(c) for c in columns[:3])}) "
            f"DO NOTHING RETURNING {quote(meta.pk.column)}",
            [appeal.pk, kind, key, recipient, notification.created_at])
        row = cursor.fetchone()
    if row is None:
        return Notification.objects.get(appeal=appeal, kind=kind, key=key), False
    notification.pk = row[0]
    notification._state.adding = False
    _send_after_commit(notification.pk)
    return notification, True


def notification_send(notification_id: int) -> bool:
    """Send one recorded notification unless it was sent already; True if this call sent it.

    No transaction is open while the mail server is talked to (a slow or hanging SMTP server must not
    keep a session idle in transaction): a session advisory lock per notification keeps two senders
    apart, and the notification is marked sent right after, in its own statement."""
    schema = connection.schema_name
    with advisory_lock(NOTIFICATION_LOCK.name, item=f"{schema}:{notification_id}", private=False) as lock:
        if not lock:
            return False  # another worker is sending it right now
        notification = (Notification.objects.select_related("appeal", "appeal__executor")
                        .filter(pk=notification_id, sent_at__isnull=True).first())
        if notification is None:
            return False
        deliver(notification)
        Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(sent_at=timezone.now())
        return True


def notifications_resend_pending(*, now=None, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue again the notifications recorded but still unsent (e.g. the broker was down)."""
    now = now or timezone.now()
    pending = list(Notification.objects.filter(sent_at__isnull=True, created_at__lt=now - older_than)
                   .values_list("pk", flat=True)[:500])
    for pk in pending:
        _send_after_commit(pk)
    return len(pending)


def _local(moment) -> str:
    import zoneinfo

    return timezone.localtime(moment, zoneinfo.ZoneInfo(tenant_timezone())).strftime("%d.%m.%Y") if moment else "—"


def compose(notification: Notification) -> tuple[str, str]:
    appeal = notification.appeal
    municipality = getattr(connection.tenant, "name", "")
    number = appeal.registration_number or "—"
    if notification.kind == NotificationKind.UNCLEAR_NOTICE:
        return _unclear_notice(appeal, number)
    texts = {
        NotificationKind.REGISTERED_NOTICE: (
            _("Your appeal is registered: %(number)s") % {"number": number},
            _("%(municipality)s registered your appeal under number %(number)s. The answer is due by %(due)s.")
            % {"municipality": municipality, "number": number, "due": _local(appeal.due_at)},
        ),
        NotificationKind.EXTENSION_NOTICE: (
            _("The answer to your appeal %(number)s is extended") % {"number": number},
            _("The term for answering your appeal %(number)s is extended to %(due)s. Reason: %(reason)s")
            % {"number": number, "due": _local(appeal.due_at), "reason": appeal.extension_reason},
        ),
        NotificationKind.FORWARDED_NOTICE: (
            _("Your appeal %(number)s is forwarded") % {"number": number},
            _("Your appeal %(number)s concerns questions outside our competence and was forwarded to: %(to)s.")
            % {"number": number, "to": appeal.forwarded_to},
        ),
        NotificationKind.REMINDER: (
            _("Appeal %(number)s is due on %(due)s") % {"number": number, "due": _local(appeal.due_at)},
            _("Appeal %(number)s (%(subject)s) must be answered by %(due)s.")
            % {"number": number, "subject": appeal.subject, "due": _local(appeal.due_at)},
        ),
        NotificationKind.OVERDUE: (
            _("Appeal %(number)s is overdue") % {"number": number},
            _("The answer to appeal %(number)s (%(subject)s) was due on %(due)s.")
            % {"number": number, "subject": appeal.subject, "due": _local(appeal.due_at)},
        ),
        NotificationKind.ESCALATION: (
            _("Overdue appeal %(number)s needs your attention") % {"number": number},
            _("Appeal %(number)s (%(subject)s) was due on %(due)s and is still not answered. Executor: %(who)s.")
            % {"number": number, "subject": appeal.subject, "due": _local(appeal.due_at),
               "who": getattr(appeal.executor, "email", "") or _("not assigned")},
        ),
    }
    if notification.key.startswith("clarification:"):
        return _clarification_texts(notification, number)
    return texts[notification.kind]


def _unclear_notice(appeal, number: str) -> tuple[str, str]:
    event = appeal.events.filter(action="clarification_requested").order_by("-at", "-id").first()
    what = f" {event.note}" if event is not None and event.note else ""
    if appeal.status == AppealStatus.AWAITING_CLARIFICATION:
        body = (_("The substance of your appeal %(number)s cannot be understood.%(what)s Please send a "
                  "clarification by %(due)s: consideration continues when it arrives.")
                % {"number": number, "what": what, "due": _local(appeal.due_clarification_at)})
    else:
        body = (_("The substance of your appeal %(number)s cannot be understood.%(what)s Under art. 11 of "
                  "Federal Law 59-FZ no answer on the merits is given; you may write again, stating it clearly.")
                % {"number": number, "what": what})
    return _("Your appeal %(number)s cannot be understood") % {"number": number}, body


def _clarification_texts(notification: Notification, number: str) -> tuple[str, str]:
    """Staff notices about the term an unclear appeal waits for the author's clarification."""
    appeal = notification.appeal
    values = {"number": number, "subject": appeal.subject, "due": _local(appeal.due_clarification_at)}
    if notification.kind == NotificationKind.REMINDER:
        return (_("Appeal %(number)s: the clarification is awaited until %(due)s") % values,
                _("The author of appeal %(number)s (%(subject)s) was asked for a clarification, awaited until "
                  "%(due)s.") % values)
    return (_("Appeal %(number)s: no clarification by %(due)s") % values,
            _("The author of appeal %(number)s (%(subject)s) sent no clarification by %(due)s: resume its "
              "consideration or leave it without an answer as unclear.") % values)


def deliver(notification: Notification) -> None:
    settings_row = AppealsSettings.current()
    with translation.override("ru"):
        subject, body = compose(notification)
    send_mail(subject=subject, message=body, from_email=settings_row.sender_email or None,
              recipient_list=[notification.recipient])
