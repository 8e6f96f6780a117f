"""Demo appeals for the municipalities named or all active ones (development and demonstrations).
Idempotent: the demo appeals that exist are left alone."""

from __future__ import annotations

from django.core.management.base import CommandError

from gorodok_services.appeals.demo import seed_demo_appeals
from gorodok_tenants.commands import MunicipalityCommand

MODULE_CODE = "appeals"


class Command(MunicipalityCommand):
    help = ("Create realistic demo appeals in every state, spread over the last two months (idempotent). "
            "--all takes every active municipality with the appeals module on.")
    module = MODULE_CODE

    def add_command_arguments(self, parser):
        parser.add_argument("--count", type=int, default=36, help="Demo appeals per municipality (default 36).")
        parser.add_argument("--seed", type=int, help="Random seed, for the same demo every time.")
        parser.add_argument("--quiet", action="store_true", help="Print nothing unless something fails.")

    def handle(self, *args, count, quiet, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        self.total, self.done = 0, 0
        super().handle(*args, count=count, quiet=quiet, **options)
        if not quiet and not options["dry_run"]:
            self.stdout.write(self.style.SUCCESS(f"{self.total} demo appeals created in {self.done} "
                                                 "municipalities."))

    def handle_municipality(self, municipality, *, dry_run, count, seed, quiet, **options):
        created = seed_demo_appeals(count=count, seed=seed)
        self.total += created
        self.done += 1
        if not quiet:
            self.stdout.write(f"{municipality.name} ({municipality.schema_name}): "
                              f"{created} new demo appeals" if created else
                              f"{municipality.name} ({municipality.schema_name}): demo appeals already there")
