"""Webhooks: subscriptions (``subscriptions``), signing (``signing``), the HTTP transport to
checked targets (``transport``), and the delivery of one event to one subscriber (``delivery``).

What a subscriber receives
--------------------------
An HTTP ``POST`` with a JSON body (the event: ``id``, ``type``, ``occurred_at``, ``municipality``,
``data``; never personal data) and these headers:

- ``X-Gorodok-Event``: the event type, e.g. ``appeal.registered``;
- ``X-Gorodok-Delivery``: a UUID for this attempt (every retry has a new one);
- ``X-Gorodok-Timestamp``: when it was sent, in Unix seconds;
- ``X-Gorodok-Signature``: ``v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>``.

A 2xx answer within ``WEBHOOK_TIMEOUT_SECONDS`` (10 s) is a delivery; anything else (another status,
a redirect, a timeout, a refused connection) is retried with exponential backoff. Delivery is at least
once: a receiver keeps the event ``id`` of what it processed and ignores repeats. After
``WEBHOOK_PAUSE_AFTER_FAILURES`` failures in a row (across events) the subscription is paused; resuming
it sends again what it missed (see ``webhook_subscription_resume``).

Verifying, on the receiver's side: see ``verify_signature`` below, which is the reference code for
integrators. It rejects a changed body, a wrong secret and a timestamp more than five minutes away;
a receiver that also remembers the event ids it has seen rejects every replay.

Settings (all optional): ``WEBHOOK_TIMEOUT_SECONDS`` (10), ``WEBHOOK_MAX_RETRIES`` (8),
``WEBHOOK_MIN_BACKOFF_MS`` (10 000), ``WEBHOOK_MAX_BACKOFF_MS`` (3 600 000),
``WEBHOOK_PAUSE_AFTER_FAILURES`` (10), ``WEBHOOK_ALLOW_PRIVATE_TARGETS`` (False in production, True in
dev and test), ``WEBHOOK_REPLAY_DAYS`` (7), ``WEBHOOK_DISPATCH_GRACE_SECONDS`` (30),
``WEBHOOK_RETENTION_DAYS`` (30).
"""
