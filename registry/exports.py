"""Whole-list downloads of the list pages (``registry.generic.ObjectListView``): CSV and Excel
for analysts, with flat memory whatever the number of rows.

An app describes what its list exports with an ``ExportSpec`` (``partnerships/exports.py``,
``organisations/exports.py``, ``municipalities/exports.py``): the columns, each with a
machine-readable key (English, stable) and a label in the reader's language, and the related
data a chunk of rows needs. The rows are the list's own queryset (already restricted to what
the caller may see, filtered and sorted as on the page), read with a server-side cursor
``CHUNK_SIZE`` rows at a time, the related data fetched per chunk (``ExportSpec.attach``:
a few ``values_list`` queries per chunk, never one per row; plain tuples, not model
instances, which ``prefetch_related`` would build and which cost more than the rest).

- CSV streams (``StreamingHttpResponse``): UTF-8 with a byte-order mark, so that Excel reads
  æøå; ``?delimiter=semicolon`` separates with ``;`` and writes decimals with a comma, as
  Excel expects in the Nordic locales.
- Excel is written row by row (``registry.xlsx``: XlsxWriter in its ``constant_memory``
  mode) into a temporary file, then served from it (``FileResponse``): memory stays flat,
  the disk holds the file. Dates are dates, numbers numbers; the sheet is named after the
  list, the header is bold and frozen. A sheet holds at most ``EXCEL_MAX_ROWS`` rows, the
  header included: a larger list is written by a background job (below) over several sheets,
  each with the header and at most ``EXCEL_MAX_ROWS - 1`` rows, in order ("Partnerships",
  "Partnerships 2", ...). Should rows arrive between the count and the writing of a download
  in the request, past a sheet, it is refused with a page that links to the CSV (a silently
  cut file would give wrong totals).
- Background downloads: a list of more than ``settings.EXPORT_BACKGROUND_ROWS`` rows (for
  Excel, also one of more rows than a sheet holds) is not written in the request: the list
  view hands it to the ``downloads`` app, which writes the file in a Celery task with these
  same writers (``csv_chunks``, ``write_xlsx``; their ``progress`` is called after every
  chunk of rows) and shows its progress on a page of its own. ``background_limit`` and
  ``count_up_to`` decide; the count stops past the limit, so it costs the same at a million
  rows.
- ``?headers=keys`` writes the columns' keys instead of the labels.
- Cells that a spreadsheet would run as a formula (beginning with ``=``, ``+``, ``-``, ``@``,
  tab or carriage return) are prefixed with ``'`` in CSV and written as text in Excel;
  control characters (other than tab, newline and carriage return) are removed from every
  text cell in both, so a bad value already stored can never break a download.

This module is a helper the apps import: it imports no app (``tests/test_architecture.py``).
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import itertools
import operator
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext

from registry import xlsx
from registry.xlsx import TooManyRows  # raised by write_xlsx, answered by export_response

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Rows read per query of the server-side cursor (and per round of related-data queries).
CHUNK_SIZE = 2000
#: A streamed CSV is sent in pieces of about this many characters.
CSV_FLUSH_AT = 64 * 1024
#: Rows of an Excel sheet, the header included.
EXCEL_MAX_ROWS = xlsx.MAX_ROWS
#: Between the values of a many-valued column (municipalities, fields, ...).
LIST_SEPARATOR = "; "

#: The query-string options.
HEADERS_PARAM = "headers"
HEADERS_KEYS = "keys"
DELIMITER_PARAM = "delimiter"
DELIMITERS = {"comma": ",", "semicolon": ";"}
#: Every option of the query string (the page's own links leave them out).
OPTIONS = (HEADERS_PARAM, DELIMITER_PARAM)

#: Called with the number of rows written so far, after each chunk of rows.
Progress = Callable[[int], None]

#: C0 and C1 control characters, except tab, newline and carriage return.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: A cell beginning with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- what a list exports ---------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: ``key`` (English, stable: ``?headers=keys``), ``label`` (translated) and
    ``value``, a function of the row. A value is text, a number (``int``, ``Decimal``), a
    ``date``, a ``datetime``, a ``bool``, ``None`` (empty) or a list of texts (joined with
    ``LIST_SEPARATOR``).

    A column of ``choices`` (a ``TextChoices`` class or a model field with choices) has
    ``value(row, labels)``, ``labels`` being value -> label in the reader's language, looked
    up once per download rather than once per cell.
    """

    key: str
    label: Any
    value: Callable[..., Any]
    choices: Any = None

    def bind(self) -> Callable[[Any], Any]:
        """The function of a row that gives this column's value in the active language."""
        if self.choices is None:
            return self.value
        value, labels = self.value, labels_of(self.choices)
        return lambda record: value(record, labels)


