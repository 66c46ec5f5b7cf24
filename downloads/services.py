"""Asking for a background download: the job, its owner, the limit of unfinished jobs per
owner, and the filters in words for its page. ``downloads.jobs`` writes the file."""

from __future__ import annotations

import datetime
import logging
from functools import partial
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from downloads.models import UNFINISHED, ExportJob

logger = logging.getLogger(__name__)

#: The most values of one filter named on the job's page ("and 3 more" after them).
MAX_FILTER_VALUES = 10


class TooManyJobs(Exception):
    """The caller has ``settings.EXPORT_JOBS_PER_OWNER`` jobs waiting or running already."""

    def __init__(self, jobs: list[ExportJob]):
        super().__init__(len(jobs))
        self.jobs = jobs


def owned_by(*, user, session_key: str | None) -> models.QuerySet[ExportJob]:
    """The jobs of a signed-in ``user``, or of an anonymous visitor's session."""
    if user is not None and user.is_authenticated:
        return ExportJob.objects.filter(owner=user)
    if not session_key:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(owner__isnull=True, session_key=session_key)


def unfinished(*, user, session_key: str | None) -> models.QuerySet[ExportJob]:
    return owned_by(user=user, session_key=session_key).filter(status__in=UNFINISHED)


def create_job(
    *,
    user,
    session_key: str,
    list_name: str,
    query_string: str,
    export_format: str,
    title: str,
    filters: list[list[str]],
    list_url: str,
    filename: str,
    headers_keys: bool = False,
    delimiter: str = ",",
    language: str | None = None,
) -> ExportJob:
    """A queued job, its task sent once the transaction commits. Raises ``TooManyJobs`` when
    the caller already has ``settings.EXPORT_JOBS_PER_OWNER`` unfinished jobs."""
    owner = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        if owner is not None:
            # One request at a time per account counts and adds (PostgreSQL; SQLite's
            # writes are serialised anyway), so simultaneous requests cannot pass the limit.
            get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
        waiting = list(unfinished(user=owner, session_key=session_key).order_by("created_at"))
        if len(waiting) >= settings.EXPORT_JOBS_PER_OWNER:
            raise TooManyJobs(waiting)
        job = ExportJob.objects.create(
            owner=owner,
            session_key="" if owner is not None else session_key,
            list_name=list_name,
            query_string=query_string,
            format=export_format,
            title=title[:200],
            filters=filters,
            list_url=list_url,
            filename=filename,
            headers_keys=headers_keys,
            delimiter=delimiter,
            language=language or translation.get_language() or settings.LANGUAGE_CODE,
            expires_at=timezone.now() + datetime.timedelta(hours=settings.EXPORT_EXPIRY_HOURS),
        )
        transaction.on_commit(partial(enqueue, job.pk), robust=True)
    return job


def enqueue(job_id) -> None:
    """Send the job's task (after the commit). With no broker reachable the job fails at
    once, saying so, rather than waiting for ever."""
    from kombu.exceptions import OperationalError

    from downloads import jobs
    from downloads.tasks import write_export

    try:
        write_export.apply_async((str(job_id),), retry=False)
    except (OperationalError, OSError):
        logger.warning("The broker is unreachable: background download %s not started.", job_id)
        jobs.fail(
            job_id,
            lambda: gettext("The download could not be started. Try again in a few minutes."),
        )


# --- the filters in words ---------------------------------------------------------------------


def describe_filters(form: forms.Form) -> list[list[str]]:
    """[label, value] of each filter ``form`` (a list's bound filter form, validated) was given,
    in the active language: what the job's page says the download holds."""
    if not form.is_bound or not hasattr(form, "cleaned_data"):
        return []
    described = []
    for name, field in form.fields.items():
        if name not in form.data or name not in form.cleaned_data:
            continue
        text = _value_text(field, form.cleaned_data[name])
        if text:
            described.append([str(field.label or name), text])
    return described


def _value_text(field: forms.Field, value: Any) -> str:
    if (
        value is None
        or value == ""
        or (value is False and not isinstance(field, forms.NullBooleanField | forms.BooleanField))
    ):
        return ""
    if isinstance(value, models.QuerySet | list | tuple):
        items = (
            list(value[: MAX_FILTER_VALUES + 1]) if isinstance(value, models.QuerySet) else value
        )
        if not items:
            return ""
        if isinstance(value, models.QuerySet):
            more = value.count() - MAX_FILTER_VALUES if len(items) > MAX_FILTER_VALUES else 0
        else:
            more = max(0, len(items) - MAX_FILTER_VALUES)
        texts = [_one_value(field, item) for item in items[:MAX_FILTER_VALUES]]
        text = ", ".join(t for t in texts if t)
        if more:
            text += " " + gettext("and %(count)s more") % {"count": more}
        return text
    if isinstance(value, slice):  # a range (django-filter's RangeField)
        start, stop = _one_value(field, value.start), _one_value(field, value.stop)
        return f"{start} – {stop}".strip(" –") if (start or stop) else ""
    return _one_value(field, value)


def _one_value(field: forms.Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.date | datetime.datetime):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(_choice_labels(field).get(str(value), value))
    return str(value)


def _choice_labels(field: forms.ChoiceField) -> dict[str, Any]:
    labels = {}
    for key, label in field.choices:
        if isinstance(label, list | tuple):  # a group
            labels.update({str(k): v for k, v in label})
        else:
            labels[str(key)] = label
    return labels
