import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.generator import DEMO_PASSWORD, DEMO_USERS, reset_demo_data, seed_demo
from municipalities.models import Municipality
from partnerships.models import Partnership


class Command(BaseCommand):
    help = (
        "Fill the database with realistic demo data (organisations, partnerships, demo users). "
        "Does nothing if partnerships exist already, unless --reset is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--partnerships",
            type=int,
            default=5_000,
            help="How many partnerships to create (default 5,000).",
        )
        parser.add_argument("--seed", type=int, default=2017, help="Random seed (reproducible).")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete existing partnerships, organisations and demo users first.",
        )

    def handle(self, *args, partnerships, seed, reset, verbosity=1, **options):
        if partnerships < 0:
            raise CommandError("--partnerships must be zero or more.")
        if not Municipality.objects.exists():
            call_command("load_reference_data", verbosity=verbosity)
        if Partnership.objects.exists():
            if not reset:
                self.stdout.write("Demo data is already there (use --reset to replace it).")
                self._print_logins()
                return
            reset_demo_data()
        started = time.monotonic()
        progress = (lambda message: self.stderr.write(message)) if verbosity >= 1 else None
        result = seed_demo(partnerships=partnerships, seed=seed, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.organisations:,} organisations and {result.partnerships:,} "
                f"partnerships in {time.monotonic() - started:.1f} s."
            )
        )
        self._print_logins()

    def _print_logins(self):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _superuser, description in DEMO_USERS:
            self.stdout.write(f"  {username:<24} {description}")
