from django.core.management.base import BaseCommand

from dashboards.tallies import rebuild_tallies


class Command(BaseCommand):
    help = (
        "Rebuild the statistics' summary tables from the partnerships (after a bulk load, or "
        "to repair them; the dashboards keep them current on every write)."
    )

    def handle(self, *args, verbosity=1, **options):
        say = (lambda message: self.stderr.write(f"  {message}")) if verbosity >= 1 else None
        rebuild_tallies(progress=say)
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS("Statistics rebuilt."))
