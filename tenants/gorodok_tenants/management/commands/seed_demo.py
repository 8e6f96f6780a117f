"""Demo data of every module (each module's ``demo`` function), for one municipality or all active ones.
Idempotent: what exists is left alone.

Outside production the demo's secrets (the access code of each registered appeal) are hashed with
Argon2 at its lowest cost: they are made-up data, and at the full cost hashing them was three quarters
of the seeding time (about 0.5 s an appeal). Everything else goes through the modules' services as usual."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from gorodok_tenants.models import Municipality, MunicipalityStatus
from gorodok_tenants.modules import module_enabled, registered_modules

DEMO_HASHER = "gorodok_platform.accounts.hashers.FastTestArgon2PasswordHasher"


class Command(BaseCommand):
    help = "Create each module's demo data in one municipality (--schema) or every active one (--all); idempotent."

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--schema", help="The municipality's schema.")
        target.add_argument("--all", action="store_true", help="Every active municipality.")
        parser.add_argument("--module", action="append", dest="modules", help="Only this module (repeatable).")
        parser.add_argument("--quiet", action="store_true", help="Print nothing unless something fails.")

    def handle(self, *args, **options):
        from django.conf import settings
        from django.test.utils import override_settings

        if settings.GORODOK_ENV == "production":
            return self._seed(*args, **options)
        with override_settings(PASSWORD_HASHERS=[DEMO_HASHER, *settings.PASSWORD_HASHERS]):
            return self._seed(*args, **options)

    def _seed(self, *args, schema=None, modules=None, quiet=False, **options):
        known = {code: module for code, module in registered_modules().items() if module.demo}
        unknown = sorted(set(modules or ()) - set(known))
        if unknown:
            raise CommandError(f"No demo data for: {', '.join(unknown)}. Known: {', '.join(known)}.")
        chosen = {code: known[code] for code in (modules or known)}
        with schema_context(get_public_schema_name()):
            if options["all"]:
                municipalities = list(Municipality.objects.filter(status=MunicipalityStatus.ACTIVE).order_by("name"))
            else:
                municipalities = list(Municipality.objects.filter(schema_name=schema))
                if not municipalities:
                    raise CommandError(f"No municipality with schema {schema!r}.")
        for municipality in municipalities:
            for code, module in chosen.items():
                if not module_enabled(municipality, code):
                    continue
                with tenant_context(municipality):
                    created = import_string(module.demo)()
                if not quiet:
                    self.stdout.write(f"{municipality.name} ({municipality.schema_name}), {code}: {created} new")
