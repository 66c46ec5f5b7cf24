"""Import partnerships from a CSV file; the column format is in docs/import-format.md.

The importer only *parses*: it turns each row's text into the values the write
service takes (dates, numbers, slugs, municipalities and organisations looked up
by reference). Every rule about what a valid partnership is lives in
``partnerships.services`` (``validate_links``) and the model (``full_clean`` via
``build_partnership``), exactly as for the API.

Nothing is written unless every row is valid: all rows are parsed and validated
first, every error is collected (``ImportErrors``), and only then are the
partnerships written, in one transaction.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from municipalities.choices import Country
from municipalities.models import Municipality
from organisations.identifiers import ORG_ID_PREFIXES, normalise_org_number, org_id
from organisations.models import Organisation
from partnerships.services import (
    build_partnership,
    bulk_add_links,
    validate_links,
    with_default_lead,
)

# The columns, in the order the documentation and the example file list them.
REQUIRED_COLUMNS = (
    "title",
    "municipalities",
    "organisations",
    "fields",
    "co_creation_type",
    "initiator",
    "involvement_phase",
    "goals_control",
)
COLUMNS = (
    "title",
    "description",
    "municipalities",
    "organisations",
    "fields",
    "co_creation_type",
    "initiator",
    "involvement_phase",
    "goals_control",
    "forms",
    "agreement",
    "status",
    "start_date",
    "end_date",
    "municipal_contribution",
    "currency",
    "volunteer_hours",
    "people_reached",
    "promoting_factors",
    "hindering_factors",
    "outcomes",
)

LIST_SEPARATOR = "|"
PROGRESS_EVERY = 1000
BATCH_SIZE = 1000
MAX_REPORTED_ERRORS = 50

_TEXT_COLUMNS = ("title", "description", "outcomes")
_SLUG_COLUMNS = ("co_creation_type", "initiator", "involvement_phase", "goals_control")
# Slug columns whose empty value means "the model's default".
_DEFAULTED_SLUG_COLUMNS = ("agreement", "status")
_SLUG_LIST_COLUMNS = ("promoting_factors", "hindering_factors")
_DATE_COLUMNS = ("start_date", "end_date")
_INTEGER_COLUMNS = ("volunteer_hours", "people_reached")

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER_RE = re.compile(r"[+-]?\d+")
_DECIMAL_RE = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
# Spaces (also no-break and narrow no-break) people and spreadsheets put between thousands.
_THOUSANDS_SPACES = re.compile(r"[ \u00a0\u202f]")
_ORG_ID_RE = re.compile(r"(?P<prefix>[A-Za-z]{2}-[A-Za-z]+)-(?P<number>.+)")
_COUNTRY_BY_PREFIX = {prefix: country for country, prefix in ORG_ID_PREFIXES.items()}


# --- results and errors -----------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem in the file: ``line`` counts the header as line 1; ``column`` may be None."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return _('line %(line)s, column "%(column)s": %(message)s') % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class ImportErrors(Exception):
    """The file has errors and nothing was imported; ``errors`` lists every one of them."""

    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        super().__init__(self.summary())

    @property
    def total(self) -> int:
        return len(self.errors)

    def summary(self, limit: int = MAX_REPORTED_ERRORS) -> str:
        """The first ``limit`` errors, one a line, under a line that gives the total."""
        lines = [
            ngettext(
                "%(count)s error; nothing was imported.",
                "%(count)s errors; nothing was imported.",
                self.total,
            )
            % {"count": self.total}
        ]
        lines += [str(error) for error in self.errors[:limit]]
        if self.total > limit:
            lines.append(
                ngettext(
                    "… and %(count)s more error.",
                    "… and %(count)s more errors.",
                    self.total - limit,
                )
                % {"count": self.total - limit}
            )
        return "\n".join(lines)


@dataclass
class ImportResult:
    rows: int
    """Data rows read (blank lines are not counted)."""
    created: int
    """Partnerships written: 0 on a dry run."""
    dry_run: bool = False
    partnership_ids: list[int] = field(default_factory=list)


# Called with ("validated" or "saved", rows done, rows in all).
Progress = Callable[[str, int, int], None]


# --- parsing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _OrganisationRef:
    text: str
    country: str | None
    """None for a bare number in a row whose first municipality reference is wrong."""
    number: str
    role: str | None


@dataclass
class _Row:
    line: int
    attributes: dict[str, Any] = field(default_factory=dict)
    municipality_refs: list[tuple[str, str]] = field(default_factory=list)
    organisation_refs: list[_OrganisationRef] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str | None, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))

    @property
    def failed_columns(self) -> set[str | None]:
        return {error.column for error in self.errors}


class _ParseError(ValueError):
    pass


def _read_text(file) -> str:
    """The file's text: ``file`` is a path, bytes, or a binary or text file object."""
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as handle:
            data = handle.read()
    elif isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        data = file.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportErrors(
            [RowError(line, None, _("the file is not UTF-8 text (save it as “CSV UTF-8”)."))]
        ) from None


