"""Control characters are refused where text comes in: the API, the page forms and the CSV
import (registry.validators, on the model fields users write). Single-line fields refuse
every C0 and C1 control character, tab and line breaks included; multi-line fields allow tab,
newline and carriage return."""

import html as html_lib

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from municipalities.models import Municipality, VolunteerCentre
from organisations.models import Organisation
from partnerships.importing import ImportErrors, import_partnerships
from partnerships.models import Partnership, PartnershipEvent
from registry.validators import validate_multi_line_text, validate_single_line_text
from tests.api_cases import client_as
from tests.factories import MunicipalityFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

#: C0 controls (NUL, SOH, ESC, unit separator), DEL, and C1 controls (padding, NEL, CSI, APC).
REFUSED_EVERYWHERE = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x80",
                      "\x85", "\x9b", "\x9f"]  # fmt: skip
LAYOUT = ["\t", "\n", "\r"]


# --- the rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize("character", REFUSED_EVERYWHERE)
def test_a_control_character_is_refused_in_any_text(character):
    for validate in (validate_single_line_text, validate_multi_line_text):
        with pytest.raises(ValidationError) as caught:
            validate(f"Språkkafé{character} på biblioteket")
        message = caught.value.messages[0]
        assert f"U+{ord(character):04X}" in message
        assert "at character 10" in message
        assert caught.value.error_list[0].code == "control_character"


@pytest.mark.parametrize("character", LAYOUT)
def test_tab_and_line_breaks_only_in_multi_line_text(character):
    validate_multi_line_text(f"Første linje{character}andre linje")
    with pytest.raises(ValidationError, match="Must be on one line"):
        validate_single_line_text(f"Første linje{character}andre linje")


def test_ordinary_text_passes():
    text = "Tøyen leksehjelp – «Åpen dør» for alle, 100 % frivillig! 🙂 ‎ä"
    validate_single_line_text(text)
    validate_multi_line_text(text + "\n\tmed innrykk\r\n")


#: The text fields people write, and whether they are multi-line.
USER_WRITTEN_FIELDS = [
    (Partnership, "title", False),
    (Partnership, "description", True),
    (Partnership, "outcomes", True),
    (PartnershipEvent, "comment", True),
    (Organisation, "name", False),
    (Organisation, "org_number", False),
    (Organisation, "description", True),
    (Organisation, "website", False),
    (Organisation, "phone", False),
    (Organisation, "contact_person", False),
    (Organisation, "address", False),
    (Municipality, "volunteer_policy_url", False),
    (VolunteerCentre, "name", False),
    (VolunteerCentre, "website", False),
    (User, "first_name", False),
    (User, "last_name", False),
]


@pytest.mark.parametrize(("model", "name", "multiline"), USER_WRITTEN_FIELDS)
def test_the_user_written_fields_carry_the_rule(model, name, multiline):
    expected = validate_multi_line_text if multiline else validate_single_line_text
    assert expected in model._meta.get_field(name).validators


# --- the API -----------------------------------------------------------------------------------

PARTNERSHIPS = "/api/v1/partnerships/"


def partnership_payload(roles, **overrides) -> dict:
    data = {
        "title": "Språkkafé på biblioteket",
        "municipalities": [roles.municipality.pk],
        "organisations": [roles.organisation.pk],
        "fields": ["inclusion"],
        "co_creation_type": "equal",
        "initiator": "local_civic",
        "involvement_phase": "problem_definition",
        "goals_control": "shared",
        "status": "active",
        "start_date": "2026-09-01",
    }
    data.update(overrides)
    return data


