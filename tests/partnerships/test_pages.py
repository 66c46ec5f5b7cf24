"""The partnership pages: who sees what, the forms' writes through the services, the
workflow buttons, the htmx fragments and the list's cost."""

import csv
import datetime
import io
import re
from itertools import product

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.choices import GoalsControl, InvolvementPhase, Status
from partnerships.models import Partnership, PartnershipEvent
from partnerships.rules import derive_co_creation_type
from partnerships.workflow import partnership_transition
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    coordinator_of,
)
from tests.roles import ROLE_NAMES

LIST = "/partnerships/"


class World:
    """The shared roles (``tests.roles``) with four partnerships of Oslo and Oslo Røde Kors
    and a proposal to Bergen."""

    def __init__(self, roles):
        self.oslo = roles.municipality
        self.bergen = roles.other_municipality
        self.red_cross = roles.organisation
        self.choir = roles.other_organisation
        self.users = {name: roles.user(name) for name in ROLE_NAMES}
        self.users["anonymous"] = None
        self.users["nobody"] = roles.plain
        for name, first, last in [
            ("representative", "Ola", "Hansen"),
            ("coordinator", "Kari", "Nordmann"),
        ]:
            self.users[name].first_name, self.users[name].last_name = first, last
            self.users[name].save(update_fields=["first_name", "last_name"])
        links = {
            "links__municipalities": [self.oslo],
            "links__organisations": {self.red_cross: "lead"},
        }
        self.active = PartnershipFactory(
            title="Leksehjelp på biblioteket",
            status="active",
            created_by=self.users["coordinator"],
            **links,
        )
        self.proposal = PartnershipFactory(
            title="Sommerskole", status="under_review", start_date=None, **links
        )
        self.draft = PartnershipFactory(title="Mattekafé", status="draft", start_date=None, **links)
        self.declined = PartnershipFactory(title="Korpsløft", status="declined", **links)
        self.elsewhere = PartnershipFactory(
            title="Bergen forslag",
            status="under_review",
            start_date=None,
            links__municipalities=[self.bergen],
            links__organisations={self.choir: "lead"},
        )


@pytest.fixture
def world(roles):
    return World(roles)


def login(client, world, role):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode()


# --- the list --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_proposals", "sees_drafts"),
    [
        ("anonymous", False, False),
        ("representative", True, True),
        ("other_representative", False, False),
        ("coordinator", True, False),  # a draft is the organisation's until it is sent
        ("analyst", True, False),
        ("admin", True, True),
    ],
)
def test_list_shows_what_the_role_may_see(world, client, role, sees_proposals, sees_drafts):
    response = login(client, world, role).get(LIST)
    assert response.status_code == 200
    html = page(response)
    assert "Leksehjelp på biblioteket" in html
    assert ("Sommerskole" in html) is sees_proposals
    assert ("Mattekafé" in html) is sees_drafts
    assert html.count("<h1") == 1


def test_list_filters_with_checkboxes_and_links_to_details(world, client):
    response = login(client, world, "coordinator").get(LIST, {"status": "under_review"})
    html = page(response)
    assert 'type="checkbox" name="status" value="under_review"' in html
    assert "Sommerskole" in html and "Leksehjelp på biblioteket" not in html
    assert f'href="/partnerships/{world.proposal.pk}/"' in html
    assert '<span class="badge status-under_review">Under review</span>' in html
    # The coordinator is offered to log a partnership and their inbox.
    assert 'href="/partnerships/new/"' in html and 'href="/partnerships/inbox/"' in html


