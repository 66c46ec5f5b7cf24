from django.core.management.base import BaseCommand

from notifications.delivery import deliver_due


class Command(BaseCommand):
    help = (
        "Send the notifications waiting in the outbox, each once. Without --due, rows waiting "
        "for a retry are sent now; rows claimed by a worker are left to it until the claim "
        "times out. Safe to run at any time, and twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--due",
            action="store_true",
            help="Only rows whose retry time has come (what the periodic task sends).",
        )
        parser.add_argument("--limit", type=int, default=None, help="At most this many rows.")

    def handle(self, *args, due, limit, **options):
        outcomes = deliver_due(due_only=due, limit=limit)
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        self.stdout.write(summary or "Nothing to send.")