def test_api_refuses_a_title_with_a_control_character(api_client, roles):
    client = client_as(api_client, roles.coordinator)
    before = Partnership.objects.count()
    response = client.post(
        PARTNERSHIPS, partnership_payload(roles, title="Språkkafé\x01"), format="json"
    )
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert list(errors) == ["title"]
    assert "U+0001" in errors["title"][0]
    assert Partnership.objects.count() == before


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("title", "Språkkafé\tpå biblioteket", "U+0009"),
        ("title", "Språkkafé\x9b på biblioteket", "U+009B"),
        ("description", "Samtalegrupper\x1b[31m", "U+001B"),
        ("outcomes", "Mange\x7f deltakere", "U+007F"),
    ],
)
def test_api_names_each_field_with_a_control_character(api_client, roles, name, value, code):
    client = client_as(api_client, roles.coordinator)
    response = client.post(PARTNERSHIPS, partnership_payload(roles, **{name: value}))
    assert response.status_code == 400
    assert code in response.json()["errors"][name][0]


def test_api_keeps_line_breaks_and_tabs_in_a_description(api_client, roles):
    client = client_as(api_client, roles.coordinator)
    description = "Første linje.\nAndre linje.\r\n\tMed innrykk."
    response = client.post(
        PARTNERSHIPS,
        partnership_payload(roles, description=description, outcomes="Ett\ntil"),
    )
    assert response.status_code == 201, response.json()
    created = Partnership.objects.get(pk=response.json()["id"])
    assert created.description == description
    assert created.outcomes == "Ett\ntil"


def test_api_refuses_a_control_character_in_an_update(api_client, roles):
    partnership = roles.partnership_in("active", title="Leksehjelp")
    client = client_as(api_client, roles.coordinator)
    response = client.patch(f"{PARTNERSHIPS}{partnership.pk}/", {"title": "Lekse\x02hjelp"})
    assert response.status_code == 400
    assert "U+0002" in response.json()["errors"]["title"][0]
    partnership.refresh_from_db()
    assert partnership.title == "Leksehjelp"


def test_api_refuses_an_organisation_update_with_a_control_character(api_client, roles):
    organisation = roles.organisation
    client = client_as(api_client, roles.representative)
    response = client.patch(
        f"/api/v1/organisations/{organisation.pk}/",
        {"name": "Oslo\x1b Røde Kors", "contact_person": "Kari\x03 Nordmann"},
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "U+001B" in errors["name"][0]
    assert "U+0003" in errors["contact_person"][0]
    organisation.refresh_from_db()
    assert organisation.name == "Oslo Røde Kors"


def test_api_refuses_a_workflow_comment_with_a_control_character(api_client, roles):
    proposal = roles.partnership_in("under_review")
    client = client_as(api_client, roles.coordinator)
    response = client.post(
        f"{PARTNERSHIPS}{proposal.pk}/decline/", {"comment": "Ikke\x07 nå"}, format="json"
    )
    assert response.status_code == 400
    assert "U+0007" in response.json()["errors"]["comment"][0]
    proposal.refresh_from_db()
    assert proposal.status == "under_review"
    assert not proposal.events.filter(action="decline").exists()


def test_api_keeps_line_breaks_in_a_workflow_comment(api_client, roles):
    proposal = roles.partnership_in("under_review")
    client = client_as(api_client, roles.coordinator)
    response = client.post(
        f"{PARTNERSHIPS}{proposal.pk}/decline/", {"comment": "Ikke nå.\nKanskje neste år."}
    )
    assert response.status_code == 200, response.json()
    assert proposal.events.get(action="decline").comment == "Ikke nå.\nKanskje neste år."


# --- the pages ---------------------------------------------------------------------------------


def form_data(roles, **overrides) -> dict:
    data = {
        "title": "Språkkafé på biblioteket",
        "description": "Samtalegrupper for nye innbyggere.",
        "municipalities": [roles.municipality.pk],
        "organisations": [roles.organisation.pk],
        "fields_of_work": ["inclusion"],
        "collaboration_forms": ["premises"],
        "agreement": "written",
        "initiator": "local_civic",
        "involvement_phase": "problem_definition",
        "goals_control": "shared",
        "co_creation_type": "equal",
        "status": "active",
        "start_date": "2025-02-01",
        "currency": "NOK",
    }
    data.update(overrides)
    return data


def test_page_form_shows_the_error_beside_the_title(client, roles):
    client.force_login(roles.coordinator)
    before = Partnership.objects.count()
    response = client.post("/partnerships/new/", form_data(roles, title="Språkkafé\x01"))
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    error = html.split('id="id_title_error">', 1)[1].split("</p>", 1)[0]
    assert "control character (U+0001)" in error
    assert Partnership.objects.count() == before


def test_edit_page_shows_the_error_beside_the_description(client, roles):
    partnership = roles.partnership_in("active", title="Leksehjelp", description="Før.")
    client.force_login(roles.coordinator)
    response = client.post(
        f"/partnerships/{partnership.pk}/edit/",
        form_data(roles, title="Leksehjelp", description="Etter\x1b."),
    )
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    error = html.split('id="id_description_error">', 1)[1].split("</p>", 1)[0]
    assert "U+001B" in error
    partnership.refresh_from_db()
    assert partnership.description == "Før."


def test_page_decline_shows_the_error_beside_the_comment(client, roles):
    proposal = roles.partnership_in("under_review")
    client.force_login(roles.coordinator)
    response = client.post(f"/partnerships/{proposal.pk}/decline/", {"comment": "Nei\x1b"})
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert "U+001B" in html.split('id="decline-comment_error">', 1)[1].split("</p>", 1)[0]
    proposal.refresh_from_db()
    assert proposal.status == "under_review"


def test_sign_up_refuses_a_name_with_a_control_character(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "kari",
            "email": "kari@example.org",
            "first_name": "Kari\x08",
            "last_name": "Nordmann",
            "password1": "et langt passord 2026",
            "password2": "et langt passord 2026",
        },
    )
    assert response.status_code == 200
    html = html_lib.unescape(response.content.decode())
    assert "U+0008" in html.split('id="id_first_name_error">', 1)[1].split("</p>", 1)[0]
    assert not User.objects.filter(username="kari").exists()


