"""Create one municipality from the command line, reporting invalid input as readable errors."""

from __future__ import annotations

import contextlib
import io
import secrets
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_tenants.models import Municipality, MunicipalityKind
from gorodok_tenants.provisioning.municipalities import (
    MunicipalitySpec,
    municipality_admin_create,
    municipality_create,
)


class Command(BaseCommand):
    help = "Create a municipality: its record, its migrated schema and its host <slug>.REGION_DOMAIN."

    def add_arguments(self, parser):
        parser.add_argument("name", help="Official name in Russian, e.g. Черногорск.")
        parser.add_argument("name_en", metavar="name-en", help="Name in English, e.g. Chernogorsk.")
        parser.add_argument("slug", help="Host label: lowercase Latin letters, digits, hyphens.")
        parser.add_argument("oktmo", help="8 digits for a municipality, 11 for a settlement.")
        parser.add_argument("kind", choices=MunicipalityKind.values)
        parser.add_argument("--parent-oktmo", help="The district a settlement belongs to.")
        parser.add_argument("--timezone", default=settings.DEFAULT_MUNICIPALITY_TIMEZONE)
        parser.add_argument("--admin-email", help="Also create its administrator (password printed once).")

    def handle(self, *args, name, name_en, slug, oktmo, kind, parent_oktmo, timezone, admin_email, **options):
        if admin_email:
            self._check({"admin_email": admin_email}, validate_email)
        spec = MunicipalitySpec(name=name, name_en=name_en, slug=slug, oktmo=oktmo, kind=kind,
                                parent_oktmo=parent_oktmo, timezone=timezone)
        with schema_context(get_public_schema_name()):
            quiet = options["verbosity"] < 2
            try:
                with contextlib.redirect_stdout(io.StringIO()) if quiet else contextlib.nullcontext():
                    municipality = municipality_create(spec=spec)
            except Municipality.DoesNotExist as exc:
                raise CommandError(f"No municipality has OKTMO {parent_oktmo} (--parent-oktmo).") from exc
            except ValidationError as exc:
                self._fail(exc)
            self.stdout.write(self.style.SUCCESS(
                f"Created {municipality.name} in schema {municipality.schema_name}, "
                f"served at {municipality.primary_domain}."
            ))
            if admin_email:
                password = secrets.token_urlsafe(12)
                municipality_admin_create(municipality=municipality, email=admin_email, password=password)
                self.stdout.write(f"Administrator {admin_email}, password (shown only now): {password}")

    def _check(self, values: dict[str, str], validator) -> None:
        for field, value in values.items():
            try:
                validator(value)
            except ValidationError as exc:
                self._fail(ValidationError({field: exc.messages}))

    def _fail(self, exc: ValidationError) -> NoReturn:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        if "slug" in errors:
            errors.pop("schema_name", None)  # derived from the slug: the slug's message says it all
        for field, messages in errors.items():
            label = "error" if field == NON_FIELD_ERRORS else field.replace("_", "-")
            for message in messages:
                self.stderr.write(f"  {label}: {message}")
        raise CommandError("The municipality was not created; fix the values above.")
