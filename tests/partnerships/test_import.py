"""The CSV importer (partnerships.importing) and its management command."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from partnerships.importing import COLUMNS, ImportErrors, RowError, import_partnerships
from partnerships.models import Partnership, PartnershipMunicipality, PartnershipOrganisation
from tests.factories import MunicipalityFactory, OrganisationFactory, UserFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "partnerships.csv"

HEADER = (
    "title,description,municipalities,organisations,fields,co_creation_type,initiator,"
    "involvement_phase,goals_control,forms,agreement,status,start_date,end_date,"
    "municipal_contribution,currency,volunteer_hours,people_reached,promoting_factors,"
    "hindering_factors,outcomes"
)
# Required columns only.
SHORT_HEADER = (
    "title,municipalities,organisations,fields,co_creation_type,initiator,"
    "involvement_phase,goals_control,status,start_date,end_date"
)
ORG_A, ORG_B, ORG_C = "974760673", "971526920", "983163327"


def good_row(
    title="Samarbeid",
    *,
    municipalities="NO:0301",
    organisations=f"{ORG_A}:lead",
    status="active",
    start="2024-01-15",
    end="",
):
    """A row under SHORT_HEADER."""
    return (
        f"{title},{municipalities},{organisations},culture,equal,municipality,design,shared,"
        f"{status},{start},{end}"
    )


@pytest.fixture
def places(db):
    return {
        "oslo": MunicipalityFactory(country="NO", code="0301", name="Oslo"),
        "bergen": MunicipalityFactory(country="NO", code="4601", name="Bergen"),
        "trondheim": MunicipalityFactory(country="NO", code="5001", name="Trondheim"),
        "stockholm": MunicipalityFactory(country="SE", code="0180", name="Stockholm"),
    }


@pytest.fixture
def orgs(db):
    return {
        "a": OrganisationFactory(country="NO", org_number=ORG_A, name="Org A"),
        "b": OrganisationFactory(country="NO", org_number=ORG_B, name="Org B"),
        "c": OrganisationFactory(country="NO", org_number=ORG_C, name="Org C"),
        "se": OrganisationFactory(country="SE", org_number="5560360793", name="Svensk förening"),
    }


def write(tmp_path, text, *, name="import.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def short_file(tmp_path, *rows):
    return write(tmp_path, "\n".join([SHORT_HEADER, *rows]) + "\n")


def import_errors(path, **kwargs) -> list[str]:
    with pytest.raises(ImportErrors) as caught:
        import_partnerships(path, **kwargs)
    return [str(error) for error in caught.value.errors]


# --- a good file ----------------------------------------------------------------------


@pytest.mark.django_db
def test_good_file_imports_every_row_with_links_and_derived_type(tmp_path, places, orgs):
    user = UserFactory(username="importer")
    path = write(
        tmp_path,
        "\n".join(
            [
                HEADER,
                # shared control, involved at design -> equal
                "Leksehjelp,Hjelp med lekser,NO:0301|NO:4601,974760673:lead|971526920,"
                "children_youth|education,equal,local_civic,design,shared,premises|grant,"
                "written,active,2023-08-15,2024-06-30,150000.50,NOK,1200,85,"
                "key_individuals|facilitation,economic_uncertainty,Flere fullfører",
                # municipality control -> municipality-led, whatever was declared
                "Turvenner,,NO:4601,983163327,elderly,equal,municipality,implementation,"
                "municipality,,,,,,,,,,,,",
                # the voluntary actors control -> organisation-led
                "Beredskap,,NO:5001,974760673:supporter|983163327:lead,emergency,organisation_led,"
                "national_civic,problem_definition,organisation,dialogue,contract,completed,"
                "2020-01-01,2022-12-31,0,SEK,0,10,,,",
            ]
        )
        + "\n",
    )

    result = import_partnerships(path, created_by=user)

    assert (result.rows, result.created, result.dry_run) == (3, 3, False)
    assert Partnership.objects.count() == 3
    assert sorted(result.partnership_ids) == sorted(
        Partnership.objects.values_list("pk", flat=True)
    )

    homework = Partnership.objects.get(title="Leksehjelp")
    assert homework.description == "Hjelp med lekser"
    assert homework.created_by == user
    assert set(homework.municipalities.values_list("code", flat=True)) == {"0301", "4601"}
    assert {
        (link.organisation.org_number, link.role) for link in homework.organisation_links.all()
    } == {
        (ORG_A, "lead"),
        (ORG_B, "partner"),
    }
    assert sorted(homework.field_values) == ["children_youth", "education"]
    assert sorted(homework.form_values) == ["grant", "premises"]
    assert homework.derived_co_creation_type == "equal"
    assert homework.co_creation_type == "equal"
    assert (homework.initiator, homework.involvement_phase, homework.goals_control) == (
        "local_civic",
        "design",
        "shared",
    )
    assert (homework.agreement, homework.status) == ("written", "active")
    assert homework.start_date == datetime.date(2023, 8, 15)
    assert homework.end_date == datetime.date(2024, 6, 30)
    assert homework.municipal_contribution == Decimal("150000.50")
    assert (homework.currency, homework.volunteer_hours, homework.people_reached) == (
        "NOK",
        1200,
        85,
    )
    assert homework.promoting_factors == ["key_individuals", "facilitation"]
    assert homework.hindering_factors == ["economic_uncertainty"]
    assert homework.outcomes == "Flere fullfører"

    walks = Partnership.objects.get(title="Turvenner")
    assert walks.derived_co_creation_type == "municipality_led"
    assert walks.co_creation_type == "equal"
    # The model's defaults for empty optional values.
    assert (walks.agreement, walks.status, walks.currency) == ("none", "draft", "NOK")
    assert (walks.start_date, walks.municipal_contribution, walks.volunteer_hours) == (
        None,
        None,
        None,
    )
    assert walks.form_values == []
    assert walks.promoting_factors == []
    assert [
        (link.organisation.org_number, link.role) for link in walks.organisation_links.all()
    ] == [(ORG_C, "lead")]  # no lead given: the first organisation leads

    preparedness = Partnership.objects.get(title="Beredskap")
    assert preparedness.derived_co_creation_type == "organisation_led"
    assert preparedness.currency == "SEK"
    assert preparedness.municipal_contribution == Decimal("0")
    assert preparedness.volunteer_hours == 0
    assert preparedness.history.count() == 1

    assert PartnershipMunicipality.objects.count() == 4
    assert PartnershipOrganisation.objects.count() == 5


@pytest.mark.django_db
def test_the_documented_example_file_imports(places):
    for number in ("974760673", "971526920", "983163327", "916300484"):
        OrganisationFactory(country="NO", org_number=number)

    result = import_partnerships(EXAMPLE)

    assert result.created == 3
    header = EXAMPLE.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert tuple(header) == COLUMNS
    emergency = Partnership.objects.get(title="Beredskapsvenner")
    assert set(emergency.municipalities.values_list("name", flat=True)) == {"Trondheim", "Oslo"}
    assert emergency.derived_co_creation_type == "organisation_led"


@pytest.mark.django_db
def test_values_are_trimmed_and_slugs_are_not_case_sensitive(tmp_path, places, orgs):
    path = write(
        tmp_path,
        SHORT_HEADER.upper().replace(",", " , ")
        + "\n"
        + " Trimmed , no:0301 , 974 760 673 : LEAD ,Culture| SPORT,EQUAL,Municipality,Design,"
        "Shared,ACTIVE,2024-01-15,\n",
    )

    import_partnerships(path)

    partnership = Partnership.objects.get()
    assert partnership.title == "Trimmed"
    assert sorted(partnership.field_values) == ["culture", "sport"]
    assert (partnership.co_creation_type, partnership.status) == ("equal", "active")
    assert partnership.organisation_links.get().role == "lead"


# --- bad rows -------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_bad_row_among_good_ones_imports_nothing(tmp_path, places, orgs):
    path = short_file(
        tmp_path,
        good_row("First"),
        good_row("Second", start="2024-13-01"),
        good_row("Third"),
    )

    errors = import_errors(path)

    assert errors == [
        'line 3, column "start_date": “2024-13-01” is not a valid date (use YYYY-MM-DD).'
    ]
    assert Partnership.objects.count() == 0
    assert PartnershipMunicipality.objects.count() == 0


@pytest.mark.django_db
def test_every_bad_row_is_reported_with_line_and_column(tmp_path, places, orgs):
    path = short_file(
        tmp_path,
        good_row("Fine"),
        good_row("Unknown municipality", municipalities="NO:0301|NO:9999"),
        good_row("Unknown organisation", organisations="916300484"),
        good_row("Ends before it starts", start="2024-05-01", end="2024-04-01"),
        good_row("Active without start", start=""),
        good_row("Bad role", organisations=f"{ORG_A}:boss"),
        good_row("Bad check digit", organisations="974760674"),
        good_row("Bad reference", municipalities="0301"),
        good_row("Bad status", status="someday"),
        "Bad field,NO:0301,974760673,culture|knitting,equal,municipality,design,shared,,,",
        ",NO:0301,974760673,culture,,municipality,design,shared,,,",
    )

    with pytest.raises(ImportErrors) as caught:
        import_partnerships(path)

    errors = caught.value.errors
    located = [(error.line, error.column) for error in errors]
    assert located == [
        (3, "municipalities"),
        (4, "organisations"),
        (5, "end_date"),
        (6, "start_date"),
        (7, "organisations"),
        (8, "organisations"),
        (9, "municipalities"),
        (10, "status"),
        (11, "fields"),
        (12, "title"),
        (12, "co_creation_type"),
    ]
    messages = [str(error) for error in errors]
    assert messages[0] == 'line 3, column "municipalities": no municipality NO:9999.'
    assert messages[1] == (
        'line 4, column "organisations": no organisation NO-BRC-916300484 '
        "(organisations must exist before the import)."
    )
    assert messages[2] == 'line 5, column "end_date": The end date cannot be before the start date.'
    assert messages[3] == (
        'line 6, column "start_date": An established partnership needs a start date.'
    )
    assert "Unknown role: boss" in messages[4]
    assert "check digit does not match" in messages[5]
    assert "is not a municipality reference (use COUNTRY:CODE" in messages[6]
    assert "someday" in messages[7]
    assert "Unknown field: knitting" in messages[8]
    assert caught.value.total == 11
    assert caught.value.summary().splitlines()[0] == "11 errors; nothing was imported."
    assert Partnership.objects.count() == 0


@pytest.mark.django_db
def test_an_unparsable_value_is_not_also_reported_by_the_model(tmp_path, places, orgs):
    # status "active" needs a start date; the one given is unreadable, so the only error
    # is that it is unreadable, not that it is missing.
    path = short_file(tmp_path, good_row(start="15.01.2024"))

    assert import_errors(path) == [
        'line 2, column "start_date": “15.01.2024” is not a valid date (use YYYY-MM-DD).'
    ]


@pytest.mark.django_db
def test_numbers_are_checked(tmp_path, places, orgs):
    header = f"{SHORT_HEADER},municipal_contribution,volunteer_hours,people_reached"
    path = write(
        tmp_path,
        "\n".join(
            [
                header,
                good_row("A") + ",12 500,3,-1",
                good_row("B") + ",12.5.0,1.5,",
                good_row("C") + ",1.234,,",
                good_row("D") + ",-5,,",
            ]
        ),
    )

    with pytest.raises(ImportErrors) as caught:
        import_partnerships(path)

    located = [(error.line, error.column) for error in caught.value.errors]
    assert located == [
        (2, "people_reached"),
        (3, "municipal_contribution"),
        (3, "volunteer_hours"),
        (4, "municipal_contribution"),
        (5, "municipal_contribution"),
    ]
    messages = [error.message for error in caught.value.errors]
    assert "greater than or equal to 0" in messages[0]
    assert messages[1].startswith("“12.5.0” is not a number")
    assert messages[2] == "“1.5” is not a whole number."
    assert "2 decimal places" in messages[3]
    assert messages[4] == "Ensure this value is greater than or equal to 0."


@pytest.mark.django_db
def test_more_than_fifty_errors_are_counted_but_not_all_listed(tmp_path, places, orgs):
    path = short_file(tmp_path, *[good_row(f"Row {n}", start="soon") for n in range(60)])

    with pytest.raises(ImportErrors) as caught:
        import_partnerships(path)

    assert caught.value.total == 60
    summary = caught.value.summary().splitlines()
    assert summary[0] == "60 errors; nothing was imported."
    assert summary[1].startswith('line 2, column "start_date"')
    assert summary[50].startswith('line 51, column "start_date"')
    assert summary[51] == "… and 10 more errors."
    assert len(summary) == 52


@pytest.mark.django_db
def test_a_row_with_too_many_values_is_an_error(tmp_path, places, orgs):
    path = short_file(tmp_path, good_row() + ",extra")

    assert import_errors(path) == ["line 2: the row has 12 values but the header has 11 columns."]


@pytest.mark.django_db
def test_an_organisation_listed_twice_is_an_error(tmp_path, places, orgs):
    path = short_file(tmp_path, good_row(organisations=f"{ORG_A}:lead|NO-BRC-{ORG_A}"))

    assert import_errors(path) == [
        'line 2, column "organisations": organisation NO-BRC-974760673 is listed more than once.'
    ]


# --- the header -----------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_columns_are_named(tmp_path, places, orgs):
    path = write(tmp_path, f"{SHORT_HEADER},colour,budget\n{good_row()},red,1\n")

    errors = import_errors(path)

    assert len(errors) == 1
    assert errors[0].startswith(
        'line 1: unknown columns "colour", "budget". The columns are: title, description,'
    )
    assert Partnership.objects.count() == 0


@pytest.mark.django_db
def test_missing_required_columns_are_named_before_any_row_is_read(tmp_path, places, orgs):
    # The rows are garbage, but only the header is reported.
    path = write(tmp_path, "title,municipalities,fields,initiator\n,,,\nx,y,z,w,v,u\n")

    errors = import_errors(path)

    assert errors == [
        'line 1: missing required columns "organisations", "co_creation_type", '
        '"involvement_phase", "goals_control".'
    ]


@pytest.mark.django_db
def test_an_empty_file_is_an_error(tmp_path):
    assert import_errors(write(tmp_path, "")) == [
        "line 1: the file is empty: it needs a header row."
    ]


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_an_error(tmp_path, places, orgs):
    path = write(tmp_path, f"{SHORT_HEADER}\n{good_row('Tromsø')}\n", encoding="latin-1")

    assert import_errors(path) == ["line 2: the file is not UTF-8 text (save it as “CSV UTF-8”)."]


# --- Excel, org-ids, input kinds ------------------------------------------------------


@pytest.mark.django_db
def test_semicolons_bom_decimal_comma_and_a_multi_line_value(tmp_path, places, orgs):
    header = (
        "title;description;municipalities;organisations;fields;co_creation_type;initiator;"
        "involvement_phase;goals_control;status;start_date;municipal_contribution"
    )
    text = (
        f"{header}\r\n"
        'Første;"Over to linjer;\r\nmed semikolon";NO:0301;974760673;culture;equal;'
        "municipality;design;shared;active;2024-01-15;12 500,75\r\n"
        "\r\n"
        "Andre;;NO:4601;971526920:lead;sport;equal;municipality;design;shared;;;1000,5\r\n"
        ";;;;;;;;;;;\r\n"
        "Tredje;;NO:5001;983163327;sport;equal;municipality;design;shared;active;2024-99-01;\r\n"
    )
    path = write(tmp_path, text, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    # The multi-line value and the blank lines count: the bad row is on line 7.
    assert import_errors(path) == [
        'line 7, column "start_date": “2024-99-01” is not a valid date (use YYYY-MM-DD).'
    ]

    write(tmp_path, text.replace("2024-99-01", "2024-09-01"), encoding="utf-8-sig")
    result = import_partnerships(path)

    assert result.created == 3
    first = Partnership.objects.get(title="Første")
    assert first.description == "Over to linjer;\r\nmed semikolon"
    assert first.municipal_contribution == Decimal("12500.75")
    assert Partnership.objects.get(title="Andre").municipal_contribution == Decimal("1000.50")


@pytest.mark.django_db
def test_org_id_references_name_the_country(tmp_path, places, orgs):
    path = short_file(
        tmp_path,
        # A Swedish organisation in a Norwegian municipality's partnership.
        good_row("Nordic", organisations=f"NO-BRC-{ORG_A}:lead|se-blv-5560360793:supporter"),
        # A bare number takes the first municipality's country: Sweden here.
        good_row("Swedish", municipalities="SE:0180|NO:0301", organisations="556036-0793"),
    )

    import_partnerships(path)

    nordic = Partnership.objects.get(title="Nordic")
    assert {(link.organisation.name, link.role) for link in nordic.organisation_links.all()} == {
        ("Org A", "lead"),
        ("Svensk förening", "supporter"),
    }
    swedish = Partnership.objects.get(title="Swedish")
    assert [org.name for org in swedish.organisations.all()] == ["Svensk förening"]


@pytest.mark.django_db
def test_an_org_id_of_the_wrong_country_is_not_found(tmp_path, places, orgs):
    path = short_file(
        tmp_path,
        good_row(organisations=f"SE-BLV-{ORG_A}"),
        good_row(organisations="XX-ABC-123"),
    )

    errors = import_errors(path)

    assert len(errors) == 2
    assert errors[0].startswith(
        'line 2, column "organisations": “974760673” is not a valid Swedish organisation number'
    )
    assert errors[1].startswith(
        'line 3, column "organisations": “XX-ABC-123”: unknown org-id prefix “XX-ABC”'
    )


@pytest.mark.django_db
def test_a_binary_file_object_is_accepted(places, orgs):
    upload = io.BytesIO(f"\ufeff{SHORT_HEADER}\n{good_row('Uploaded')}\n".encode())

    result = import_partnerships(upload)

    assert result.created == 1
    assert Partnership.objects.get().title == "Uploaded"


@pytest.mark.django_db
def test_dry_run_validates_but_writes_nothing(tmp_path, places, orgs):
    path = short_file(tmp_path, good_row("One"), good_row("Two"))

    result = import_partnerships(path, dry_run=True)

    assert (result.rows, result.created, result.dry_run) == (2, 0, True)
    assert Partnership.objects.count() == 0
    assert PartnershipOrganisation.objects.count() == 0

    with pytest.raises(ImportErrors):
        import_partnerships(short_file(tmp_path, good_row(end="nope")), dry_run=True)


@pytest.mark.django_db
def test_progress_is_reported_every_n_rows_and_at_the_end(tmp_path, places, orgs):
    path = short_file(tmp_path, *[good_row(f"Row {n}") for n in range(5)])
    calls = []

    import_partnerships(
        path, progress=lambda *args: calls.append(args), progress_every=2, batch_size=2
    )

    assert calls == [
        ("validated", 2, 5),
        ("validated", 4, 5),
        ("validated", 5, 5),
        ("saved", 2, 5),
        ("saved", 4, 5),
        ("saved", 5, 5),
    ]
    assert Partnership.objects.count() == 5
    assert PartnershipOrganisation.objects.count() == 5


@pytest.mark.django_db
def test_a_database_error_while_writing_rolls_everything_back(tmp_path, places, orgs, monkeypatch):
    from django.db import IntegrityError

    import partnerships.importing

    def failing_bulk_add_links(*args, **kwargs):
        raise IntegrityError("boom")

    monkeypatch.setattr(partnerships.importing, "bulk_add_links", failing_bulk_add_links)
    path = short_file(tmp_path, good_row("One"), good_row("Two"))

    assert import_errors(path) == ["line 2: could not be saved: boom"]
    assert Partnership.objects.count() == 0


# --- the command ----------------------------------------------------------------------


def run(*args, **options):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_partnerships", *args, stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


@pytest.mark.django_db
def test_command_imports_and_prints_progress_to_stderr(tmp_path, places, orgs):
    UserFactory(username="alice")
    path = short_file(tmp_path, *[good_row(f"Row {n}") for n in range(3)])

    stdout, stderr = run(str(path), "--progress-every", "2", "--created-by", "alice")

    assert stdout == "Imported 3 partnerships.\n"
    assert stderr.splitlines() == [
        "validated 2 of 3 rows",
        "validated 3 of 3 rows",
        "saved 3 of 3 rows",
    ]
    assert set(Partnership.objects.values_list("created_by__username", flat=True)) == {"alice"}


@pytest.mark.django_db
def test_command_progress_uses_thousands_separators(tmp_path, places, orgs):
    path = short_file(tmp_path, *[good_row(f"Row {n}") for n in range(1001)])

    _stdout, stderr = run(str(path), "--dry-run")

    assert stderr.splitlines() == ["validated 1,000 of 1,001 rows", "validated 1,001 of 1,001 rows"]
    assert Partnership.objects.count() == 0


@pytest.mark.django_db
def test_command_is_quiet_at_verbosity_zero(tmp_path, places, orgs):
    path = short_file(tmp_path, good_row())

    _stdout, stderr = run(str(path), verbosity=0)

    assert stderr == ""
    assert Partnership.objects.count() == 1


@pytest.mark.django_db
def test_command_dry_run_writes_nothing(tmp_path, places, orgs):
    path = short_file(tmp_path, good_row("One"), good_row("Two"))

    stdout, _stderr = run(str(path), "--dry-run")

    assert stdout == "Dry run: 2 rows are valid; nothing was written.\n"
    assert Partnership.objects.count() == 0


@pytest.mark.django_db
def test_command_raises_command_error_listing_the_errors(tmp_path, places, orgs):
    path = short_file(
        tmp_path,
        good_row("Good"),
        good_row("Bad date", start="2024-13-01"),
        good_row("Bad place", municipalities="NO:9999"),
    )

    with pytest.raises(CommandError) as caught:
        run(str(path))

    assert str(caught.value).splitlines() == [
        "2 errors; nothing was imported.",
        'line 3, column "start_date": “2024-13-01” is not a valid date (use YYYY-MM-DD).',
        'line 4, column "municipalities": no municipality NO:9999.',
    ]
    assert Partnership.objects.count() == 0

    with pytest.raises(CommandError) as caught:
        run(str(path), "--max-errors", "1")
    assert str(caught.value).splitlines()[-1] == "… and 1 more error."


@pytest.mark.django_db
def test_command_reports_a_missing_file_and_an_unknown_user(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nothing\.csv"):
        run(str(tmp_path / "nothing.csv"))
    with pytest.raises(CommandError, match="No user “nobody”"):
        run(str(tmp_path / "nothing.csv"), "--created-by", "nobody")


def test_row_error_text_without_a_column():
    assert str(RowError(4, None, "too long.")) == "line 4: too long."
