"""The migration graph for one applied state, loaded without reading the database, and an executor
that reuses it.

``migrate`` (and so ``migrate_schemas``, once per schema) loads every migration file, builds the graph,
reads the schema's django_migrations, checks its history, renders the whole project state and only
then finds out whether anything is pending. The upgrader does the reading for all schemas at once
(``planner``) and the rest once per *distinct applied state*: in a region almost every municipality has
the same migrations applied, so the graph is built and the state rendered once for all of them.

The graph depends on the applied state only through squashed migrations (a squash replaces its
migrations when all or none of them are applied, and is dropped when only some are);
``AppliedStateLoader`` reproduces ``MigrationLoader.build_graph`` for a given applied set.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_pre_migrate_signal
from django.db import models
from django.db.migrations.exceptions import InconsistentMigrationHistory
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ModelState, ProjectState

from gorodok_tenants.upgrades.schema_version import _label

Key = tuple[str, str]
_POST_MIGRATE_LOCK = threading.Lock()
_LOAD_LOCK = threading.Lock()


class PlanRefused(RuntimeError):
    """A plan the upgrader will not run (a non-atomic migration, an inconsistent history)."""


class AppliedStateLoader(MigrationLoader):
    """``MigrationLoader`` for a given set of applied migrations: no database is read."""

    def __init__(self, applied: Iterable[Key] = ()):
        self._given_applied = frozenset(applied)
        with _LOAD_LOCK:  # load_disk re-imports (reloads) migration packages: one thread at a time
            super().__init__(None, ignore_no_migrations=True, load=True)

    def build_graph(self):
        replace, self.replace_migrations = self.replace_migrations, False
        try:
            super().build_graph()  # every node, no replacement carried out, nothing applied
        finally:
            self.replace_migrations = replace
        self.applied_migrations = dict.fromkeys(self._given_applied)
        if not (self.replace_migrations and self.replacements):
            return
        # As MigrationLoader.build_graph does, with the given applied set.
        for key, migration in self.replacements.items():
            statuses = [target in self.applied_migrations for target in migration.replaces]
            if all(statuses):
                self.applied_migrations[key] = migration
            else:
                self.applied_migrations.pop(key, None)
            if all(statuses) or not any(statuses):
                self.graph.remove_replaced_nodes(key, migration.replaces)
            else:
                self.graph.remove_replacement_node(key, migration.replaces)
        self.graph.validate_consistency()
        self.graph.ensure_not_cyclic()

    def check_history(self) -> None:
        """``check_consistent_history`` on the given applied set."""
        applied = self.applied_migrations
        for key in applied:
            if key not in self.graph.nodes:
                continue
            for parent in self.graph.node_map[key].parents:
                if parent in applied:
                    continue
                if parent in self.replacements and all(m in applied for m in self.replacements[parent].replaces):
                    continue
                raise InconsistentMigrationHistory(
                    f"Migration {key[0]}.{key[1]} is applied before its dependency {parent[0]}.{parent[1]}."
                )


class BoundExecutor(MigrationExecutor):
    """Django's executor on a loader built beforehand (its __init__ would load and read everything again)."""

    def __init__(self, connection, loader: MigrationLoader, progress_callback=None):
        self.connection = connection
        self.loader = loader
        self.recorder = MigrationRecorder(connection)
        self.progress_callback = progress_callback


def full_records(loader: MigrationLoader) -> frozenset[Key]:
    """What a fully migrated schema records: every migration on disk and everything a squash replaces."""
    records = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        records.update(tuple(replaced) for replaced in migration.replaces)
    return frozenset(records)


def release_label(loader: MigrationLoader) -> str:
    """The code's schema version (as ``schema_version.code_schema_version``), from this loader."""
    return _label(set(loader.graph.nodes))


@dataclass
class StatePlan:
    """What migrating a schema in one applied state means: the same for every schema in that state."""

    applied: frozenset[Key]
    loader: AppliedStateLoader
    steps: list = field(default_factory=list)  # [(Migration, backwards)]
    error: str = ""

    @property
    def pending(self) -> tuple[Key, ...]:
        return tuple((migration.app_label, migration.name) for migration, _ in self.steps)

    @property
    def targets(self) -> list[Key]:
        return self.loader.graph.leaf_nodes()


def plan_for(applied: Iterable[Key]) -> StatePlan:
    """The pending migrations of a schema whose django_migrations holds ``applied``."""
    loader = AppliedStateLoader(applied)
    plan = StatePlan(applied=frozenset(applied), loader=loader)
    try:
        loader.check_history()
    except InconsistentMigrationHistory as error:
        plan.error = str(error)
        return plan
    executor = BoundExecutor(None, loader)
    plan.steps = executor.migration_plan(plan.targets)
    backwards = [m for m, is_backwards in plan.steps if is_backwards]
    non_atomic = [m for m, _ in plan.steps if not m.atomic]
    if backwards:
        plan.error = "The plan would unapply migrations: " + ", ".join(f"{m.app_label}.{m.name}" for m in backwards)
    elif non_atomic:
        plan.error = (
            "Non-atomic migration(s) " + ", ".join(f"{m.app_label}.{m.name}" for m in non_atomic)
            + " (atomic = False): the upgrader migrates each municipality in one transaction and cannot run "
            "them. Make them atomic, or run them with migrate_schemas in a maintenance window "
            "(deploy/runbooks/upgrades.md)."
        )
    return plan


