"""Archive a municipality: export it, then drop its schema. Its record, hosts and archive stay."""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.dbtimeouts import DatabaseTimeoutsMixin
from gorodok_tenants.lifecycle.archives import municipality_archive
from gorodok_tenants.models import Municipality
from gorodok_tenants.provisioning.pgtools import PgToolError


def municipality_by_slug(slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise CommandError(f"No municipality has the slug {slug!r}.")
    return municipality


def validation_message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def confirm_by_slug(command: BaseCommand, *, slug: str, action: str, stdin) -> None:
    """Ask the person at the terminal to type the slug; refuse when nobody can answer."""
    if stdin is None or not stdin.isatty():
        raise CommandError(f"{action} must be confirmed: pass --yes, or run the command in a terminal.")
    command.stdout.write(f"{action}. Type the slug to confirm ({slug}): ", ending="")
    command.stdout.flush()
    answer = stdin.readline().strip()
    if answer != slug:
        raise CommandError("Not confirmed; nothing was changed.")


def print_counts(command: BaseCommand, counts: dict[str, int]) -> None:
    for table, rows in sorted(counts.items()):
        command.stdout.write(f"  {table}: {rows}")


class Command(DatabaseTimeoutsMixin, BaseCommand):
    database_work = "upgrade"
    help = ("Archive a municipality: export it to an archive file, then drop its schema and mark it archived "
            "(its host answers 410). Asks for confirmation unless --yes; --dry-run changes nothing.")
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The municipality's slug.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; change nothing.")
        parser.add_argument("--yes", action="store_true", help="Confirm without asking.")

    def handle(self, *args, slug, dry_run, yes, **options):
        with schema_context(get_public_schema_name()):
            municipality = municipality_by_slug(slug)
            try:
                plan = municipality_archive(municipality=municipality, confirm=False, dry_run=True)
                if dry_run:
                    self.stdout.write(f"Dry run: would export {municipality.name} to {plan.path},")
                    self.stdout.write(f"then drop schema {plan.schema_name} with {len(plan.row_counts)} tables:")
                    print_counts(self, plan.row_counts)
                    return
                if not yes:
                    confirm_by_slug(self, slug=slug, stdin=options.get("stdin", sys.stdin),
                                    action=f"Archiving drops schema {plan.schema_name} of {municipality.name}")
                outcome = municipality_archive(municipality=municipality, confirm=True)
            except ValidationError as exc:
                raise CommandError(validation_message(exc)) from exc
            except PgToolError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Archived {municipality.name}: schema {outcome.schema_name} dropped, archive {outcome.path}"
        ))
