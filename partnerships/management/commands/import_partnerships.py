"""``manage.py import_partnerships FILE.csv``: the command-line face of partnerships.importing."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerships.importing import (
    MAX_REPORTED_ERRORS,
    PROGRESS_EVERY,
    ImportErrors,
    import_partnerships,
)


class Command(BaseCommand):
    help = (
        "Import partnerships from a CSV file (the columns are described in "
        "docs/import-format.md). Every row is validated first; if any row is bad, "
        "nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8, separated by , or ;).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate the file and report, but write nothing.",
        )
        parser.add_argument(
            "--created-by",
            metavar="USERNAME",
            help="Record this user as the creator of the imported partnerships.",
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=PROGRESS_EVERY,
            metavar="N",
            help="Report progress on stderr every N rows (default %(default)s).",
        )
        parser.add_argument(
            "--max-errors",
            type=int,
            default=MAX_REPORTED_ERRORS,
            metavar="N",
            help="Show at most N errors (default %(default)s); the total is always given.",
        )

    def handle(self, *args, file, dry_run, created_by, progress_every, max_errors, **options):
        if progress_every < 1:
            raise CommandError(_("--progress-every must be at least 1."))
        user = None
        if created_by:
            User = get_user_model()
            try:
                user = User.objects.get_by_natural_key(created_by)
            except User.DoesNotExist:
                raise CommandError(_("No user “%(name)s”.") % {"name": created_by}) from None

        progress = self._progress if options["verbosity"] >= 1 else None
        try:
            result = import_partnerships(
                file,
                created_by=user,
                dry_run=dry_run,
                progress=progress,
                progress_every=progress_every,
            )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from error
        except ImportErrors as errors:
            raise CommandError(errors.summary(limit=max(max_errors, 0))) from errors

        if dry_run:
            message = ngettext(
                "Dry run: %(count)s row is valid; nothing was written.",
                "Dry run: %(count)s rows are valid; nothing was written.",
                result.rows,
            ) % {"count": result.rows}
        else:
            message = ngettext(
                "Imported %(count)s partnership.",
                "Imported %(count)s partnerships.",
                result.created,
            ) % {"count": result.created}
        self.stdout.write(self.style.SUCCESS(message))

    def _progress(self, stage: str, done: int, total: int) -> None:
        numbers = {"done": f"{done:,}", "total": f"{total:,}"}
        if stage == "validated":
            message = _("validated %(done)s of %(total)s rows") % numbers
        else:
            message = _("saved %(done)s of %(total)s rows") % numbers
        self.stderr.write(message, style_func=lambda text: text)
