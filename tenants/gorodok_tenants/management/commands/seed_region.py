"""Seed the region: the municipalities of Khakassia, the regional staff and one administrator per
municipality. Idempotent: what exists is left alone, so every ``make run`` may call it."""

from __future__ import annotations

import contextlib
import io
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.accounts.roles import Role
from gorodok_platform.accounts.services import staff_user_create
from gorodok_platform.cli import (
    DEV_PASSWORD,
    REGIONAL_ADMIN_EMAIL,
    REGIONAL_ANALYST_EMAIL,
    municipal_admin_email,
)
from gorodok_tenants.models import Domain, Municipality
from gorodok_tenants.provisioning.demo_region import KHAKASSIA
from gorodok_tenants.provisioning.municipalities import (
    host_for,
    municipality_admin_create,
    municipality_create,
)

FIXED_PASSWORD_ENVIRONMENTS = ("dev", "test")


def _user_exists(schema_name: str, email: str) -> bool:
    with schema_context(schema_name):
        return User.objects.filter(email=email).exists()


class Command(BaseCommand):
    help = "Create the region's municipalities, regional staff and municipal administrators when missing."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true",
                            help="Print only passwords generated for new accounts (never shown again).")

    def handle(self, *args, quiet: bool, **options):
        self.quiet = quiet
        self.verbosity = options["verbosity"]
        self.fixed_passwords = settings.GORODOK_ENV in FIXED_PASSWORD_ENVIRONMENTS
        self.new_accounts: list[tuple[str, str, str]] = []
        with schema_context(get_public_schema_name()):
            municipalities = self._municipalities()
            self._regional_staff()
            for municipality in municipalities:
                email = municipal_admin_email(municipality.slug)
                if not _user_exists(municipality.schema_name, email):
                    password = self._password()
                    municipality_admin_create(municipality=municipality, email=email, password=password)
                    self.new_accounts.append((municipality.name, email, password))
        self._report(municipalities)

    def _password(self) -> str:
        return DEV_PASSWORD if self.fixed_passwords else secrets.token_urlsafe(12)

    def _say(self, text: str) -> None:
        if not self.quiet:
            self.stdout.write(text)

    def _municipalities(self) -> list[Municipality]:
        existing = {m.oktmo: m for m in Municipality.objects.filter(oktmo__in=[s.oktmo for s in KHAKASSIA])}
        result = []
        for spec in KHAKASSIA:
            municipality = existing.get(spec.oktmo)
            if municipality is None:
                try:
                    municipality = self._create(spec)
                except ValidationError as exc:
                    raise CommandError(f"{spec.name_en}: {'; '.join(exc.messages)}") from exc
                self._say(f"Created {municipality.name} ({municipality.schema_name})")
            elif not municipality.domains.exists():
                host = host_for(municipality.slug)
                Domain.objects.create(domain=host, tenant=municipality, is_primary=True)
            result.append(municipality)
        return result

    def _create(self, spec) -> Municipality:
        if self.verbosity > 1:
            return municipality_create(spec=spec)
        # The schema's migrations print a screenful per municipality; only failures matter here.
        with contextlib.redirect_stdout(io.StringIO()):
            return municipality_create(spec=spec)

    def _regional_staff(self) -> None:
        for email, role in ((REGIONAL_ADMIN_EMAIL, Role.REGIONAL_ADMIN),
                            (REGIONAL_ANALYST_EMAIL, Role.REGIONAL_ANALYST)):
            if not _user_exists(get_public_schema_name(), email):
                password = self._password()
                staff_user_create(email=email, password=password, roles=[role])
                self.new_accounts.append((str(role.label), email, password))

    def _report(self, municipalities: list[Municipality]) -> None:
        self._say(f"The region has {len(municipalities)} demo municipalities.")
        if self.fixed_passwords:
            self._say(f"Development accounts (password {DEV_PASSWORD}): {REGIONAL_ADMIN_EMAIL}, "
                      f"{REGIONAL_ANALYST_EMAIL}, {municipal_admin_email('<slug>')}.")
        elif self.new_accounts:
            self.stdout.write("New accounts; the passwords are shown only now:")
            for who, email, password in self.new_accounts:
                self.stdout.write(f"  {who:<32} {email:<48} {password}")
