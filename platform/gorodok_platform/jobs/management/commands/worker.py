import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gorodok_platform.dbtimeouts import DatabaseTimeoutsMixin
from gorodok_platform.jobs.worker import start_worker


class Command(DatabaseTimeoutsMixin, BaseCommand):
    database_work = "job"
    help = "Process background jobs from the broker named by BROKER_URL until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--queue", action="append", dest="queues", help="Only these queues.")
        parser.add_argument("--metrics-port", type=int, default=None,
                            help="Serve job metrics (Prometheus) on this port (default WORKER_METRICS_PORT; 0: off).")

    def handle(self, *args, threads, queues, metrics_port, **options):
        if not settings.BROKER_URL:
            raise CommandError("BROKER_URL is not set: without a broker, jobs run inside `make run`.")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        worker = start_worker(threads=threads, queues=set(queues) if queues else None)
        port = settings.WORKER_METRICS_PORT if metrics_port is None else metrics_port
        if port:
            import dramatiq

            from gorodok_platform.jobs.metrics import serve_job_metrics

            broker = dramatiq.get_broker()
            serve_job_metrics(broker, worker.consumer_whitelist or broker.get_declared_queues(), port)
            self.stdout.write(f"Job metrics on port {port}.")
        self.stdout.write(f"Worker running with {threads} threads; Ctrl-C stops it.")
        stop.wait()
        # Unfinished jobs stay unacknowledged and the broker hands them to another worker.
        worker.stop(timeout=int(settings.WORKER_SHUTDOWN_SECONDS * 1000))
        self.stdout.write("Worker stopped.")
