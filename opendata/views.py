"""``/open-data/``: the licence, the data dictionary and the bulk downloads; the files
themselves, the dictionary as JSON or CSV, and the DCAT-AP-NO catalogue."""

from __future__ import annotations

import json
import logging
import os

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import is_admin
from opendata import dcat, publishing
from opendata.datasets import DATASETS
from opendata.dictionary import data_dictionary, dictionary_csv
from opendata.giving360 import GRANT_PREFIX

logger = logging.getLogger(__name__)


def _file(name: str, file_format: str) -> dict:
    return {"name": name, "format": file_format.upper(), "file": publishing.stat(name)}


@require_GET
def open_data(request):
    """The page: no query of the database (the dictionary comes from the code, the downloads'
    sizes and times from the files)."""
    downloads = [
        {
            "dataset": dataset,
            "files": [
                _file(publishing.dataset_filename(dataset, file_format), file_format)
                for file_format in publishing.FORMATS
            ],
        }
        for dataset in DATASETS
    ]
    grants = _file(publishing.GRANTS_FILE, publishing.JSON)
    generated = [f["file"] for d in downloads for f in d["files"] if f["file"]]
    context = {
        "downloads": downloads,
        "grants": grants,
        "any_generated": bool(generated),
        "dictionary": data_dictionary(),
        "nlod_url": publishing.NLOD_URL,
        "nlod_url_en": publishing.NLOD_URL_EN,
        "grant_prefix": GRANT_PREFIX,
        "can_publish": is_admin(request.user),
    }
    return render(request, "opendata/open_data.html", context)


@require_POST
def publish_now(request):
    """Regenerate the files now (administrators): queued after the commit; in the embedded
    default the task runs at once, in the request."""
    if not is_admin(request.user):
        raise PermissionDenied
    transaction.on_commit(_queue_publication, robust=True)
    messages.success(
        request,
        _("The open-data files are being generated. Reload the page in a while to see them."),
    )
    return redirect("open-data")


def _queue_publication() -> None:
    from kombu.exceptions import OperationalError

    from opendata.tasks import publish_open_data

    try:
        publish_open_data.apply_async(retry=False)
    except (OperationalError, OSError):
        logger.warning("The broker is unreachable: the open data waits for the night's run.")


@require_GET
def download(request, name: str):
    """A generated file, streamed from disk, with Last-Modified and ETag (a conditional
    request that matches gets 304)."""
    if name not in publishing.published_names():
        raise Http404
    try:
        handle = (publishing.root() / name).open("rb")
    except FileNotFoundError:
        raise Http404 from None
    info = os.fstat(handle.fileno())  # the file opened: a newer one may replace it meanwhile
    etag = f'"{info.st_mtime_ns:x}-{info.st_size:x}"'
    last_modified = int(info.st_mtime)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        handle.close()
        return not_modified
    file_format = name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=publishing.CONTENT_TYPES[file_format],
    )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def dictionary(request, file_format: str):
    if file_format == "csv":
        response = HttpResponse(dictionary_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="data-dictionary.csv"'
        return response
    return JsonResponse(
        {"license": publishing.NLOD_URL, "datasets": data_dictionary()},
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@require_GET
def catalog(request):
    body = json.dumps(dcat.catalog(), ensure_ascii=False, indent=2)
    return HttpResponse(body, content_type="application/ld+json; charset=utf-8")
