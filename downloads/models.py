"""A background download of a list (``ExportJob``): who asked for it, what it holds, how far
it has come, and where its file is. See ``downloads.jobs`` for how it is written."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    #: Done once, its file since deleted (``settings.EXPORT_EXPIRY_HOURS``).
    EXPIRED = "expired", _("Expired")


#: Waiting or being written: what counts against ``settings.EXPORT_JOBS_PER_OWNER``.
UNFINISHED = (Status.QUEUED, Status.RUNNING)


class Format(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel"


class ExportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    #: The signed-in caller; an anonymous caller is known by ``session_key`` alone.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("owner"),
    )
    session_key = models.CharField(_("session key"), max_length=40, blank=True)

    #: What: the list's URL name (``partnership-list``) and the query string the caller
    #: used (filters, sorting, ``_export`` and the options), its title and filters in words
    #: in the caller's language, the page to go back to.
    list_name = models.CharField(_("list"), max_length=100)
    query_string = models.TextField(_("query string"), blank=True)
    title = models.CharField(_("title"), max_length=200)
    filters = models.JSONField(_("filters"), default=list, blank=True)
    list_url = models.TextField(_("address of the list"), blank=True)

    #: How: the format and the options of ``registry.exports``, the language of the labels.
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    headers_keys = models.BooleanField(_("column keys as headers"), default=False)
    delimiter = models.CharField(_("delimiter"), max_length=1, default=",")
    language = models.CharField(_("language"), max_length=10)
    filename = models.CharField(_("file name"), max_length=200)

    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    #: Counted when the job starts; raised if rows arrive while it runs, and set to the rows
    #: written once done.
    rows_total = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    rows_written = models.PositiveBigIntegerField(_("rows written"), default=0)
    #: Excel: the sheets the rows are spread over.
    sheets = models.PositiveIntegerField(_("sheets"), null=True, blank=True)
    #: Relative to ``settings.EXPORT_ROOT``; empty until done, and again once expired.
    file_path = models.CharField(_("file"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    created_at = models.DateTimeField(_("asked for"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: When the file is deleted (``settings.EXPORT_EXPIRY_HOURS`` after it was asked for).
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        verbose_name = _("background download")
        verbose_name_plural = _("background downloads")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "status"], name="exportjob_owner_status"),
            models.Index(fields=["session_key", "status"], name="exportjob_session_status"),
            models.Index(fields=["expires_at"], name="exportjob_expires_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="exportjob_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=Format.values), name="exportjob_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | ~Q(session_key=""),
                name="exportjob_has_owner",
            ),
            models.CheckConstraint(
                condition=Q(rows_total__isnull=True) | Q(rows_written__lte=F("rows_total")),
                name="exportjob_rows_written_within_total",
            ),
            # A finished file has its path, its end and its rows; no other status a file.
            models.CheckConstraint(
                condition=(
                    Q(status=Status.DONE)
                    & ~Q(file_path="")
                    & Q(finished_at__isnull=False)
                    & Q(rows_total=F("rows_written"))
                )
                | (~Q(status=Status.DONE) & Q(file_path="")),
                name="exportjob_file_when_done",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.FAILED) | ~Q(error=""),
                name="exportjob_failure_has_error",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_format_display()}, {self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def percent(self) -> int | None:
        if not self.rows_total:
            return None
        return min(100, self.rows_written * 100 // self.rows_total)
