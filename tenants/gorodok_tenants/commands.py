"""The base of every management command that works in municipalities' schemas.

``--schema SCHEMA`` (repeatable) names municipalities, ``--all`` takes every one the command applies
to, ``--dry-run`` reports what would be done and changes nothing. The command's handler runs once per
municipality, inside its schema; one municipality's failure is reported and the others still run
(the command then exits with an error)::

    class Command(MunicipalityCommand):
        module = "appeals"  # only municipalities with this module switched on

        def handle_municipality(self, municipality, *, dry_run, **options):
            ...
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from gorodok_tenants.models import Municipality, MunicipalityStatus


class MunicipalityCommand(BaseCommand):
    #: Only municipalities with this module switched on (None: every one).
    module: str | None = None
    #: Without --schema or --all: run for all (True) or refuse (False).
    all_by_default: bool = False
    #: The handler does its own dry run (gets ``dry_run=True``); otherwise a dry run only lists the
    #: municipalities the command would run in.
    handles_dry_run: bool = False

    def add_arguments(self, parser):
        parser.add_argument("--schema", action="append", dest="schemas", metavar="SCHEMA", default=[],
                            help="A municipality's schema (repeat for several).")
        parser.add_argument("--all", action="store_true", dest="all_municipalities",
                            help="Every active municipality" + (f" with the {self.module} module on." if self.module
                                                                else "."))
        parser.add_argument("--dry-run", action="store_true", help="Report what would be done; change nothing.")
        self.add_command_arguments(parser)

    def add_command_arguments(self, parser) -> None:
        """Arguments of the command itself."""

    def handle_municipality(self, municipality: Municipality, *, dry_run: bool, **options) -> None:
        raise NotImplementedError

    # --- choosing the municipalities ----------------------------------------------------------------

    def applies_to(self, municipality: Municipality) -> bool:
        from gorodok_tenants.modules import module_enabled

        return municipality.status == MunicipalityStatus.ACTIVE and (
            self.module is None or module_enabled(municipality, self.module))

    def municipalities(self, schemas: list[str], everyone: bool) -> list[Municipality]:
        if schemas and everyone:
            raise CommandError("Give --schema or --all, not both.")
        if not schemas and not everyone and not self.all_by_default:
            raise CommandError("Name the municipalities: --schema SCHEMA (repeatable) or --all.")
        with schema_context(get_public_schema_name()):
            if not schemas:
                return [m for m in Municipality.objects.exclude(schema_name=get_public_schema_name())
                        .order_by("schema_name") if self.applies_to(m)]
            found = {m.schema_name: m for m in Municipality.objects.filter(schema_name__in=schemas)}
            chosen = []
            for schema in dict.fromkeys(schemas):
                municipality = found.get(schema)
                if municipality is None:
                    raise CommandError(f"No municipality has the schema {schema!r}.")
                if not self.applies_to(municipality):
                    what = f" or has the {self.module} module switched off" if self.module else ""
                    raise CommandError(f"{municipality.name} ({schema}) is not active{what}.")
                chosen.append(municipality)
            return chosen

    # --- running ------------------------------------------------------------------------------------

    def handle(self, *args, schemas, all_municipalities, dry_run, **options):
        municipalities = self.municipalities(schemas, all_municipalities)
        if dry_run and not self.handles_dry_run:
            self.stdout.write(f"Dry run: would run in {len(municipalities)} municipalities:")
            for municipality in municipalities:
                self.stdout.write(f"  {municipality.schema_name} ({municipality.name})")
            return
        failed = []
        for municipality in municipalities:
            try:
                with tenant_context(municipality):
                    self.handle_municipality(municipality, dry_run=dry_run, **options)
            except CommandError:
                raise
            except Exception as exc:
                failed.append(municipality.schema_name)
                self.stderr.write(f"{municipality.schema_name}: failed: {type(exc).__name__}: {exc}")
        if failed:
            raise CommandError(f"Failed in {len(failed)} of {len(municipalities)} municipalities: {', '.join(failed)}")