# --- the import --------------------------------------------------------------------------------

HEADER = (
    "title,description,municipalities,organisations,fields,co_creation_type,initiator,"
    "involvement_phase,goals_control,status,start_date"
)
ORG_NUMBER = "974760673"


@pytest.fixture
def import_places(db):
    MunicipalityFactory(country="NO", code="0301", name="Oslo")
    OrganisationFactory(country="NO", org_number=ORG_NUMBER, name="Org A")


def _row(title: str, description: str = "") -> str:
    return (
        f'"{title}","{description}",NO:0301,{ORG_NUMBER}:lead,culture,equal,municipality,'
        "design,shared,active,2024-01-15"
    )


def test_import_refuses_a_row_with_a_control_character_and_writes_nothing(import_places):
    text = "\n".join([HEADER, _row("Godt samarbeid"), _row("Dårlig\x01 samarbeid")]) + "\n"
    with pytest.raises(ImportErrors) as caught:
        import_partnerships(text.encode())
    errors = [str(error) for error in caught.value.errors]
    assert len(errors) == 1
    assert errors[0].startswith('line 3, column "title": ')
    assert "U+0001" in errors[0]
    assert not Partnership.objects.exists()


def test_import_keeps_line_breaks_in_a_description(import_places):
    text = "\n".join([HEADER, _row("Samarbeid", "Første linje.\nAndre linje.")]) + "\n"
    result = import_partnerships(text.encode())
    assert result.created == 1
    assert Partnership.objects.get().description == "Første linje.\nAndre linje."


def test_import_refuses_a_line_break_in_a_title(import_places):
    text = "\n".join([HEADER, _row("To\nlinjer")]) + "\n"
    with pytest.raises(ImportErrors) as caught:
        import_partnerships(text.encode())
    [error] = caught.value.errors
    assert (error.line, error.column) == (2, "title")
    assert "Must be on one line" in error.message
    assert not Partnership.objects.exists()