def _sniff_delimiter(text: str) -> str:
    """``;`` when the header row has more semicolons than commas (Norwegian Excel), else ``,``."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, cells) for each record, blank lines left out."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield line, cells
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportErrors(
            [RowError(line, None, _("not valid CSV: %(error)s") % {"error": error})]
        ) from None


def _check_header(line: int, cells: list[str]) -> list[str]:
    """The column names, or ``ImportErrors`` naming unknown, repeated and missing columns."""
    names = [cell.strip().lower() for cell in cells]
    errors = []
    if unknown := [name for name in dict.fromkeys(names) if name and name not in COLUMNS]:
        errors.append(
            ngettext(
                "unknown column %(columns)s. The columns are: %(known)s.",
                "unknown columns %(columns)s. The columns are: %(known)s.",
                len(unknown),
            )
            % {"columns": _quoted(unknown), "known": ", ".join(COLUMNS)}
        )
    if repeated := [name for name in dict.fromkeys(names) if name and names.count(name) > 1]:
        errors.append(
            ngettext(
                "column %(columns)s appears more than once.",
                "columns %(columns)s appear more than once.",
                len(repeated),
            )
            % {"columns": _quoted(repeated)}
        )
    if missing := [name for name in REQUIRED_COLUMNS if name not in names]:
        errors.append(
            ngettext(
                "missing required column %(columns)s.",
                "missing required columns %(columns)s.",
                len(missing),
            )
            % {"columns": _quoted(missing)}
        )
    if errors:
        raise ImportErrors([RowError(line, None, message) for message in errors])
    return names


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _split(value: str) -> list[str]:
    """The non-empty items of a ``|``-separated cell, without repeats, in order."""
    return list(dict.fromkeys(item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()))


def _parse_date(value: str) -> datetime.date:
    try:
        if _DATE_RE.fullmatch(value):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    raise _ParseError(_("“%(value)s” is not a valid date (use YYYY-MM-DD).") % {"value": value})


def _parse_integer(value: str) -> int:
    compact = _THOUSANDS_SPACES.sub("", value)
    if not _INTEGER_RE.fullmatch(compact):
        raise _ParseError(_("“%(value)s” is not a whole number.") % {"value": value})
    return int(compact)


def _parse_decimal(value: str) -> Decimal:
    compact = _THOUSANDS_SPACES.sub("", value)
    if not _DECIMAL_RE.fullmatch(compact):
        raise _ParseError(
            _(
                "“%(value)s” is not a number (write it without thousands separators, "
                "with . or , before the decimals, e.g. 12500,50)."
            )
            % {"value": value}
        )
    try:
        return Decimal(compact.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise _ParseError(_("“%(value)s” is not a number.") % {"value": value}) from None


def _parse_municipality_ref(text: str) -> tuple[str, str]:
    country, colon, code = (part.strip() for part in text.partition(":"))
    if not colon or not country or not code:
        raise _ParseError(
            _("“%(value)s” is not a municipality reference (use COUNTRY:CODE, e.g. NO:0301).")
            % {"value": text}
        )
    country = country.upper()
    if country not in Country.values:
        raise _ParseError(
            _("“%(value)s”: unknown country “%(country)s” (use %(countries)s).")
            % {"value": text, "country": country, "countries": ", ".join(Country.values)}
        )
    return country, code


def _parse_organisation_ref(text: str, default_country: str | None) -> _OrganisationRef:
    """The reference; a bare number has the row's country, which may be unknown (None)."""
    reference, colon, role = (part.strip() for part in text.partition(":"))
    # A role not given is None: the services' one rule makes the first organisation the
    # lead when no organisation is given as lead.
    role = role.lower() if colon and role else None
    if match := _ORG_ID_RE.fullmatch(reference):
        prefix = match["prefix"].upper()
        if prefix not in _COUNTRY_BY_PREFIX:
            raise _ParseError(
                _("“%(value)s”: unknown org-id prefix “%(prefix)s” (use %(prefixes)s).")
                % {"value": text, "prefix": prefix, "prefixes": ", ".join(_COUNTRY_BY_PREFIX)}
            )
        country, number = _COUNTRY_BY_PREFIX[prefix], match["number"]
    elif default_country is None:
        return _OrganisationRef(text=text, country=None, number=reference, role=role)
    else:
        country, number = default_country, reference
    try:
        number = normalise_org_number(country, number)
    except ValidationError as error:
        raise _ParseError(" ".join(error.messages)) from None
    return _OrganisationRef(text=text, country=country, number=number, role=role)


