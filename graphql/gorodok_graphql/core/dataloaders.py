"""Per-request dataloaders (graphql-sync-dataloaders works with the synchronous view)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from graphql_sync_dataloaders import SyncDataLoader, SyncFuture


def get_loader(context, name: str, batch_load: Callable[[list], Iterable]) -> SyncDataLoader:
    """One loader per request and name, so each request batches its own lookups."""
    loaders = getattr(context, "_gorodok_loaders", None)
    if loaders is None:
        loaders = {}
        context._gorodok_loaders = loaders
    if name not in loaders:
        loaders[name] = SyncDataLoader(batch_load)
    return loaders[name]


def then(future: SyncFuture, transform: Callable):
    """A future for ``transform(result)``: SyncFuture has no ``then`` of its own. The chained future
    keeps the loader's ``deferred_callback``, which is how the executor knows to dispatch the batch."""
    chained = SyncFuture()
    chained.deferred_callback = future.deferred_callback

    def done() -> None:
        error = future.exception()
        if error is not None:
            chained.set_exception(error)
        else:
            chained.set_result(transform(future.result()))

    if future.done():
        done()
    else:
        future.add_done_callback(done)
    return chained
