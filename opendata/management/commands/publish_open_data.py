from django.core.management.base import BaseCommand

from opendata import publishing


class Command(BaseCommand):
    help = (
        "Generate the open-data files of /open-data/ (CSV and JSON of the public "
        "partnerships, organisations and municipalities, and the 360Giving grants) into "
        "OPEN_DATA_ROOT. Celery beat runs it every night."
    )

    def handle(self, *args, verbosity=1, **options):
        say = (lambda message: self.stderr.write(f"  {message}")) if verbosity >= 1 else None
        publishing.publish(progress=say)
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Open data published in {publishing.root()}."))