class PreparedState:
    """A plan made ready to run on one thread, once for every schema in its applied state.

    ``migrate`` renders the project state, and re-renders the models each operation changes, for every
    schema it runs on; the states do not depend on the schema, only on the plan. So here, once:
    pre_migrate is sent (contenttypes injects its operations into this loader's migrations, as
    ``migrate`` does once per run), the state before the plan is rendered, each operation's state
    before and after it is computed (as ``Migration.apply`` does), and the final state is rendered for
    post_migrate. Each schema then only runs the operations' ``database_forwards`` and records them,
    exactly as ``MigrationExecutor.apply_migration`` does.
    """

    def __init__(self, plan: StatePlan, using: str):
        self.plan = plan
        self.using = using
        self.apps_touched = {migration.app_label for migration, _ in plan.steps}
        executor = BoundExecutor(None, plan.loader)
        self.pre_state: ProjectState = executor._create_project_state(with_applied_migrations=True)
        self.steps: list[tuple] = []  # [(migration, [(operation, state before, state after)])]
        self.post_apps = None
        self._registries = []
        if not plan.steps or plan.error:
            return
        emit_pre_migrate_signal(0, False, using, apps=self.pre_state.apps, plan=plan.steps)
        state = self.pre_state.clone()
        before = state.clone()
        for migration, _ in plan.steps:
            operations = []
            for operation in migration.operations:
                operation.state_forwards(migration.app_label, state)
                after = state.clone()  # an operation's state after is the next one's state before
                operations.append((operation, before, after))
                before = after
            self.steps.append((migration, operations))
        state.clear_delayed_apps_cache()
        post_apps = state.apps
        with post_apps.bulk_update():
            model_keys = []
            for model_state in post_apps.real_models:
                model_key = model_state.app_label, model_state.name_lower
                model_keys.append(model_key)
                post_apps.unregister_model(*model_key)
        post_apps.render_multiple([ModelState.from_model(global_apps.get_model(*key)) for key in model_keys])
        self.post_apps = post_apps
        self._registries = [self.post_apps, *{id(s.apps): s.apps for _, ops in self.steps for _, a, b in ops
                                               for s in (a, b)}.values()]

    def _forget_cached_content_types(self) -> None:
        """Historical ContentType managers cache ids; ids are per schema, the states are shared."""
        for registry in self._registries:
            try:
                model = registry.get_model("contenttypes", "ContentType")
            except LookupError:
                continue
            for manager in model._meta.managers:
                if hasattr(manager, "clear_cache"):
                    manager.clear_cache()

    def migrate(self, connection, on_step=None) -> None:
        """Apply the plan on ``connection`` (already on the schema, inside the caller's transaction),
        then send post_migrate to the apps it changed, with the state after it (as ``migrate`` does)."""
        if not self.steps:
            return
        self._forget_cached_content_types()
        executor = BoundExecutor(connection, self.plan.loader)
        # The caller has just read this schema's django_migrations: the recorder need not look for it
        # (its check lists every table the search path sees, slow in a catalog of a thousand schemas).
        executor.recorder._has_table = True
        for migration, operations in self.steps:
            if on_step is not None:
                on_step(migration)
            recorded = False
            with connection.schema_editor(atomic=migration.atomic) as schema_editor:
                for operation, before, after in operations:
                    operation.database_forwards(migration.app_label, schema_editor, before, after)
                if not schema_editor.deferred_sql:
                    executor.record_migration(migration)
                    recorded = True
            if not recorded:
                executor.record_migration(migration)
        if self.plan.loader.replacements:
            executor.check_replacements()  # records a squash whose replaced migrations are all applied
        # Content types and permissions change only with an app's own migrations: the apps the plan
        # touched get post_migrate, the others have nothing new (and cost no queries). ContentType's
        # cache is one per process, not per schema: emptied around the handlers, one thread at a time.
        with _POST_MIGRATE_LOCK:
            ContentType.objects.clear_cache()
            try:
                for app_config in global_apps.get_app_configs():
                    if app_config.models_module is None or app_config.label not in self.apps_touched:
                        continue
                    models.signals.post_migrate.send(
                        sender=app_config, app_config=app_config, verbosity=0, interactive=False,
                        using=self.using, apps=self.post_apps, plan=self.plan.steps,
                    )
            finally:
                ContentType.objects.clear_cache()
                self._forget_cached_content_types()


class PlanCache:
    """Plans by applied state, per process (``plan``) and prepared per thread (``prepared``)."""

    def __init__(self, using: str):
        self.using = using
        self._plans: dict[frozenset[Key], StatePlan] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    def plan(self, applied: frozenset[Key]) -> StatePlan:
        with self._lock:
            found = self._plans.get(applied)
            if found is None:
                found = self._plans[applied] = plan_for(applied)
            return found

    def prepared(self, applied: frozenset[Key]) -> PreparedState:
        """This thread's own loader and rendered state for ``applied`` (a loader's migrations and a
        rendered state are not shared between threads)."""
        cache = getattr(self._local, "prepared", None)
        if cache is None:
            cache = self._local.prepared = {}
        found = cache.get(applied)
        if found is None:
            found = cache[applied] = PreparedState(plan_for(applied), self.using)
        return found