def test_list_htmx_request_returns_only_the_results(world, client):
    response = client.get(
        LIST, {"q": "Leksehjelp"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = page(response)
    assert response.status_code == 200
    assert html.lstrip().startswith("<section") or 'id="results"' in html.split(">", 1)[0]
    assert "<html" not in html and "<h1" not in html
    assert "Leksehjelp på biblioteket" in html
    assert "HX-Request" in response["Vary"]


def test_list_export_has_plain_values(world, client):
    response = client.get(LIST, {"_export": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    body = [r for r in rows if r["Title"] == "Leksehjelp på biblioteket"]
    assert len(body) == 1
    row = body[0]
    assert row["Municipalities"] == "Oslo" and row["Organisations"] == "Oslo Røde Kors"
    assert row["Fields"] == "Culture" and row["Status"] == "Active"
    assert row["Declared co-creation type"] == "Equal co-creation"
    assert "<" not in text
    # Only what the anonymous visitor may see.
    assert all(r["Title"] != "Sommerskole" for r in rows)
    response = client.get(LIST, {"_export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["anonymous", "coordinator"])
def test_list_costs_the_same_for_3_and_30_rows(db, client, role, django_assert_max_num_queries):
    municipality = MunicipalityFactory()
    if role == "coordinator":
        client.force_login(coordinator_of(municipality))
    PartnershipFactory.create_batch(3)
    few = _list_queries(client)
    PartnershipFactory.create_batch(27)
    PartnershipFactory(links__municipalities=[municipality, MunicipalityFactory()])
    many = _list_queries(client)
    assert few == many
    # Session, user, roles, one page of rows and a count of at most 10,001 of them, three
    # link prefetches, the filter form's counties (no municipality nor organisation), two
    # savepoints, and the header's counts (unread notifications; for a coordinator
    # proposals and links waiting).
    with django_assert_max_num_queries(14):
        client.get(LIST)


def test_list_page_reads_only_what_its_rows_show(world, client):
    """The parties' names, not their whole rows; not the forms, which the table does not
    show. The downloads read every link (test_list_export_has_plain_values)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "partnerships_partnershipform" not in sql
    assert "volunteer_policy" not in sql
    assert "contact_person" not in sql
    assert "partnerships_partnershipfield" in sql  # the fields column


@pytest.mark.parametrize("language", ["nb", "en"])
def test_list_rows_in_one_pass_render_as_django_tables2_does(world, client, monkeypatch, language):
    """``PartnershipTable.rows_html`` renders the page's rows without django-tables2's
    per-cell machinery; the page must not change by a byte."""
    from partnerships.tables import PartnershipTable

    world.active.title = 'Kor & <korps> "på tvers"'
    world.active.save(update_fields=["title"])
    PartnershipFactory(
        title="Uten dato",
        status="under_review",
        start_date=None,
        links__municipalities=[world.oslo, world.bergen],
        links__organisations={world.red_cross: "lead", world.choir: "partner"},
    )
    client.force_login(world.users["analyst"])
    for query in ("", "?sort=-start_date", "?sort=title&page=1"):
        url = f"{LIST}{query}"
        headers = {"Accept-Language": language}
        fast = page(client.get(url, headers=headers))
        assert "Uten dato" in fast and "&lt;korps&gt;" in fast
        with monkeypatch.context() as patched:
            patched.setattr(PartnershipTable, "rows_html", lambda table: None)
            slow = page(client.get(url, headers=headers))
        # The whole table (the page around it holds a CSRF token masked anew each time).
        assert _table(fast) == _table(slow)


def _table(html: str) -> str:
    return html[html.index("<table") : html.index("</table>")]


# --- the profile -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "draft_visible"),
    [
        ("anonymous", False),
        ("representative", True),
        ("other_representative", False),
        ("coordinator", False),
        ("other_coordinator", False),
        ("analyst", False),
        ("admin", True),
    ],
)
def test_detail_is_404_when_not_visible(world, client, role, draft_visible):
    client = login(client, world, role)
    assert client.get(f"/partnerships/{world.active.pk}/").status_code == 200
    assert client.get(f"/partnerships/{world.draft.pk}/").status_code == (
        200 if draft_visible else 404
    )


def test_detail_says_everything_in_plain_words(world, client):
    world.active.municipal_contribution = 150000
    world.active.volunteer_hours = 1200
    world.active.promoting_factors = ["key_individuals"]
    world.active.outcomes = "Flere barn fullfører skolen."
    world.active.goals_control = GoalsControl.SHARED
    world.active.involvement_phase = InvolvementPhase.IMPLEMENTATION
    world.active.save()
    html = page(client.get(f"/partnerships/{world.active.pk}/"))
    assert "The voluntary actors were first involved at implementation" in html
    assert "Goals and content are decided by the municipality and the voluntary actors" in html
    assert "The initiative was taken by the municipality." in html
    assert "Declared co-creation type" in html and "Derived co-creation type" in html
    assert "Municipality-led" in html  # derived from shared control but late involvement
    assert "first involved only at implementation" in html
    assert "150,000 NOK" in html
    assert "1,200" in html
    assert "Key individuals" in html and "Flere barn fullfører skolen." in html
    assert "(lead partner)" in html
    # No personal data, no buttons, no edit or history links for a visitor.
    assert "Kari Nordmann" not in html
    assert "/edit/" not in html and "/history/" not in html
    assert 'method="post" action="/partnerships/' not in html


def test_detail_shows_the_partners_their_buttons_and_people(world, client):
    partnership_transition(
        partnership=world.proposal,
        user=world.users["admin"],
        action="request_changes",
        comment="Legg til budsjett.",
    )
    html = page(login(client, world, "coordinator").get(f"/partnerships/{world.active.pk}/"))
    assert "Registered by Kari Nordmann" in html
    assert f'href="/partnerships/{world.active.pk}/edit/"' in html
    assert f'href="/partnerships/{world.active.pk}/history/"' in html
    assert f'action="/partnerships/{world.active.pk}/complete/"' in html
    assert f'action="/partnerships/{world.active.pk}/discontinue/"' in html
    assert '<label for="discontinue-comment">' in html

    client.force_login(world.users["representative"])
    html = page(client.get(f"/partnerships/{world.proposal.pk}/"))
    assert "The municipality asked for changes:" in html and "Legg til budsjett." in html
    assert f'action="/partnerships/{world.proposal.pk}/submit/"' in html
    assert f'action="/partnerships/{world.proposal.pk}/accept/"' not in html
    assert "/history/" not in html  # representatives do not read the audit history


def test_detail_names_the_person_only_to_the_partners(world, client):
    partnership_transition(
        partnership=world.proposal, user=world.users["coordinator"], action="accept"
    )
    # Others see no workflow box at all (issue 11), so neither the steps nor who took them.
    html = page(client.get(f"/partnerships/{world.proposal.pk}/"))
    assert 'id="workflow"' not in html
    assert "Kari Nordmann" not in html
    html = page(login(client, world, "representative").get(f"/partnerships/{world.proposal.pk}/"))
    assert "Kari Nordmann" in html


def test_analyst_reads_but_gets_no_buttons(world, client):
    html = page(login(client, world, "analyst").get(f"/partnerships/{world.proposal.pk}/"))
    assert "Sommerskole" in html
    assert "/accept/" not in html and "/edit/" not in html and "/history/" not in html


# --- workflow actions ------------------------------------------------------------------------


def test_transition_is_post_only(world, client):
    login(client, world, "coordinator")
    assert client.get(f"/partnerships/{world.proposal.pk}/accept/").status_code == 405
    assert client.post(f"/partnerships/{world.proposal.pk}/explode/").status_code == 404


def test_accept_writes_through_the_workflow_and_redirects(world, client):
    login(client, world, "coordinator")
    response = client.post(
        f"/partnerships/{world.proposal.pk}/accept/", {"start_date": "2025-08-15"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/partnerships/{world.proposal.pk}/"
    assert "The proposal was accepted" in page(response)
    world.proposal.refresh_from_db()
    assert world.proposal.status == Status.ACTIVE
    assert world.proposal.start_date == datetime.date(2025, 8, 15)
    event = PartnershipEvent.objects.get(partnership=world.proposal)
    assert (event.action, event.actor) == ("accept", world.users["coordinator"])


def test_decline_without_a_reason_shows_the_error_beside_the_comment(world, client):
    login(client, world, "coordinator")
    response = client.post(f"/partnerships/{world.proposal.pk}/decline/", {"comment": "  "})
    assert response.status_code == 200
    html = page(response)
    assert '<p class="error" id="decline-comment_error">Please give a reason.</p>' in html
    assert 'autofocus aria-invalid="true"' in html  # the page is redrawn: go to the box
    assert 'aria-describedby="decline-comment_helptext decline-comment_error"' in html or (
        "decline-comment_error" in html
    )
    world.proposal.refresh_from_db()
    assert world.proposal.status == Status.UNDER_REVIEW
    assert not PartnershipEvent.objects.exists()


def test_decline_with_a_reason_and_back_to_the_inbox(world, client):
    login(client, world, "coordinator")
    response = client.post(
        f"/partnerships/{world.proposal.pk}/decline/",
        {"comment": "Ikke budsjett i år.", "next": "/partnerships/inbox/"},
    )
    assert response.status_code == 302 and response["Location"] == "/partnerships/inbox/"
    world.proposal.refresh_from_db()
    assert world.proposal.status == Status.DECLINED
    assert PartnershipEvent.objects.get().comment == "Ikke budsjett i år."


def test_transition_ignores_a_next_to_another_site(world, client):
    login(client, world, "coordinator")
    response = client.post(
        f"/partnerships/{world.proposal.pk}/accept/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/partnerships/{world.proposal.pk}/"


def test_transition_not_allowed_from_the_status_redirects_with_a_message(world, client):
    login(client, world, "coordinator")
    response = client.post(f"/partnerships/{world.active.pk}/accept/", follow=True)
    assert response.redirect_chain[-1][0] == f"/partnerships/{world.active.pk}/"
    assert "is not possible while the partnership is active" in page(response)
    world.active.refresh_from_db()
    assert world.active.status == Status.ACTIVE


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 404), ("representative", 403), ("other_coordinator", 404), ("analyst", 403)],
)
def test_transition_refused(world, client, role, expected):
    response = login(client, world, role).post(f"/partnerships/{world.proposal.pk}/accept/")
    assert response.status_code == expected
    world.proposal.refresh_from_db()
    assert world.proposal.status == Status.UNDER_REVIEW


def test_representative_submits_a_draft(world, client):
    login(client, world, "representative")
    response = client.post(f"/partnerships/{world.draft.pk}/submit/")
    assert response.status_code == 302
    world.draft.refresh_from_db()
    assert world.draft.status == Status.UNDER_REVIEW


# --- history ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("coordinator", 200),
        ("admin", 200),
        ("representative", 403),
        ("other_coordinator", 403),
        ("analyst", 403),
        ("nobody", 403),
    ],
)
def test_history_only_for_coordinators_and_admins(world, client, role, expected):
    response = login(client, world, role).get(f"/partnerships/{world.active.pk}/history/")
    assert response.status_code == expected


def test_history_is_a_table_of_changes_in_words(world, client):
    world.active.status = Status.COMPLETED
    world.active.end_date = datetime.date(2025, 1, 1)
    world.active._history_user = world.users["coordinator"]
    world.active.save()
    html = page(
        login(client, world, "coordinator").get(f"/partnerships/{world.active.pk}/history/")
    )
    assert "<caption" in html and '<th scope="col">' in html
    assert "Status:</strong> Active → Completed" in html
    assert world.users["coordinator"].username in html


def test_history_asks_a_visitor_to_sign_in(world, client):
    response = client.get(f"/partnerships/{world.active.pk}/history/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert client.get(f"/partnerships/{world.draft.pk}/history/").status_code == 302


# --- inbox and own partnerships --------------------------------------------------------------


def test_inbox_lists_the_municipality_s_proposals(world, client):
    response = login(client, world, "coordinator").get("/partnerships/inbox/")
    assert response.status_code == 200
    html = page(response)
    answer, _rework = html.split('id="rework-heading"')
    assert "Sommerskole" in answer and "Bergen forslag" not in html
    assert f'action="/partnerships/{world.proposal.pk}/accept/"' in answer
    assert f'formaction="/partnerships/{world.proposal.pk}/decline/"' in answer
    assert f'<label for="p{world.proposal.pk}-comment">' in answer
    assert 'name="next" value="/partnerships/inbox/"' in answer
    # The organisation's unsent draft is not the municipality's to see.
    assert "Mattekafé" not in html


def test_inbox_shows_changes_asked_for_and_admin_sees_all(world, client):
    partnership_transition(
        partnership=world.proposal,
        user=world.users["coordinator"],
        action="request_changes",
        comment="Mer om målgruppen.",
    )
    html = page(login(client, world, "coordinator").get("/partnerships/inbox/"))
    rework = html.split('id="rework-heading"')[1]
    assert "Sommerskole" in rework and "Mer om målgruppen." in rework
    html = page(login(client, world, "admin").get("/partnerships/inbox/"))
    assert "Bergen forslag" in html


@pytest.mark.parametrize("role", ["representative", "analyst", "nobody"])
def test_inbox_explains_who_it_is_for(world, client, role):
    response = login(client, world, role).get("/partnerships/inbox/")
    assert response.status_code == 403
    assert "The inbox is for municipal coordinators" in page(response)


def test_pages_ask_a_visitor_to_sign_in(world, client):
    for url in ("/partnerships/inbox/", "/partnerships/mine/", "/partnerships/new/"):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    assert client.get(f"/partnerships/{world.active.pk}/edit/").status_code == 302


def test_my_partnerships_grouped_with_next_steps(world, client):
    partnership_transition(
        partnership=world.proposal,
        user=world.users["coordinator"],
        action="request_changes",
        comment="Legg ved en plan.",
    )
    response = login(client, world, "representative").get("/partnerships/mine/")
    assert response.status_code == 200
    html = page(response)
    for label in ("Draft", "Changes requested", "Declined", "Active"):
        assert f">{label} <span" in html
    assert "The municipality asked for changes — edit and send again." in html
    assert "Legg ved en plan." in html and "Edit and send again" in html
    assert "A draft, not sent yet: only your organisation sees it." in html
    assert f'action="/partnerships/{world.draft.pk}/submit/"' in html
    assert "Record outcomes" in html
    assert "Bergen forslag" not in html
    # The request for changes comes before the untouched draft.
    assert html.index("Sommerskole") < html.index("Mattekafé")


@pytest.mark.parametrize(("role", "link"), [("coordinator", "/partnerships/inbox/"),
                                            ("nobody", "Register your organisation")])  # fmt: skip
def test_my_partnerships_explains_who_it_is_for(world, client, role, link):
    response = login(client, world, role).get("/partnerships/mine/")
    assert response.status_code == 403
    assert "This page is for organisations" in page(response) and link in page(response)


# --- logging and proposing -------------------------------------------------------------------


def form_data(world, **overrides) -> dict:
    data = {
        "title": "Språkkafé på biblioteket",
        "description": "Samtalegrupper for nye innbyggere.",
        "municipalities": [world.oslo.pk],
        "organisations": [world.red_cross.pk],
        "fields_of_work": ["inclusion", "culture"],
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
    return {key: value for key, value in data.items() if value is not None}


@pytest.mark.parametrize("role", ["analyst", "nobody"])
def test_create_explains_why_not(world, client, role):
    response = login(client, world, role).get("/partnerships/new/")
    assert response.status_code == 403
    html = page(response)
    assert "You cannot log partnerships" in html
    if role == "analyst":
        assert "As an analyst" in html
    else:
        assert "Register your organisation" in html
    assert client.post("/partnerships/new/", form_data(world)).status_code == 403
    assert Partnership.objects.count() == 5


def test_coordinator_form_preselects_the_municipality_and_asks_plainly(world, client):
    html = page(login(client, world, "coordinator").get("/partnerships/new/"))
    assert '<optgroup label="Your municipality">' in html
    assert f'<option value="{world.oslo.pk}" selected>Oslo</option>' in html
    assert 'name="status"' in html and 'name="start_date"' in html
    assert "Who took the initiative?" in html
    assert "When were the voluntary actors first involved?" in html
    assert "Before anything was decided" in html
    assert "Who decides the goals and content?" in html
    assert "What do you call the collaboration?" in html
    assert 'aria-live="polite"' in html and 'hx-get="/partnerships/derived-type/"' in html


def test_coordinator_logs_a_partnership(world, client):
    login(client, world, "coordinator")
    response = client.post("/partnerships/new/", form_data(world), follow=True)
    created = Partnership.objects.get(title="Språkkafé på biblioteket")
    assert response.redirect_chain[-1][0] == f"/partnerships/{created.pk}/"
    assert "The partnership is logged." in page(response)
    assert created.status == Status.ACTIVE
    assert created.created_by == world.users["coordinator"]
    assert created.derived_co_creation_type == "equal"
    assert sorted(created.field_values) == ["culture", "inclusion"]
    assert created.form_values == ["premises"]
    assert [(link.organisation, link.role) for link in created.organisation_links.all()] == [
        (world.red_cross, "lead")
    ]


def test_invalid_form_keeps_what_was_typed_and_writes_nothing(world, client):
    login(client, world, "coordinator")
    response = client.post(
        "/partnerships/new/", form_data(world, title="", fields_of_work=None, start_date=None)
    )
    assert response.status_code == 200
    html = page(response)
    assert '<p class="error" id="id_title_error">' in html
    assert '<p class="error" id="id_fields_of_work_error">' in html
    assert "Samtalegrupper for nye innbyggere." in html
    assert 'value="problem_definition" required id="id_involvement_phase_0" checked' in html
    assert Partnership.objects.count() == 5


def test_service_errors_come_back_beside_their_fields(world, client):
    login(client, world, "coordinator")
    response = client.post("/partnerships/new/", form_data(world, start_date=None))
    assert response.status_code == 200
    html = page(response)
    assert '<p class="error" id="id_start_date_error">' in html
    assert "An established partnership needs a start date." in html
    response = client.post("/partnerships/new/", form_data(world, end_date="2024-01-01"))
    assert "The end date cannot be before the start date." in page(response)
    assert Partnership.objects.count() == 5


def test_coordinator_may_not_log_for_another_municipality(world, client):
    login(client, world, "coordinator")
    response = client.post(
        "/partnerships/new/",
        form_data(world, municipalities=[world.bergen.pk], organisations=[world.choir.pk]),
    )
    assert response.status_code == 403
    html = page(response)
    assert "only for your own municipality or organisation" in html
    assert "Språkkafé på biblioteket" in html  # what was typed is still there
    assert Partnership.objects.count() == 5


def test_representative_form_is_a_proposal_for_their_organisation(world, client):
    html = page(login(client, world, "representative").get("/partnerships/new/"))
    assert "Propose a partnership" in html
    assert 'name="status"' not in html and 'name="start_date"' not in html
    assert (
        f'type="checkbox" name="organisations" value="{world.red_cross.pk}" '
        f'id="id_organisations_0" checked' in html
    )
    assert "Bergen kor" not in html
    assert f'<option value="{world.oslo.pk}" selected>Oslo</option>' in html
    assert 'value="draft"' in html and "Submit to the municipality" in html


def _first_submit_button(html: str) -> str:
    """The submit button a browser uses when Enter is pressed in a text field: the first."""
    form = html[html.index('<form method="post" class="partnership-form"') :]
    start = form.index('<button type="submit"')
    return form[start : form.index("</button>", start)]


def test_the_propose_form_s_primary_action_is_sending(world, client):
    html = page(login(client, world, "representative").get("/partnerships/new/"))
    first = _first_submit_button(html)
    assert 'name="then" value="submit"' in first and "Submit to the municipality" in first
    assert html.index("Save as draft") > html.index("Submit to the municipality")
    # A form sent with Enter (the first button's value, or none at all) is sent, not drafted.
    for then in ("submit", None):
        data = form_data(world, title=f"Enter {then}")
        data.pop("then", None)
        if then:
            data["then"] = then
        assert client.post("/partnerships/new/", data).status_code == 302
        assert Partnership.objects.get(title=f"Enter {then}").status == Status.UNDER_REVIEW


@pytest.mark.parametrize(("then", "status"), [("draft", "draft"), ("submit", "under_review")])
def test_representative_saves_a_draft_or_sends_it(world, client, then, status):
    login(client, world, "representative")
    response = client.post(
        "/partnerships/new/", form_data(world, status="active", start_date=None, then=then)
    )
    created = Partnership.objects.get(title="Språkkafé på biblioteket")
    assert response.status_code == 302
    assert created.status == status  # the typed "active" is not the representative's to set
    assert created.start_date is None
    events = list(created.events.values_list("action", flat=True))
    assert events == (["submit"] if then == "submit" else [])


OUTCOME_FIELDS = (
    "municipal_contribution",
    "currency",
    "volunteer_hours",
    "people_reached",
    "promoting_factors",
    "hindering_factors",
    "outcomes",
)


def test_a_proposal_asks_nothing_that_is_known_only_once_it_runs(world, client):
    """No resources or outcomes before the collaboration has started: typed anyway (an old
    form, a hand-made request), they are not saved, and the proposal has the defaults."""
    login(client, world, "representative")
    response = client.get("/partnerships/new/")
    html = page(response)
    assert not set(OUTCOME_FIELDS) & set(response.context["form"].fields)
    assert "Resources and outcomes" not in html and 'id="outcomes-heading"' not in html
    for name in OUTCOME_FIELDS:
        assert f'name="{name}"' not in html, name

    data = form_data(
        world,
        status=None,
        start_date=None,
        currency="SEK",
        municipal_contribution="50000",
        volunteer_hours="340",
        people_reached="30",
        promoting_factors=["key_individuals"],
        hindering_factors=["poor_information"],
        outcomes="30 barn hver uke.",
        then="draft",
    )
    assert client.post("/partnerships/new/", data).status_code == 302
    proposal = Partnership.objects.get(title="Språkkafé på biblioteket")
    assert proposal.status == Status.DRAFT
    assert proposal.municipal_contribution is None and proposal.currency == "NOK"
    assert proposal.volunteer_hours is None and proposal.people_reached is None
    assert proposal.promoting_factors == [] and proposal.hindering_factors == []
    assert proposal.outcomes == ""

    # Editing the draft asks no more: it has not started either.
    response = client.get(f"/partnerships/{proposal.pk}/edit/")
    assert response.status_code == 200
    assert not set(OUTCOME_FIELDS) & set(response.context["form"].fields)


def test_a_coordinator_logs_and_edits_the_resources_and_outcomes(world, client):
    """A partnership a coordinator logs may have run for years: its outcomes are asked for,
    on the log form as on the edit form."""
    login(client, world, "coordinator")
    for url in ("/partnerships/new/", f"/partnerships/{world.active.pk}/edit/"):
        response = client.get(url)
        assert set(OUTCOME_FIELDS) <= set(response.context["form"].fields), url
        assert "Resources and outcomes" in page(response), url
    data = form_data(world, volunteer_hours="1200", promoting_factors=["key_individuals"])
    assert client.post("/partnerships/new/", data).status_code == 302
    logged = Partnership.objects.get(title="Språkkafé på biblioteket")
    assert logged.volunteer_hours == 1200 and logged.promoting_factors == ["key_individuals"]


# --- editing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "active", "declined"),
    [
        ("coordinator", 200, 200),
        ("admin", 200, 200),
        ("representative", 200, 403),  # outcomes of the active one; nothing once declined
        ("other_coordinator", 403, 404),
        ("analyst", 403, 403),
        ("other_representative", 403, 404),
    ],
)
def test_edit_who_may(world, client, role, active, declined):
    client = login(client, world, role)
    assert client.get(f"/partnerships/{world.active.pk}/edit/").status_code == active
    assert client.get(f"/partnerships/{world.declined.pk}/edit/").status_code == declined


def test_coordinator_edits_through_the_service(world, client):
    login(client, world, "coordinator")
    form = client.get(f"/partnerships/{world.active.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data.update(title="Leksehjelp hele året", fields_of_work=["education", "children_youth"])
    response = client.post(f"/partnerships/{world.active.pk}/edit/", data)
    assert response.status_code == 302
    world.active.refresh_from_db()
    assert world.active.title == "Leksehjelp hele året"
    assert sorted(world.active.field_values) == ["children_youth", "education"]
    latest = world.active.history.first()
    assert latest.history_user == world.users["coordinator"]
    assert "fields:" in latest.history_change_reason


def test_edit_invalid_keeps_input_and_changes_nothing(world, client):
    login(client, world, "coordinator")
    response = client.post(
        f"/partnerships/{world.active.pk}/edit/",
        form_data(world, title="Nytt navn", start_date="2025-05-01", end_date="2025-01-01"),
    )
    assert response.status_code == 200
    html = page(response)
    assert '<p class="error" id="id_end_date_error">' in html
    assert 'value="Nytt navn"' in html
    world.active.refresh_from_db()
    assert world.active.title == "Leksehjelp på biblioteket"


def test_representative_on_an_active_partnership_records_only_outcomes(world, client):
    login(client, world, "representative")
    response = client.get(f"/partnerships/{world.active.pk}/edit/")
    html = page(response)
    assert set(response.context["form"].fields) == {
        "outcomes",
        "volunteer_hours",
        "people_reached",
        "promoting_factors",
        "hindering_factors",
    }
    assert "Record the outcomes of" in html
    response = client.post(
        f"/partnerships/{world.active.pk}/edit/",
        {"title": "Kapret", "volunteer_hours": "340", "outcomes": "30 barn hver uke."},
    )
    assert response.status_code == 302
    world.active.refresh_from_db()
    assert world.active.volunteer_hours == 340 and world.active.outcomes == "30 barn hver uke."
    assert world.active.title == "Leksehjelp på biblioteket"


def test_representative_answers_a_request_for_changes(world, client):
    partnership_transition(
        partnership=world.proposal,
        user=world.users["coordinator"],
        action="request_changes",
        comment="Hvor mange barn?",
    )
    login(client, world, "representative")
    response = client.get(f"/partnerships/{world.proposal.pk}/edit/")
    html = page(response)
    assert "The municipality asked for changes:" in html and "Hvor mange barn?" in html
    assert "Save and send again" in html
    assert 'name="status"' not in html
    data = form_data(world, status=None, start_date=None, then="submit", title="Sommerskole 2.0")
    response = client.post(f"/partnerships/{world.proposal.pk}/edit/", data)
    assert response.status_code == 302
    world.proposal.refresh_from_db()
    assert world.proposal.title == "Sommerskole 2.0"
    assert world.proposal.status == Status.UNDER_REVIEW
    assert list(world.proposal.events.values_list("action", flat=True)) == [
        "request_changes",
        "submit",
    ]


# --- the derived type, live ------------------------------------------------------------------


@pytest.mark.parametrize(("control", "phase"), list(product(GoalsControl, InvolvementPhase)))
def test_derived_type_fragment_follows_the_rule(db, client, control, phase):
    response = client.get(
        "/partnerships/derived-type/",
        {"goals_control": control.value, "involvement_phase": phase.value},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = page(response)
    expected = derive_co_creation_type(goals_control=control, involvement_phase=phase)
    assert f"<strong>{expected.label}</strong>" in html
    assert "<html" not in html


def test_derived_type_fragment_compares_with_the_declared_type(db, client):
    url = "/partnerships/derived-type/"
    base = {"goals_control": "municipality", "involvement_phase": "implementation"}
    html = page(client.get(url, {**base, "co_creation_type": "equal"}))
    assert "This differs from what you call the collaboration." in html
    html = page(client.get(url, {**base, "co_creation_type": "municipality_led"}))
    assert "This matches what you call the collaboration." in html
    html = page(client.get(url, {"goals_control": "shared"}))
    assert "the derived type appears here" in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_inbox_and_own_list_cost_the_same_for_few_and_many(world, client):
    def add_reworked(count):
        """Proposals the coordinator sent back with a request for changes."""
        for _ in range(count):
            partnership = PartnershipFactory(
                status="under_review",
                start_date=None,
                links__municipalities=[world.oslo],
                links__organisations={world.red_cross: "lead", OrganisationFactory(): "partner"},
                links__fields=["sport", "culture"],
            )
            partnership_transition(
                partnership=partnership,
                user=world.users["coordinator"],
                action="request_changes",
                comment="Mer, takk.",
            )

    coordinator = login(client, world, "coordinator")
    add_reworked(1)
    few = _queries(coordinator, "/partnerships/inbox/")
    add_reworked(12)
    PartnershipFactory.create_batch(
        8,
        status="under_review",
        start_date=None,
        links__municipalities=[world.oslo],
        links__organisations={world.red_cross: "lead"},
    )
    assert _queries(coordinator, "/partnerships/inbox/") == few

    representative = login(client, world, "representative")
    few = _queries(representative, "/partnerships/mine/")
    PartnershipFactory.create_batch(
        10, status="active", links__organisations={world.red_cross: "lead"}
    )
    assert _queries(representative, "/partnerships/mine/") == few


# --- the workflow box: only for those it concerns (issue 11) ---------------------------------


@pytest.mark.parametrize(
    ("role", "sees_box"),
    [
        ("anonymous", False),
        ("plain", False),
        ("other_representative", False),
        ("other_coordinator", False),
        ("analyst", False),
        ("representative", True),
        ("coordinator", True),
        ("admin", True),
    ],
)
def test_workflow_box_only_for_the_partners_and_administrators(roles, client, role, sees_box):
    partnership = roles.partnership_in("active")  # proposed, then accepted: two steps
    if role != "anonymous":
        client.force_login(roles.user(role))
    html = page(client.get(f"/partnerships/{partnership.pk}/"))
    assert partnership.title in html
    assert ('id="workflow"' in html) is sees_box
    assert ("What has happened" in html) is sees_box
    assert ('class="detail-layout no-aside"' in html) is not sees_box
    assert "No workflow steps yet" not in html


def test_workflow_box_is_never_empty(roles, client):
    """A partnership logged as active has no steps: its representative, with nothing to do
    in the workflow, sees no box; its coordinator sees the actions, without an empty list."""
    partnership = PartnershipFactory(
        status="active",
        links__municipalities=[roles.municipality],
        links__organisations={roles.organisation: "lead"},
    )
    url = f"/partnerships/{partnership.pk}/"
    client.force_login(roles.representative)
    html = page(client.get(url))
    assert 'id="workflow"' not in html
    assert "No workflow steps yet" not in html

    client.force_login(roles.coordinator)
    html = page(client.get(url))
    assert 'id="workflow"' in html
    assert f'action="/partnerships/{partnership.pk}/complete/"' in html
    assert "What has happened" not in html
    assert "No workflow steps yet" not in html


# --- the propose form: one validation behaviour, required fields marked (issue 11) ----------


@pytest.mark.parametrize("role", ["representative", "coordinator"])
def test_propose_form_validates_on_the_server_and_marks_required_fields(roles, client, role):
    import re

    client.force_login(roles.user(role))
    html = page(client.get("/partnerships/new/"))
    form = re.search(r'<form method="post" class="partnership-form"[^>]*>', html)[0]
    assert "novalidate" in form  # no browser bubbles: the server's summary and messages
    required = '<span class="required">(required)</span>'
    assert f'<label for="id_title">Title {required}' in html
    assert f"<legend>Fields {required}</legend>" in html  # a required group of checkboxes
    assert f"<legend>Who took the initiative? {required}</legend>" in html
    assert '<label for="id_description">Description:</label>' in html  # optional: no marker


def test_propose_form_errors_show_in_the_summary_and_beside_each_field(roles, client):
    client.force_login(roles.representative)
    response = client.post("/partnerships/new/", {"title": "Leksehjelp", "then": "submit"})
    assert response.status_code == 200
    html = page(response)
    assert 'id="form-error-summary"' in html
    assert '<a href="#id_fields_of_work_0">Fields</a>' in html
    assert 'id="id_fields_of_work_error"' in html
    assert 'value="Leksehjelp"' in html  # what was typed is kept


# --- the workflow's small forms: one validation behaviour, the server's (issue 11) ----------


def _post_forms(html: str) -> list[str]:
    import re

    return re.findall(r'<form method="post" action="/partnerships/\d+/[^"]*"[^>]*>', html)


def test_workflow_forms_leave_validation_to_the_server(world, client):
    """No browser bubbles in the browser's language: the inbox's answers, the link requests
    and the profile's workflow forms all carry ``novalidate``, like every other form."""
    from partnerships.choices import LinkState

    world.active.municipality_links.update(state=LinkState.PENDING)  # a link to answer
    login(client, world, "coordinator")
    forms = _post_forms(page(client.get("/partnerships/inbox/")))
    actions = {f"/{world.proposal.pk}/accept/", f"/{world.proposal.pk}/request_changes/"}
    actions |= {f"/{world.active.pk}/link/confirm/", f"/{world.active.pk}/link/decline/"}
    for action in actions:
        assert any(action in form for form in forms), action
    assert forms and all("novalidate" in form for form in forms), forms

    forms = _post_forms(page(client.get(f"/partnerships/{world.proposal.pk}/")))
    for action in ("accept", "request_changes", "decline"):
        assert any(f"/{world.proposal.pk}/{action}/" in form for form in forms), action
    assert all("novalidate" in form for form in forms), forms


def test_decline_from_the_inbox_without_a_reason_shows_the_message_beside_the_comment(
    world, client, settings
):
    """The browser lets the empty comment through; the server's message, in the site's
    language, stands beside the comment box, and nothing changes."""
    login(client, world, "coordinator")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    response = client.post(
        f"/partnerships/{world.proposal.pk}/decline/",
        {"comment": "", "next": "/partnerships/inbox/"},
    )
    assert response.status_code == 200
    html = page(response)
    assert '<html lang="nb">' in html
    field = html.split('<label for="decline-comment">')[1].split("</textarea>")[0]
    assert '<p class="error" id="decline-comment_error">Oppgi en begrunnelse.</p>' in field
    assert 'aria-invalid="true"' in field and "decline-comment_error" in field
    world.proposal.refresh_from_db()
    assert world.proposal.status == Status.UNDER_REVIEW
    assert not PartnershipEvent.objects.exists()


def test_list_filters_empty_choice_reads_any(db, client):
    html = client.get(LIST).content.decode()
    any_label = _any_in_the_pages_language(html)
    assert "---------" not in html
    assert f'<option value="" selected>{any_label}</option>' in html


def _any_in_the_pages_language(html: str) -> str:
    """ "Any" as the page says it (the suite may run in either language)."""
    from django.utils import translation

    language = re.search(r'<html lang="([^"]+)"', html).group(1)
    with translation.override(language):
        return translation.gettext("Any")