def field_column(model, name: str, *, key: str | None = None, label=None) -> Column:
    """A column of the model field ``name``, labelled with its verbose name; a field with
    choices gives its label in the reader's language."""
    field = model._meta.get_field(name)
    key = key or name
    label = label if label is not None else capfirst(field.verbose_name)
    if field.choices:

        def display(record, labels):
            stored = getattr(record, name)
            return None if stored in (None, "") else labels.get(stored, stored)

        return Column(key, label, display, choices=field)
    return Column(key, label, operator.attrgetter(name))


_LABELS: dict[tuple[Any, str | None], dict[Any, str]] = {}


def labels_of(choices) -> dict[Any, str]:
    """Value -> label in the active language of ``choices`` (a ``TextChoices`` class or a
    model field with choices), made once per language: Django's ``get_FOO_display`` and a
    lazy label each translate again, row after row."""
    key = (choices, translation.get_language())
    labels = _LABELS.get(key)
    if labels is None:
        pairs = choices.flatchoices if hasattr(choices, "flatchoices") else choices.choices
        labels = _LABELS[key] = {value: str(label) for value, label in pairs}
    return labels


def choice_labels(labels: dict[Any, str], values: Iterable[str]) -> list[str]:
    """The labels of ``values`` (``labels`` from ``labels_of``), in the choices' own order;
    an unknown value as it is."""
    order = {value: i for i, value in enumerate(labels)}
    ordered = sorted(values, key=lambda v: (order.get(v, len(order)), str(v)))
    return [labels.get(value, value) for value in ordered]


def distinct(values: Iterable[Any]) -> list[Any]:
    """``values`` without repeats, in their first order."""
    return list(dict.fromkeys(values))


