"""Jobs of the property register. Each takes ids and is idempotent."""

from __future__ import annotations

import dramatiq


@dramatiq.actor(queue_name="default", max_retries=3, time_limit=60 * 60 * 1000)
def run_asset_import(import_id: int) -> None:
    """Run a register import (check every row, then write chunk by chunk). A redelivered or retried
    message resumes after the last committed chunk; a finished import is left alone."""
    from gorodok_services.assets.import_jobs import asset_import_run

    asset_import_run(import_id)