def _parse_row(line: int, values: dict[str, str]) -> _Row:
    """Turn one record's text into values; format problems become the row's errors."""
    row = _Row(line=line)

    def parse(column: str, parser: Callable[[str], Any]) -> None:
        if value := values.get(column, "").strip():
            try:
                row.attributes[column] = parser(value)
            except _ParseError as error:
                row.error(column, str(error))
        elif column in values:
            row.attributes[column] = None

    for column in _TEXT_COLUMNS:
        if column in values:
            row.attributes[column] = values[column].strip()
    for column in _SLUG_COLUMNS:
        if column in values:
            row.attributes[column] = values[column].strip().lower()
    for column in _DEFAULTED_SLUG_COLUMNS:
        if value := values.get(column, "").strip():
            row.attributes[column] = value.lower()
    if value := values.get("currency", "").strip():
        row.attributes["currency"] = value.upper()
    for column in _SLUG_LIST_COLUMNS:
        if column in values:
            row.attributes[column] = [item.lower() for item in _split(values[column])]
    for column in _DATE_COLUMNS:
        parse(column, _parse_date)
    for column in _INTEGER_COLUMNS:
        parse(column, _parse_integer)
    parse("municipal_contribution", _parse_decimal)

    row.fields = [item.lower() for item in _split(values.get("fields", ""))]
    row.forms = [item.lower() for item in _split(values.get("forms", ""))]

    default_country = None
    for index, text in enumerate(_split(values.get("municipalities", ""))):
        try:
            country, code = _parse_municipality_ref(text)
        except _ParseError as error:
            row.error("municipalities", str(error))
            continue
        if index == 0:
            default_country = country
        if (country, code) not in row.municipality_refs:
            row.municipality_refs.append((country, code))

    seen: set[tuple[str, str]] = set()
    for text in _split(values.get("organisations", "")):
        try:
            ref = _parse_organisation_ref(text, default_country)
        except _ParseError as error:
            row.error("organisations", str(error))
            continue
        if (ref.country, ref.number) in seen:
            row.error(
                "organisations",
                _("organisation %(org_id)s is listed more than once.")
                % {"org_id": org_id(ref.country, ref.number) if ref.country else ref.number},
            )
            continue
        seen.add((ref.country, ref.number))
        row.organisation_refs.append(ref)
    return row


# --- looking up and validating ----------------------------------------------------------


def _load_organisations(rows: list[_Row]) -> dict[tuple[str, str], Organisation]:
    """The organisations the rows refer to, by (country, number), in a few queries."""
    numbers: dict[str, set[str]] = {}
    for row in rows:
        for ref in row.organisation_refs:
            if ref.country:
                numbers.setdefault(ref.country, set()).add(ref.number)
    found = {}
    for country, wanted in numbers.items():
        wanted = sorted(wanted)
        for start in range(0, len(wanted), 500):
            for organisation in Organisation.objects.filter(
                country=country, org_number__in=wanted[start : start + 500]
            ):
                found[country, organisation.org_number] = organisation
    return found


def _messages_by_column(error: ValidationError) -> Iterator[tuple[str | None, str]]:
    for key, messages in error.message_dict.items():
        column = key if key in COLUMNS else None
        for message in messages:
            yield (column if key != NON_FIELD_ERRORS else None), message


