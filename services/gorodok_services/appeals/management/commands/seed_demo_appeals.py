"""Demo appeals for one municipality or all active ones (development and demonstrations).
Idempotent: the demo appeals that exist are left alone."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from gorodok_services.appeals.demo import seed_demo_appeals
from gorodok_tenants.models import Municipality, MunicipalityStatus
from gorodok_tenants.modules import module_enabled

MODULE_CODE = "appeals"


class Command(BaseCommand):
    help = ("Create realistic demo appeals in every state, spread over the last two months (idempotent). "
            "--all takes every active municipality with the appeals module on.")

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--schema", help="The municipality's schema.")
        target.add_argument("--all", action="store_true", help="Every active municipality.")
        parser.add_argument("--count", type=int, default=36, help="Demo appeals per municipality (default 36).")
        parser.add_argument("--seed", type=int, help="Random seed, for the same demo every time.")
        parser.add_argument("--quiet", action="store_true", help="Print nothing unless something fails.")

    def handle(self, *args, schema, count, seed, quiet, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        with schema_context(get_public_schema_name()):
            if options["all"]:
                municipalities = [m for m in Municipality.objects.filter(status=MunicipalityStatus.ACTIVE)
                                  .exclude(schema_name=get_public_schema_name()).order_by("name")
                                  if module_enabled(m, MODULE_CODE)]
            else:
                municipalities = list(Municipality.objects.filter(schema_name=schema))
                if not municipalities:
                    raise CommandError(f"No municipality with schema {schema!r}.")
                if not module_enabled(municipalities[0], MODULE_CODE):
                    raise CommandError(f"{municipalities[0].name} has the appeals module switched off.")
        total = 0
        for municipality in municipalities:
            with tenant_context(municipality):
                created = seed_demo_appeals(count=count, seed=seed)
            total += created
            if not quiet:
                self.stdout.write(f"{municipality.name} ({municipality.schema_name}): "
                                  f"{created} new demo appeals" if created else
                                  f"{municipality.name} ({municipality.schema_name}): demo appeals already there")
        if not quiet:
            self.stdout.write(self.style.SUCCESS(f"{total} demo appeals created in {len(municipalities)} "
                                                 "municipalities."))
