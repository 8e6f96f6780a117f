"""Where long lifecycle work is, for whoever watches it: the console's background tasks install a
reporter around the work; the work calls ``step`` at its milestones (nothing happens without a reporter,
e.g. from a management command)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Reporter = Callable[[int, int, str], None]  # (done, total, what is happening now)

_reporter: ContextVar[Reporter | None] = ContextVar("gorodok_progress_reporter", default=None)


def step(done: int, total: int, label) -> None:
    reporter = _reporter.get()
    if reporter is not None:
        reporter(done, total, str(label))


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)
