"""Writing the open-data files and finding them again.

Every file is written into ``settings.OPEN_DATA_ROOT`` under a temporary name, then renamed
over the old one (``os.replace``, atomic on one file system): a download that has started
keeps reading the old file, and nobody ever gets half a file. The rows are read through the
exports' server-side cursor a chunk at a time (``ExportSpec.records``), so memory stays flat
whatever the number of records; nothing is held but the chunk being written.

- ``<dataset>.csv``: UTF-8 with a byte-order mark, comma-separated, the header the columns'
  keys, codes rather than labels, several values in one cell separated by ``"; "``, booleans
  ``true``/``false``, decimals with a point, times in ISO 8601 with their offset. Cells a
  spreadsheet would run as a formula are neutralised as in the list downloads.
- ``<dataset>.json``: ``{"dataset", "generated", "license", "columns", "records": [...]}``,
  a record an object by column key, lists as arrays, numbers as numbers.
- ``grants-360giving.json``: the 360Giving package (``opendata.giving360``); not written
  while no partnership records municipal money.
- ``manifest.json``: when each file was generated and its number of records.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils import timezone, translation

from opendata.datasets import DATASETS, Dataset
from registry.exports import Column, clean_text, csv_chunks, labels_of

logger = logging.getLogger(__name__)

CSV = "csv"
JSON = "json"
FORMATS = (CSV, JSON)
CONTENT_TYPES = {CSV: "text/csv; charset=utf-8", JSON: "application/json"}
GRANTS_FILE = "grants-360giving.json"
MANIFEST = "manifest.json"

NLOD_URL = "https://data.norge.no/nlod/no/2.0"
NLOD_URL_EN = "https://data.norge.no/nlod/en/2.0"

#: Bytes written to a file at a time.
WRITE_AT = 256 * 1024


def root() -> Path:
    return Path(settings.OPEN_DATA_ROOT)


def dataset_filename(dataset: Dataset, file_format: str) -> str:
    return f"{dataset.slug}.{file_format}"


def published_names() -> list[str]:
    """Every file name the view may serve (and nothing else)."""
    return [
        *(dataset_filename(dataset, f) for dataset in DATASETS for f in FORMATS),
        GRANTS_FILE,
    ]


@dataclass(frozen=True)
class PublishedFile:
    name: str
    size: int
    modified: datetime.datetime
    records: int | None = None


def stat(name: str) -> PublishedFile | None:
    """The file ``name`` as it is now, or None if it has not been generated."""
    try:
        info = (root() / name).stat()
    except FileNotFoundError:
        return None
    manifest = read_manifest().get(name, {})
    records = manifest.get("records") if manifest.get("size") == info.st_size else None
    return PublishedFile(
        name=name,
        size=info.st_size,
        modified=datetime.datetime.fromtimestamp(info.st_mtime, tz=datetime.UTC),
        records=records,
    )


def read_manifest() -> dict[str, Any]:
    try:
        return json.loads((root() / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


# --- writing ----------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_file(name: str) -> Iterator[IO[bytes]]:
    """A binary file that becomes ``root() / name`` when the block ends without an error
    (else it is removed, and the old file stays)."""
    directory = root()
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (renamed or removed below)
        dir=directory, prefix=f".{name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, directory / name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(handle.name)
        raise


def code_getter(column: Column) -> Callable[[Any], Any]:
    """The column's value with codes instead of labels: the export's own function, given
    each code as its own label."""
    if column.choices is None:
        return column.value
    value, codes = column.value, {code: code for code in labels_of(column.choices)}
    return lambda record: value(record, codes)


def iso_times(value: Any) -> Any:
    """A datetime as ISO 8601 text with its offset, in the site's time zone."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value


def csv_booleans(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def json_value(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, decimal.Decimal):
        return float(value)  # at most 14 digits: the float prints back the same decimal
    if isinstance(value, datetime.date):  # a datetime is already text (iso_times)
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value if item not in (None, "")]
    return value


class CodesSpec:
    """A dataset's export spec whose rows hold codes and ISO 8601 times, so that the files
    are the same in every language; it counts the rows it gives."""

    def __init__(self, dataset: Dataset, *, cell: Callable[[Any], Any] = iso_times):
        self.dataset, self.cell, self.count = dataset, cell, 0

    def rows(self, queryset) -> Iterator[list[Any]]:
        getters = [code_getter(column) for column in self.dataset.spec.columns]
        cell = self.cell
        for record in self.dataset.spec.records(queryset):
            self.count += 1
            yield [cell(get(record)) for get in getters]


def write_csv(dataset: Dataset, out: IO[bytes]) -> int:
    spec = CodesSpec(dataset, cell=lambda value: csv_booleans(iso_times(value)))
    header = dataset.spec.header(keys=True)
    for chunk in csv_chunks(spec, dataset.queryset(), header=header):
        out.write(chunk)
    return spec.count


def write_json(dataset: Dataset, out: IO[bytes], *, generated: datetime.datetime) -> int:
    keys = dataset.spec.header(keys=True)
    head = {
        "dataset": dataset.slug,
        "generated": generated.isoformat(timespec="seconds"),
        "license": NLOD_URL,
        "columns": keys,
    }
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "records": [\n'
    out.write(opening.encode("utf-8"))
    buffer: list[str] = []
    size = count = 0
    for row in CodesSpec(dataset).rows(dataset.queryset()):
        record = json.dumps(
            dict(zip(keys, (json_value(v) for v in row), strict=True)), ensure_ascii=False
        )
        buffer.append(("" if count == 0 else ",\n") + record)
        size += len(record)
        count += 1
        if size >= WRITE_AT:
            out.write("".join(buffer).encode("utf-8"))
            buffer, size = [], 0
    buffer.append("\n]}\n")
    out.write("".join(buffer).encode("utf-8"))
    return count


# --- publishing ---------------------------------------------------------------------------------


def publish(*, progress: Callable[[str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Generate every open-data file; returns the manifest (file name -> size, records,
    generated). Idempotent: running it again replaces the files with fresh ones."""
    from opendata.giving360 import write_grants

    say = progress or (lambda message: None)
    manifest: dict[str, dict[str, Any]] = read_manifest()
    with translation.override(settings.LANGUAGE_CODE):
        for dataset in DATASETS:
            for file_format in FORMATS:
                name = dataset_filename(dataset, file_format)
                generated = timezone.now()
                with atomic_file(name) as out:
                    if file_format == CSV:
                        count = write_csv(dataset, out)
                    else:
                        count = write_json(dataset, out, generated=generated)
                manifest[name] = _entry(name, count, generated)
                say(f"{name}: {count} records")
        generated = timezone.now()
        with atomic_file(GRANTS_FILE) as out:
            count = write_grants(out, generated=generated)
        if count:
            manifest[GRANTS_FILE] = _entry(GRANTS_FILE, count, generated)
        else:  # a package needs at least one grant: no file rather than an invalid one
            with contextlib.suppress(FileNotFoundError):
                (root() / GRANTS_FILE).unlink()
            manifest.pop(GRANTS_FILE, None)
        say(f"{GRANTS_FILE}: {count} grants")
    with atomic_file(MANIFEST) as out:
        out.write(json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8"))
    logger.info("Open data published: %s", ", ".join(sorted(manifest)))
    return manifest


def _entry(name: str, count: int, generated: datetime.datetime) -> dict[str, Any]:
    path = root() / name
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(WRITE_AT):
            digest.update(block)
    return {
        "records": count,
        "size": path.stat().st_size,
        "generated": generated.isoformat(timespec="seconds"),
        "sha256": digest.hexdigest(),
    }
