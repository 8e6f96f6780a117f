"""django-tenants' PostgreSQL backend, which also remembers the search_path the session really has.

django-tenants forgets whether ``SET search_path`` was issued whenever a schema is selected, so a
request that selects the public schema and then its municipality's (as routing does on every request)
pays one round trip to the database for ``SET search_path`` even when the connection, kept between
requests, already has exactly that path. This backend records the path the session was last given and
skips the statement when the path wanted is the same. What the session has is forgotten whenever it may
have changed: a new connection, closing, a rollback, a rollback to a savepoint (both undo a SET made
inside them), or a failed SET. Nothing in Gorodok sets search_path by hand.
"""

from __future__ import annotations

from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantDatabaseWrapper


class DatabaseWrapper(TenantDatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.session_search_path: list[str] | None = None

    def get_new_connection(self, conn_params):
        self.session_search_path = None
        return super().get_new_connection(conn_params)

    # Forgotten after the call as well: rolling back to a savepoint opens a cursor, which would record
    # the path as set just before the rollback undoes it.
    def close(self):
        try:
            super().close()
        finally:
            self.session_search_path = None

    def rollback(self):
        try:
            super().rollback()
        finally:
            self.session_search_path = None

    def savepoint_rollback(self, sid):
        try:
            super().savepoint_rollback(sid)
        finally:
            self.session_search_path = None

    def _handle_search_path(self, cursor=None):
        if (not self._setting_search_path and not self.search_path_set_schemas and self.schema_name
                and self.session_search_path is not None
                and self._get_cursor_search_paths() == self.session_search_path):
            self.search_path_set_schemas = self.session_search_path
            return
        super()._handle_search_path(cursor)
        self.session_search_path = self.search_path_set_schemas or None