def group_by_first(rows: Iterable[tuple]) -> dict[Any, list[tuple]]:
    """``values_list`` rows grouped by their first value (the id of the row they belong
    to), in their order."""
    groups: dict[Any, list[tuple]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    return groups


def chunks(iterable: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` items (the last one shorter)."""
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


class ExportSpec:
    """What a list downloads. Subclasses set ``columns`` and ``sheet_title``; what the
    columns read beyond the row itself is fetched once per chunk of rows in ``attach``."""

    columns: tuple[Column, ...] = ()
    #: The Excel sheet's name (lazy translation; cut to 31 characters).
    sheet_title: Any = ""
    chunk_size = CHUNK_SIZE

    def prepare(self, queryset: QuerySet) -> QuerySet:
        """The list's queryset as the export reads it (``select_related``, ``only``...)."""
        return queryset

    def attach(self, records: list) -> None:
        """Fetch what the columns read for one chunk of ``records`` (a few queries with
        ``__in`` on their ids) and set it on them."""

    def records(self, queryset: QuerySet, *, progress: Progress | None = None) -> Iterator[Any]:
        """Every row, read ``chunk_size`` at a time (a server-side cursor where the database
        has one), each chunk with its related data. ``progress`` is called with the number of
        rows given so far once the reader has taken every row of a chunk."""
        rows = self.prepare(queryset).prefetch_related(None).iterator(chunk_size=self.chunk_size)
        done = 0
        for chunk in chunks(rows, self.chunk_size):
            self.attach(chunk)
            yield from chunk
            done += len(chunk)
            if progress is not None:
                progress(done)

    def header(self, *, keys: bool = False) -> list[str]:
        return [column.key if keys else str(column.label) for column in self.columns]

    def rows(self, queryset: QuerySet, *, progress: Progress | None = None) -> Iterator[list[Any]]:
        """The values of every row, in the active language (``progress``: see ``records``)."""
        getters = [column.bind() for column in self.columns]
        for record in self.records(queryset, progress=progress):
            yield [get(record) for get in getters]


# --- cell values -----------------------------------------------------------------------------


def clean_text(value: Any) -> str:
    """``value`` as text without control characters (tab, newline and CR stay)."""
    return CONTROL_CHARACTERS.sub("", str(value))


def neutralise(text: str) -> str:
    """``text`` that a spreadsheet will not run as a formula: prefixed with ``'`` if it
    begins like one."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def local_datetime(value: datetime.datetime) -> datetime.datetime:
    """A naive datetime in the current time zone (Excel knows no time zones)."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def _joined(value: list | tuple) -> str:
    return LIST_SEPARATOR.join(clean_text(item) for item in value if item not in (None, ""))


def csv_value(
    value: Any, *, decimal_comma: bool = False, booleans: tuple[str, str] | None = None
) -> str:
    """One CSV cell; ``booleans`` are the words for true and false (translated)."""
    if type(value) is str:  # most cells: first
        return neutralise(clean_text(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = booleans or (gettext("Yes"), gettext("No"))
        return yes if value else no
    if isinstance(value, datetime.datetime):
        return local_datetime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, decimal.Decimal | float):
        # A float as few digits as it has (0.25, not 0.250000), never in e-notation.
        text = repr(value) if type(value) is float else format(value, "f")
        if "e" in text or "E" in text:
            text = format(value, "f")
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, list | tuple):
        return neutralise(_joined(value))
    return neutralise(clean_text(value))


def xlsx_value(value: Any) -> Any:
    """One Excel cell (``registry.xlsx`` writes text always as text, never a formula, a link
    or a number)."""
    if type(value) is str:
        return clean_text(value)
    if value is None or isinstance(value, bool | int | decimal.Decimal | float):
        return value
    if isinstance(value, datetime.datetime):
        return local_datetime(value)
    if isinstance(value, datetime.date):
        return value
    return _joined(value) if isinstance(value, list | tuple) else clean_text(value)


# --- writers ---------------------------------------------------------------------------------


def _rows(spec, queryset: QuerySet, progress: Progress | None) -> Iterator[list[Any]]:
    # ``spec`` may be any object with ``rows(queryset)`` (opendata's ``CodesSpec``): the
    # ``progress`` argument only when there is one.
    if progress is None:
        return spec.rows(queryset)
    return spec.rows(queryset, progress=progress)


def csv_chunks(
    spec: ExportSpec,
    queryset: QuerySet,
    *,
    header: list[str],
    delimiter: str = ",",
    language: str | None = None,
    time_zone=None,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    """The CSV file in pieces of about ``CSV_FLUSH_AT`` characters, read ``spec.chunk_size``
    rows at a time. Runs after the view has returned: it restores the request's language and
    time zone itself. The streamed download and the background job (``downloads``) both
    write with it."""
    with (
        translation.override(language),
        timezone.override(time_zone or timezone.get_current_timezone()),
    ):
        yield from csv_pieces(header, _rows(spec, queryset, progress), delimiter=delimiter)


def csv_pieces(
    header: list[str], rows: Iterable[list[Any]], *, delimiter: str = ","
) -> Iterator[bytes]:
    """``header`` and ``rows`` as CSV in pieces of about ``CSV_FLUSH_AT`` characters: UTF-8
    with a byte-order mark (so that Excel reads it as UTF-8), decimals with a comma when the
    delimiter is ``;``, every cell made safe (``csv_value``)."""
    decimal_comma = delimiter == ";"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([neutralise(clean_text(label)) for label in header])
    booleans = (gettext("Yes"), gettext("No"))
    for row in rows:
        writer.writerow([csv_value(v, decimal_comma=decimal_comma, booleans=booleans) for v in row])
        if buffer.tell() >= CSV_FLUSH_AT:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(
    spec: ExportSpec,
    queryset: QuerySet,
    out,
    *,
    header: list[str],
    progress: Progress | None = None,
    sheets: bool = False,
) -> int:
    """Write the workbook to the binary file ``out``; returns the number of rows. Past
    ``EXCEL_MAX_ROWS`` (the header included) it raises ``TooManyRows``, having written
    nothing into ``out``; with ``sheets`` it goes on in a new sheet instead, with the same
    header (the background downloads). The streamed download and the background job
    (``downloads``) both write with it."""
    title = capfirst(str(spec.sheet_title))
    sheet = xlsx.SheetWriter(
        out,
        title=title,
        header=[clean_text(label) for label in header],
        max_rows=EXCEL_MAX_ROWS,
    )
    written = 0
    try:
        for row in _rows(spec, queryset, progress):
            if sheets and sheet.rows >= sheet.max_rows:
                sheet.add_sheet(xlsx.numbered_title(title, sheet.sheets + 1))
            sheet.append([xlsx_value(value) for value in row])
            written += 1
    except BaseException:
        sheet.close()
        raise
    sheet.save()
    return written


# --- in the request or in the background -----------------------------------------------------


def background_limit(export_format: str) -> int:
    """The most rows a download of ``export_format`` writes in the request; a longer list is
    written by a background job (``settings.EXPORT_BACKGROUND_ROWS``; for Excel also no more
    than a sheet holds, the header aside)."""
    limit = settings.EXPORT_BACKGROUND_ROWS
    if export_format == XLSX:
        limit = min(limit, EXCEL_MAX_ROWS - 1)
    return limit


def count_up_to(queryset: QuerySet, limit: int) -> int:
    """The number of rows of ``queryset``, counted no further than ``limit``: one query
    whose cost stops at ``limit`` rows however long the list."""
    return queryset.order_by().values("pk")[:limit].count()


# --- responses -------------------------------------------------------------------------------


def export_response(
    request: HttpRequest,
    spec: ExportSpec,
    queryset: QuerySet,
    export_format: str,
    *,
    filename: str,
    csv_url: str = "",
    list_url: str = "",
    count: int | None = None,
) -> HttpResponse:
    """The download of ``queryset`` (the list as the caller sees it) in ``export_format``,
    with the options of ``request``'s query string (``headers``, ``delimiter``). ``count``:
    the rows already counted by the caller (Excel then counts no more)."""
    keys = request.GET.get(HEADERS_PARAM) == HEADERS_KEYS
    header = spec.header(keys=keys)
    if export_format == CSV:
        delimiter = DELIMITERS.get(request.GET.get(DELIMITER_PARAM, ""), ",")
        return csv_response(spec, queryset, header=header, delimiter=delimiter, filename=filename)
    if export_format == XLSX:
        try:
            return xlsx_response(spec, queryset, header=header, filename=filename, count=count)
        except TooManyRows as error:
            return too_many_rows_response(
                request, count=error.count, csv_url=csv_url, list_url=list_url
            )
    raise ValueError(f"Unknown export format: {export_format!r}")


def csv_response(
    spec: ExportSpec, queryset: QuerySet, *, header: list[str], delimiter: str, filename: str
) -> StreamingHttpResponse:
    chunks = csv_chunks(
        spec,
        queryset,
        header=header,
        delimiter=delimiter,
        language=translation.get_language(),
        time_zone=timezone.get_current_timezone(),
    )
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(
    spec: ExportSpec,
    queryset: QuerySet,
    *,
    header: list[str],
    filename: str,
    count: int | None = None,
) -> FileResponse:
    """Counts first (unless ``count`` is given), so that a list too large for a sheet is
    refused at once; the writer checks again (rows may have been added meanwhile)."""
    if count is None:
        count = queryset.order_by().count()
    if count >= EXCEL_MAX_ROWS:
        raise TooManyRows(count)
    # Gone once closed; FileResponse closes it once it is sent.
    out = tempfile.TemporaryFile(prefix="export-", suffix=".xlsx")  # noqa: SIM115
    try:
        write_xlsx(spec, queryset, out, header=header)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def too_many_rows_response(
    request: HttpRequest, *, count: int | None, csv_url: str = "", list_url: str = ""
) -> HttpResponse:
    """400 with a page that says why and links to the CSV, which has no limit."""
    context = {
        "count": count,
        "limit": EXCEL_MAX_ROWS - 1,
        "csv_url": csv_url,
        "list_url": list_url,
    }
    return render(request, "generic/export_too_large.html", context, status=400)
