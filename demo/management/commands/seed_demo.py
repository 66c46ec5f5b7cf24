import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.generator import DEMO_PASSWORD, DEMO_USERS, reset_demo_data, seed_demo
from municipalities.models import Municipality
from partnerships.models import Partnership


class _BarStream:
    """The command's stderr as tqdm needs it: written as given (no newline added, no
    error colour), so the bar redraws in place; ``call_command(stderr=...)`` still works."""

    def __init__(self, out):
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, style_func=lambda s: s, ending="")

    def flush(self) -> None:
        self.out.flush()


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
        started = time.monotonic()
        # All or nothing: a failed seed leaves the data, reset included, as it was.
        with transaction.atomic():
            if not Municipality.objects.exists():
                call_command("load_reference_data", verbosity=verbosity)
            if Partnership.objects.exists():
                if not reset:
                    self.stdout.write("Demo data is already there (use --reset to replace it).")
                    self._print_logins()
                    return
                reset_demo_data()
            result = seed_demo(
                partnerships=partnerships,
                seed=seed,
                progress=_BarStream(self.stderr) if verbosity >= 1 else None,
            )
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
