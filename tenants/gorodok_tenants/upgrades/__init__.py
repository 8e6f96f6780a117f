"""Upgrading every municipality's schema to the code's migrations, centrally, in one resumable run.

``manage.py upgrade plan|run|retry|status`` (and the console's "Upgrade runs" pages) drive it:

* ``graph``    the migration graph, loaded once per process (per applied state), and the plan of
               each distinct applied state; an executor bound to a loaded graph.
* ``planner``  every municipality's applied migrations read with one query per batch of schemas,
               grouped by applied state: the pending migrations of all of them, computed in memory.
* ``runner``   the run: an advisory lock, the public schema first, a canary wave, then the rest in
               batches on a bounded pool of worker threads; each municipality migrated in one
               transaction while it is in maintenance mode; state rows in the public schema.
* ``notes``    release notes shown once to each municipality's administrators after their upgrade.
* ``lint``     the migration linter ``make test`` runs (unsafe operations for a rolling deploy).

deploy/runbooks/upgrades.md is the operator's guide.
"""
