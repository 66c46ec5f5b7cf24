from django.core.management.base import BaseCommand

from municipalities.choices import Country
from municipalities.services import load_reference_data


class Command(BaseCommand):
    help = (
        "Load the official county and municipality lists (municipalities/data/). "
        "Idempotent: running it again changes nothing; after a reform it updates names "
        "and counties and keeps every partnership."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--country", action="append", choices=Country.values, help="Only this country."
        )

    def handle(self, *args, country=None, verbosity=1, **options):
        report = load_reference_data(countries=country)
        if verbosity >= 2:
            for line in report.changes:
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Reference data: {report}."))
