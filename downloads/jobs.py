"""Writing a background download (the Celery task ``downloads.tasks.write_export``) and
forgetting it (``expire_export_jobs``, from Celery beat).

The list is rebuilt exactly as its caller saw it: the list view is found by its URL name,
given a request with the caller's user and query string (filters, sorting, options), and asked
for its ``export_queryset`` (``registry.generic.ObjectListView``), so the same permissions,
filters and ordering apply; the user's permissions are those of the moment the job runs. The
file is written by ``registry.exports``' own writers (``csv_chunks``, ``write_xlsx`` with
``sheets=True``) under a temporary name in ``settings.EXPORT_ROOT``, then renamed; after each
chunk of rows (``registry.exports.CHUNK_SIZE``) the job's ``rows_written`` is saved, which the
job's page shows.

Expiry: the file is deleted ``settings.EXPORT_EXPIRY_HOURS`` after the job was asked for and
the job marked expired (its page says so); ``settings.EXPORT_FORGET_DAYS`` later the job is
deleted. A job left waiting or running past the task's time limit (its worker died) is marked
failed. Files in ``EXPORT_ROOT`` that belong to no job (or to no running job, for temporary
files) are deleted too.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, QueryDict
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from downloads.models import UNFINISHED, ExportJob, Format, Status
from registry import exports
from registry.generic import ObjectListView

logger = logging.getLogger(__name__)

#: A national registry (a million partnerships, Excel over sheets) takes minutes: generous.
SOFT_TIME_LIMIT = 60 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 5 * 60
#: A job waiting or running this long has lost its worker.
STALE_AFTER = datetime.timedelta(seconds=TIME_LIMIT + 10 * 60)
#: A file of no job is left this long before it is deleted (it may be a job being created).
ORPHAN_AFTER = datetime.timedelta(hours=1)

CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: exports.XLSX_CONTENT_TYPE,
}


class JobError(Exception):
    """A job that cannot be written; the message is for its owner."""


def root() -> Path:
    return Path(settings.EXPORT_ROOT)


def file_path(job: ExportJob) -> Path | None:
    return root() / job.file_path if job.file_path else None


# --- the list as its caller saw it ------------------------------------------------------------


def list_view(job: ExportJob) -> ObjectListView:
    """The list view of ``job``, set up with a request of its owner and query string."""
    try:
        path = reverse(job.list_name)
    except NoReverseMatch:
        raise JobError(gettext("This list can no longer be downloaded.")) from None
    match = resolve(path)
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not issubclass(view_class, ObjectListView):
        raise JobError(gettext("This list can no longer be downloaded."))
    view = view_class()
    view.setup(job_request(job, path), *match.args, **match.kwargs)
    if view.export_spec is None or job.format not in view.export_formats:
        raise JobError(gettext("This list can no longer be downloaded."))
    return view


def job_request(job: ExportJob, path: str) -> HttpRequest:
    """A GET of ``path`` with the job's query string, by its owner (anonymous: nobody)."""
    owner = job.owner
    if owner is not None and not owner.is_active:
        raise JobError(gettext("The account that asked for this download is no longer active."))
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.GET = QueryDict(job.query_string)
    request.META = {
        "REQUEST_METHOD": "GET",
        "QUERY_STRING": job.query_string,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
    }
    request.user = owner if owner is not None else AnonymousUser()
    request.LANGUAGE_CODE = job.language
    request.htmx = False
    return request


# --- writing ----------------------------------------------------------------------------------


class _Progress:
    """Saves the rows written after each chunk (the total raised if rows were added since it
    was counted)."""

    def __init__(self, job_id, total: int):
        self.job_id, self.total = job_id, total

    def __call__(self, written: int) -> None:
        self.total = max(self.total, written)
        ExportJob.objects.filter(pk=self.job_id, status=Status.RUNNING).update(
            rows_written=written, rows_total=self.total
        )


