import signal
import threading

from django.core.management.base import BaseCommand

from gorodok_platform.dbtimeouts import DatabaseTimeoutsMixin
from gorodok_platform.jobs.scheduler import Scheduler, periodic_jobs
from gorodok_platform.jobs.worker import import_actor_modules


class Command(DatabaseTimeoutsMixin, BaseCommand):
    database_work = "job"
    help = "Send periodic jobs (sweeps, counters) at their intervals. Safe to run on every replica."

    def handle(self, *args, **options):
        import_actor_modules()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        jobs = periodic_jobs()
        self.stdout.write("Scheduler: " + ", ".join(f"{name} every {job.seconds}s" for name, job in jobs.items()))
        Scheduler(jobs).run(stop)
