from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gorodok_services.classifier.services import classifier_import, classifier_load_bundled


class Command(BaseCommand):
    help = "Load the thematic classifier: the bundled subset, or the full classifier from a CSV (code;title)."

    def add_arguments(self, parser):
        parser.add_argument("csv_file", nargs="?", help="Full classifier; without it, the bundled subset.")

    def handle(self, *args, csv_file=None, **options):
        try:
            if csv_file:
                with open(csv_file, encoding="utf-8-sig") as handle:
                    result = classifier_import(text=handle.read())
            else:
                result = classifier_load_bundled()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {csv_file}: {error}") from error
        except ValidationError as error:
            for message in error.messages[:50]:
                self.stderr.write(message)
            raise CommandError("Nothing was imported; fix the lines above.") from error
        self.stdout.write(self.style.SUCCESS(f"Classifier: {result.created} created, {result.updated} updated."))