def run(job_id) -> str:
    """Write the job's file, once: a job that is not waiting (already taken, or failed) is
    left as it is. Returns the status it ends in."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now
    )
    if not claimed:
        return "skipped"
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    name = f"{job.pk}.{job.format}"
    try:
        with translation.override(job.language):
            view = list_view(job)
            queryset = view.export_queryset()
            total = queryset.order_by().count()
            ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
            written, sheets = _write(job, view, queryset, name, _Progress(job.pk, total))
    except JobError as error:
        message = str(error)  # already in the owner's language
        fail(job.pk, lambda: message)
        return Status.FAILED
    except SoftTimeLimitExceeded:
        logger.warning("Background download %s ran out of time.", job.pk)
        fail(job.pk, _too_long)
        return Status.FAILED
    except Exception:
        logger.exception("Background download %s failed.", job.pk)
        fail(job.pk, _failed)
        return Status.FAILED
    path = root() / name
    finished = ExportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
        status=Status.DONE,
        rows_written=written,
        rows_total=written,
        sheets=sheets,
        file_path=name,
        file_size=path.stat().st_size,
        finished_at=timezone.now(),
    )
    if not finished:  # failed meanwhile (taken for lost): its file is not wanted
        path.unlink(missing_ok=True)
        return "skipped"
    return Status.DONE


def _write(job, view, queryset, name: str, progress) -> tuple[int, int | None]:
    """Write the file under a temporary name, then rename it to ``name``; returns the rows
    written and (Excel) the sheets."""
    spec = view.export_spec
    header = spec.header(keys=job.headers_keys)
    directory = root()
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (renamed or removed below)
        dir=directory, prefix=f".{name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            if job.format == Format.CSV:
                written = 0

                def counted(rows: int) -> None:
                    nonlocal written
                    written = rows
                    progress(rows)

                for piece in exports.csv_chunks(
                    spec,
                    queryset,
                    header=header,
                    delimiter=job.delimiter,
                    language=job.language,
                    progress=counted,
                ):
                    handle.write(piece)
                sheets = None
            else:
                written = exports.write_xlsx(
                    spec, queryset, handle, header=header, progress=progress, sheets=True
                )
                per_sheet = exports.EXCEL_MAX_ROWS - 1
                sheets = max(1, -(-written // per_sheet))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o600)
        os.replace(handle.name, directory / name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)
        raise
    return written, sheets


def _failed() -> str:
    return gettext(
        "The file could not be written. Try again later; if it fails again, narrow the list "
        "with the filters."
    )


def _too_long() -> str:
    return gettext(
        "Writing the file took too long. Narrow the list with the filters and try again."
    )


def _interrupted() -> str:
    return gettext("The download was interrupted (the server was restarted). Please ask again.")


def fail(job_id, message: Callable[[], str]) -> None:
    """Mark an unfinished job failed, with ``message()`` in its owner's language."""
    job = ExportJob.objects.filter(pk=job_id, status__in=UNFINISHED).first()
    if job is None:
        return
    with translation.override(job.language):
        text = message()
    ExportJob.objects.filter(pk=job_id, status__in=UNFINISHED).update(
        status=Status.FAILED, error=text, finished_at=timezone.now()
    )


# --- expiry -----------------------------------------------------------------------------------


def expire(now: datetime.datetime | None = None) -> dict[str, int]:
    """Fail lost jobs, delete expired files, forget old jobs, remove stray files."""
    now = now or timezone.now()
    counts = {"failed": 0, "expired": 0, "deleted": 0, "orphans": 0}

    stale = ExportJob.objects.filter(status__in=UNFINISHED).filter(created_at__lt=now - STALE_AFTER)
    for job_id in list(stale.values_list("pk", flat=True)):
        fail(job_id, _interrupted)
        counts["failed"] += 1

    for job in ExportJob.objects.filter(expires_at__lte=now).exclude(status=Status.EXPIRED):
        _unlink(job)
        if job.status == Status.DONE:
            ExportJob.objects.filter(pk=job.pk, status=Status.DONE).update(
                status=Status.EXPIRED, file_path=""
            )
            counts["expired"] += 1

    forgotten = ExportJob.objects.filter(
        expires_at__lte=now - datetime.timedelta(days=settings.EXPORT_FORGET_DAYS)
    )
    for job in forgotten:
        _unlink(job)
    counts["deleted"] = forgotten.delete()[0]

    counts["orphans"] = _remove_orphans(now)
    return counts


def _unlink(job: ExportJob) -> None:
    path = file_path(job)
    if path is not None:
        path.unlink(missing_ok=True)


def _remove_orphans(now: datetime.datetime) -> int:
    """Files in ``EXPORT_ROOT`` of no job that has a file (or, temporary ones, of no running
    job), older than ``ORPHAN_AFTER``."""
    directory = root()
    if not directory.is_dir():
        return 0
    keep = set(ExportJob.objects.exclude(file_path="").values_list("file_path", flat=True))
    running = {
        str(pk)
        for pk in ExportJob.objects.filter(status=Status.RUNNING).values_list("pk", flat=True)
    }
    cutoff = (now - ORPHAN_AFTER).timestamp()
    removed = 0
    for path in directory.iterdir():
        if not path.is_file() or path.name in keep:
            continue
        stem = path.name.lstrip(".").split(".", 1)[0]
        if path.name.startswith(".") and _is_uuid(stem) and stem in running:
            continue
        if path.stat().st_mtime >= cutoff:
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
