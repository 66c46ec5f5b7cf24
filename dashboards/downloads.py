"""One dashboard figure's numbers as a file: CSV or Excel, for the page's filters.

The rows are the figure's own (``Figure.csv_header`` names the columns by key,
``Figure.csv_rows`` holds the values), written by the list exports' cell rules
(``registry.exports``): formulas neutralised, control characters removed, Excel with
numbers as numbers. The header is in the reader's language; ``?headers=keys`` writes the
keys instead, which stay the same in every language (for scripts). CSV is UTF-8 with a
byte-order mark; ``?delimiter=semicolon`` separates with ``;`` and writes decimals with a
comma, for Excel in the Nordic locales.
"""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dashboards.sections import Figure
from partnerships.choices import Currency
from registry import exports, xlsx

CSV = exports.CSV
XLSX = exports.XLSX
FORMATS = exports.FORMATS

#: The label of each column key a figure may have, in the reader's language.
COLUMN_LABELS = {
    "place": _("Place (key)"),
    "place_name": _("Place"),
    "partnerships": _("Partnerships"),
    "municipalities": _("Municipalities"),
    "organisations": _("Organisations"),
    "formal_agreements": _("With a written or partnership agreement"),
    "formal_agreement_share": _("Share with a written or partnership agreement"),
    "field": _("Field (code)"),
    "field_label": _("Field"),
    "municipalities_total": _("Municipalities in all"),
    "municipalities_with_partnerships": _("Municipalities with a partnership"),
    "share": _("Share"),
    "research_share": _("Share in the research"),
    "research_source": _("Research source"),
    "declared": _("Declared co-creation type"),
    "derived": _("Derived co-creation type"),
    "total": _("Total"),
    "value": _("Value (code)"),
    "label": _("Value"),
    "without_form": _("Without a form of collaboration"),
    "year": _("Year"),
    "country": _("Country"),
    "county": _("County (id)"),
    "code": _("County number"),
    "name": _("County"),
    "is_current": _("Current county"),
    "volunteer_hours": _("Volunteer hours"),
    "volunteer_hours_reported": _("Partnerships reporting volunteer hours"),
    "people_reached": _("People reached"),
    "people_reached_reported": _("Partnerships reporting people reached"),
    **{
        key: label
        for currency in Currency.values
        for key, label in (
            (f"money_{currency.lower()}", format_lazy(_("Municipal contribution ({})"), currency)),
            (
                f"money_{currency.lower()}_reported",
                format_lazy(_("Partnerships reporting a municipal contribution ({})"), currency),
            ),
        )
    },
}


def header(figure: Figure, *, keys: bool) -> list[str]:
    if keys:
        return list(figure.csv_header)
    return [str(COLUMN_LABELS[key]) for key in figure.csv_header]


def response(request: HttpRequest, figure: Figure, export_format: str, name: str) -> HttpResponse:
    """``figure`` as ``export_format`` (``csv`` or ``xlsx``), named ``name`` + extension."""
    labels = header(figure, keys=request.GET.get(exports.HEADERS_PARAM) == exports.HEADERS_KEYS)
    filename = f"{name}.{export_format}"
    if export_format == CSV:
        delimiter = exports.DELIMITERS.get(request.GET.get(exports.DELIMITER_PARAM, ""), ",")
        body = b"".join(exports.csv_pieces(labels, figure.csv_rows, delimiter=delimiter))
        content_type = "text/csv; charset=utf-8"
    elif export_format == XLSX:
        out = io.BytesIO()
        sheet = xlsx.SheetWriter(out, title=str(figure.title), header=labels)
        for row in figure.csv_rows:
            sheet.append([exports.xlsx_value(value) for value in row])
        sheet.save()
        body = out.getvalue()
        content_type = exports.XLSX_CONTENT_TYPE
    else:
        raise ValueError(gettext("Unknown format: %(format)s") % {"format": export_format})
    result = HttpResponse(body, content_type=content_type)
    result["Content-Disposition"] = content_disposition_header(True, filename)
    return result
