"""Print a one-time link with which a regional staff member sets up their authenticator.

For the first regional administrator (nobody can issue it in the console yet) and for an
administrator who lost their phone and recovery codes: whoever runs this on the server hands the
link over in person. In the console, another administrator issues it (Regional staff → action)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import get_public_schema_name, schema_context

from gorodok_platform.accounts.models import User
from gorodok_platform.audit.services import audit_record
from gorodok_tenants.provisioning.municipalities import public_url


class Command(BaseCommand):
    help = "Print a one-time authenticator enrolment link for a regional staff member."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        from gorodok_tenants.console.two_factor import enrolment_path

        with schema_context(get_public_schema_name()):
            user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
            if user is None:
                raise CommandError(f"No active regional account {email!r}.")
            link = public_url(settings.REGION_DOMAIN, enrolment_path(user))
            audit_record(action="user.two_factor_enrolment_link_issue", target=user, reason="management command")
        self.stdout.write(link)
