"""The pages of a background download: the job (what, how far, the link), its progress as an
htmx fragment (polled until the job ends), and the file. Only the job's owner sees them (the
signed-in user who asked, or the same session for an anonymous visitor); anyone else gets 404.

``start_export_job`` is what a list view (``registry.generic.ObjectListView``) answers with
for a list too long to download in the request."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from downloads import jobs, services
from downloads.models import ExportJob, Format, Status
from registry import exports

#: htmx stops polling when a response has this status (and still shows it).
STOP_POLLING = 286
#: Seconds between two polls of the progress.
POLL_SECONDS = 2
#: Marks an anonymous visitor's session as holding downloads (and so makes it saved).
SESSION_FLAG = "downloads"


def start_export_job(request, view, export_format: str):
    """A job for the list ``view`` (a ``registry.generic.ObjectListView`` that has run
    ``get``) as ``export_format``; 303 to its page, or 429 when the caller has too many."""
    user = request.user if request.user.is_authenticated else None
    session_key = "" if user is not None else _session_key(request)
    title = view.title or view.model._meta.verbose_name_plural.capitalize()
    try:
        job = services.create_job(
            user=user,
            session_key=session_key,
            list_name=request.resolver_match.view_name,
            query_string=request.GET.urlencode(),
            export_format=export_format,
            title=str(title),
            filters=services.describe_filters(view.filterset.form),
            list_url=view._export_url(None),
            filename=view.get_export_filename(export_format),
            headers_keys=request.GET.get(exports.HEADERS_PARAM) == exports.HEADERS_KEYS,
            delimiter=exports.DELIMITERS.get(request.GET.get(exports.DELIMITER_PARAM, ""), ","),
            language=translation.get_language(),
        )
    except services.TooManyJobs as error:
        context = {
            "jobs": error.jobs,
            "limit": settings.EXPORT_JOBS_PER_OWNER,
            "list_url": view._export_url(None),
        }
        response = render(request, "downloads/too_many_jobs.html", context, status=429)
        response["Retry-After"] = "60"
        return response
    response = HttpResponseRedirect(reverse("export-job", args=[job.pk]))
    response.status_code = 303  # See Other: the job's page, by GET
    return response


def _session_key(request) -> str:
    request.session[SESSION_FLAG] = True
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def _owned_job_or_404(request, pk) -> ExportJob:
    user = request.user if request.user.is_authenticated else None
    job = (
        services.owned_by(user=user, session_key=request.session.session_key).filter(pk=pk).first()
    )
    if job is None:
        raise Http404
    return job


def _context(job: ExportJob) -> dict:
    expired = job.status == Status.EXPIRED or (
        job.status == Status.DONE and job.expires_at <= timezone.now()
    )
    if job.format == Format.XLSX:
        format_label = "excel"
    else:
        format_label = "semicolon" if job.delimiter == ";" else "csv"
    return {
        "job": job,
        "expired": expired,
        "ready": job.status == Status.DONE and not expired,
        "format_label": format_label,
        "sheet_rows": exports.EXCEL_MAX_ROWS - 1,
        "expiry_hours": settings.EXPORT_EXPIRY_HOURS,
        "poll_seconds": POLL_SECONDS,
        "finishing": job.status == Status.RUNNING
        and job.rows_total is not None
        and job.rows_written >= job.rows_total,
    }


@require_GET
@never_cache
def job_detail(request, pk):
    job = _owned_job_or_404(request, pk)
    return render(request, "downloads/job.html", _context(job))


@require_GET
@never_cache
def job_progress(request, pk):
    """The status part of the page (``downloads/_status.html``): htmx polls it every
    ``POLL_SECONDS`` and stops once the job has ended."""
    job = _owned_job_or_404(request, pk)
    response = render(request, "downloads/_status.html", _context(job))
    if job.finished and request.htmx:
        response.status_code = STOP_POLLING
    return response


@require_GET
def job_file(request, pk):
    """The finished file; while it is not (or no longer) there, the job's page."""
    job = _owned_job_or_404(request, pk)
    context = _context(job)
    path = jobs.file_path(job)
    if not context["ready"] or path is None:
        return redirect("export-job", pk=job.pk)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return redirect("export-job", pk=job.pk)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename,
        content_type=jobs.CONTENT_TYPES[job.format],
    )
    seconds = max(0, math.floor((job.expires_at - timezone.now()).total_seconds()))
    patch_cache_control(response, private=True, max_age=seconds)
    return response
