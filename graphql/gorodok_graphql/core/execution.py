"""Execution context for synchronous dataloaders.

graphql-sync-dataloaders 0.1.1 calls ``handle_field_error(error, return_type)``, while graphql-core
3.2.9+ also expects the field's path (to skip errors under an already nulled parent). Without a
path we rebuild one from the error's own path, which carries the same keys.
"""

from __future__ import annotations

from graphql.pyutils import Path
from graphql_sync_dataloaders import DeferredExecutionContext


def _path_from_keys(keys) -> Path | None:
    path = None
    for key in keys or ():
        path = Path(path, key, None)
    return path


class GorodokExecutionContext(DeferredExecutionContext):
    def handle_field_error(self, error, return_type, path=None):
        if path is None:
            path = _path_from_keys(error.path)
        return super().handle_field_error(error, return_type, path)
