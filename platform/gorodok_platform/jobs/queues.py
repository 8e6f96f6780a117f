"""The queues jobs travel on. Citizens' notifications, webhook deliveries and everything a person
waits for go on ``default``; periodic fan-outs over municipalities and the per-municipality work
they send go on ``fanout``, consumed by their own workers, so a burst of background work never
delays a notification."""

DEFAULT_QUEUE = "default"
FANOUT_QUEUE = "fanout"