def _validate(
    row: _Row,
    *,
    municipalities: dict[tuple[str, str], Municipality],
    organisations: dict[tuple[str, str], Organisation],
    created_by,
) -> tuple[Any, dict[str, Any]] | None:
    """The row's unsaved partnership and its links, or None after adding the row's errors."""
    found_municipalities = []
    for country, code in row.municipality_refs:
        if municipality := municipalities.get((country, code)):
            found_municipalities.append(municipality)
        else:
            row.error(
                "municipalities",
                _("no municipality %(country)s:%(code)s.") % {"country": country, "code": code},
            )
    found_organisations = {}
    for ref in row.organisation_refs:
        if ref.country is None:
            # A bare number takes the first municipality's country, and that reference
            # is wrong: its error says so.
            continue
        if organisation := organisations.get((ref.country, ref.number)):
            found_organisations[organisation] = ref.role
        else:
            row.error(
                "organisations",
                _("no organisation %(org_id)s (organisations must exist before the import).")
                % {"org_id": org_id(ref.country, ref.number)},
            )

    # The service's rules, given every reference the row makes (found or not), so that
    # "choose at least one" and role checks see what the cell says.
    parse_failures = row.failed_columns
    service_errors: list[tuple[str | None, str]] = []
    try:
        validate_links(
            municipalities=row.municipality_refs,
            organisations=with_default_lead({ref: ref.role for ref in row.organisation_refs}),
            fields=row.fields,
            forms=row.forms,
        )
    except ValidationError as error:
        service_errors += _messages_by_column(error)
    partnership = None
    try:
        partnership = build_partnership(created_by=created_by, **row.attributes)
    except ValidationError as error:
        service_errors += _messages_by_column(error)
    # A column whose text could not be parsed was left out, so what the rules say about
    # its (default) value is beside the point.
    for column, message in service_errors:
        if column is None or column not in parse_failures:
            row.error(column, message)

    if row.errors:
        return None
    return partnership, {
        "municipalities": found_municipalities,
        "organisations": with_default_lead(found_organisations),
        "fields": row.fields,
        "forms": row.forms,
    }


def _sorted_errors(row: _Row, header: list[str]) -> list[RowError]:
    position = {name: index for index, name in enumerate(header)}
    return sorted(row.errors, key=lambda error: position.get(error.column, -1))


# --- the import -------------------------------------------------------------------------


def import_partnerships(
    file,
    *,
    created_by=None,
    dry_run: bool = False,
    progress: Progress | None = None,
    progress_every: int = PROGRESS_EVERY,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Validate every row of a partnerships CSV file, then create them all, or none.

    ``file`` is a path, bytes, or a binary or text file object (an uploaded file will do).
    Raises ``ImportErrors`` listing every problem when any row is bad; writes nothing then,
    and nothing on a ``dry_run``. ``progress`` is called every ``progress_every`` rows and
    at the end of each stage with the stage ("validated", "saved"), rows done and rows in all.
    """
    text = _read_text(file)
    records = _records(text)
    header_record = next(records, None)
    if header_record is None:
        raise ImportErrors([RowError(1, None, _("the file is empty: it needs a header row."))])
    header_line, header_cells = header_record
    header = _check_header(header_line, header_cells)

    rows = []
    for line, cells in records:
        values = {name: cell for name, cell in zip(header, cells, strict=False) if name}
        row = _parse_row(line, values)
        if len(cells) > len(header):
            row.error(
                None,
                _("the row has %(cells)s values but the header has %(columns)s columns.")
                % {"cells": len(cells), "columns": len(header)},
            )
        for name, cell in zip(header, cells, strict=False):
            if not name and cell.strip():
                row.error(
                    None,
                    _("a value under a column without a name: “%(value)s”.")
                    % {"value": cell.strip()},
                )
        rows.append(row)
    total = len(rows)

    def report(stage: str, done: int) -> None:
        if progress and (done % progress_every == 0 or done == total):
            progress(stage, done, total)

    with transaction.atomic():
        municipalities = {(m.country, m.code): m for m in Municipality.objects.all()}
        organisations = _load_organisations(rows)
        valid = []
        errors = []
        for done, row in enumerate(rows, 1):
            result = _validate(
                row,
                municipalities=municipalities,
                organisations=organisations,
                created_by=created_by,
            )
            if result is None:
                errors += _sorted_errors(row, header)
            else:
                valid.append((row, *result))
            report("validated", done)
        if errors:
            raise ImportErrors(errors)
        if dry_run:
            return ImportResult(rows=total, created=0, dry_run=True)

        ids = []
        line = header_line
        try:
            for start in range(0, total, batch_size):
                batch = valid[start : start + batch_size]
                for row, partnership, _links in batch:
                    line = row.line
                    partnership.save()
                    ids.append(partnership.pk)
                line = batch[0][0].line
                bulk_add_links(
                    [(partnership, links) for _row, partnership, links in batch],
                    batch_size=batch_size,
                )
                report("saved", start + len(batch))
        except DatabaseError as error:
            # The rows passed every rule of the services and the model, so the database
            # enforces one they lack. The transaction is rolled back: nothing is written.
            raise ImportErrors(
                [RowError(line, None, _("could not be saved: %(error)s") % {"error": error})]
            ) from error
    return ImportResult(rows=total, created=len(ids), partnership_ids=ids)
