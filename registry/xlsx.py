"""One sheet of an Excel workbook (``.xlsx``), written row by row with XlsxWriter in its
``constant_memory`` mode: a bold frozen header row, then the rows as they come. Memory
holds about one row; the rows wait in a temporary directory of the writer's own, removed
once the workbook is written into its file or dropped.

What this adapter adds to XlsxWriter:

- Values by their Python type: ``None`` and ``""`` (an empty cell), ``str`` (always text,
  never a formula, a link or a number), ``bool``, ``int``, ``float``, ``Decimal`` (a NaN or
  an infinity as text), ``date`` and naive ``datetime`` (real dates, in the ``yyyy-mm-dd``
  and ``yyyy-mm-dd hh:mm:ss`` formats); anything else as its text.
- Text without what XML cannot hold (control characters other than tab, newline and
  carriage return, lone surrogates, U+FFFE and U+FFFF), cut to the 32,767 characters a cell
  holds (ending with "…"). XlsxWriter writes a carriage return as Excel does, ``_x000D_``,
  which Excel and LibreOffice read back as one (openpyxl leaves it as it is).
- A text that begins with ``<r>`` and ends with ``</r>`` XlsxWriter would take for rich text
  it made itself and write into the sheet's XML unescaped: it is written as rich text of
  three plain runs instead, escaped, which reads back as the same text.
- The sheet's name made acceptable to Excel, and ``TooManyRows`` past ``max_rows``; or,
  with ``add_sheet``, more sheets in the same workbook, each with the same header (a list
  longer than one sheet, ``numbered_title`` naming them).
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
import tempfile
from collections.abc import Iterable
from typing import IO, Any

import xlsxwriter

#: Rows of a sheet, the header included.
MAX_ROWS = 1_048_576
#: Characters (UTF-16 code units) of one cell.
MAX_CELL = 32_767
#: Characters of a sheet's name, and those it cannot hold.
MAX_TITLE = 31
TITLE_FORBIDDEN = re.compile("[\\[\\]:*?/\\\\\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: Characters XML 1.0 cannot hold (tab, newline and carriage return it can).
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

OPTIONS = {
    "constant_memory": True,
    # Text stays text: no formulas, links or numbers guessed from it.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # Zip64 records only where the sheet needs them (past 4 GB).
    "use_zip64": True,
}


class TooManyRows(Exception):
    """More rows than a sheet holds."""

    def __init__(self, count: int | None = None):
        super().__init__(count)
        self.count = count


def _fits(text: str, length: int) -> bool:
    """``text`` is at most ``length`` UTF-16 code units long (how Excel counts)."""
    return len(text) <= length // 2 or len(text.encode("utf-16-le")) <= 2 * length


def _cut(text: str, length: int) -> str:
    """``text`` cut to ``length`` UTF-16 code units, never between the two of one character."""
    return text.encode("utf-16-le")[: 2 * length].decode("utf-16-le", "ignore")


def clean(text: str) -> str:
    text = XML_ILLEGAL.sub("", text)
    return text if _fits(text, MAX_CELL) else _cut(text, MAX_CELL - 1) + "…"


def sheet_title(title: str) -> str:
    """``title`` as Excel accepts a sheet's name: none of ``[]:*?/\\`` nor control
    characters, no apostrophe at either end, at most 31 characters, not empty nor
    "History" (Excel's own)."""
    text = TITLE_FORBIDDEN.sub("", title).strip("' ")
    text = text if _fits(text, MAX_TITLE) else _cut(text, MAX_TITLE).rstrip("' ")
    return "Sheet1" if not text or text.casefold() == "history" else text


def numbered_title(title: str, number: int) -> str:
    """The name of the ``number``-th sheet of a list called ``title`` ("Partnerships 2"),
    the number kept whole however long the title."""
    suffix = f" {number}"
    base = sheet_title(title)
    if not _fits(base + suffix, MAX_TITLE):
        base = _cut(base, MAX_TITLE - len(suffix)).rstrip("' ")
    return sheet_title(base + suffix)


class SheetWriter:
    """Write one sheet into the binary file ``out``: ``header`` (bold, frozen), then
    ``append`` each row, then ``save``; or ``close`` to drop it, leaving ``out`` untouched.

    ``max_rows`` (the header included): ``append`` raises ``TooManyRows`` past it, unless
    ``add_sheet`` has started the next sheet (``rows`` counts the current sheet's rows,
    ``sheets`` the sheets).
    """

    def __init__(
        self,
        out: IO[bytes],
        *,
        title: str,
        header: list[str],
        widths: Iterable[float] | None = None,
        max_rows: int = MAX_ROWS,
    ):
        self.max_rows = max_rows
        self.rows = 0
        self.sheet = None
        self._sheets: list = []
        self._header = list(header)
        self._widths = (
            list(widths)
            if widths is not None
            else [min(max(len(str(label)), 8) + 4, 60) for label in self._header]
        )
        self._tmpdir = tempfile.TemporaryDirectory(prefix="xlsx-")
        try:
            self._book = xlsxwriter.Workbook(out, {**OPTIONS, "tmpdir": self._tmpdir.name})
            self._date = self._book.add_format({"num_format": DATE_FORMAT})
            self._datetime = self._book.add_format({"num_format": DATETIME_FORMAT})
            self._bold = self._book.add_format({"bold": True})
            self._start_sheet(sheet_title(title))
        except BaseException:
            self.close()
            raise

    @property
    def sheets(self) -> int:
        return len(self._sheets)

    def add_sheet(self, title: str) -> None:
        """Go on in a new sheet called ``title`` (unique in the workbook), with the header;
        the rows of the sheets before stay as written."""
        self._start_sheet(sheet_title(title))

    def _start_sheet(self, title: str) -> None:
        self.sheet = self._book.add_worksheet(title)
        self._sheets.append(self.sheet)
        for column, width in enumerate(self._widths):
            self.sheet.set_column(column, column, width)
        self.sheet.freeze_panes(1, 0)
        for column, label in enumerate(self._header):
            if label:
                self._text(0, column, str(label), self._bold)
        self.rows = 1

    def append(self, values: Iterable[Any]) -> None:
        if self.rows >= self.max_rows:
            raise TooManyRows()
        row, sheet = self.rows, self.sheet
        for column, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if value:
                    self._text(row, column, value)
            elif value is None:
                continue
            elif kind is int:
                sheet.write_number(row, column, value)
            elif kind is bool:
                sheet.write_boolean(row, column, value)
            elif kind is float:
                if math.isfinite(value):
                    sheet.write_number(row, column, value)
                else:
                    self._text(row, column, str(value))
            elif kind is decimal.Decimal:
                # A double, as Excel holds it (about 15 digits); past a double's range: text.
                number = float(value) if value.is_finite() else math.nan
                if math.isfinite(number):
                    sheet.write_number(row, column, number)
                else:
                    self._text(row, column, str(value))
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(row, column, value, self._datetime)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(row, column, value, self._date)
            elif isinstance(value, int):  # an int subclass (an IntegerChoices member, ...)
                sheet.write_number(row, column, int(value))
            else:
                self._text(row, column, str(value))
        self.rows += 1

    def _text(self, row: int, column: int, text: str, cell_format=None) -> None:
        text = clean(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            # Not taken for XlsxWriter's own rich text (see the module's docstring).
            runs = (text[:1], text[1:-1], text[-1:])
            cell = [cell_format] if cell_format is not None else []
            self.sheet.write_rich_string(row, column, *runs, *cell)
        elif text:
            self.sheet.write_string(row, column, text, cell_format)

    def save(self) -> None:
        """Write the workbook into ``out`` and drop the temporary files."""
        try:
            self._book.close()
        finally:
            self.close()

    def close(self) -> None:
        """Drop the rows written so far (their temporary files); ``out`` stays untouched
        unless ``save`` has written into it."""
        # XlsxWriter has no call that drops an unfinished workbook: close the file its
        # worksheet keeps the rows in (constant_memory), then remove the directory.
        for sheet in self._sheets:
            sheet._opt_close()
        self._tmpdir.cleanup()
