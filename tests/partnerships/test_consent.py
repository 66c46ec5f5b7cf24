"""Issue 7: consent for every link, private drafts, one lead organisation.

Each test reproduces a finding of the trial and checks that it now fails the attack. The
places and people are the shared ``roles`` (Oslo, Bergen, Oslo Røde Kors and their users);
``roles.unrepresented_organisation`` is the organisation nobody represents.
"""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from dashboards.statistics import StatsScope, stats_headline
from partnerships import services
from partnerships.choices import LinkState, OrganisationRole, Status
from partnerships.models import (
    Partnership,
    PartnershipEvent,
    PartnershipMunicipality,
    PartnershipOrganisation,
)
from partnerships.workflow import partnership_transition
from tests.factories import PartnershipFactory, representative_of

URL = "/api/v1/partnerships/"


def payload(roles, **overrides) -> dict:
    data = {
        "title": "Språkkafé",
        "municipalities": [roles.municipality.pk],
        "organisations": [roles.organisation.pk],
        "fields": ["inclusion"],
        "co_creation_type": "equal",
        "initiator": "local_civic",
        "involvement_phase": "problem_definition",
        "goals_control": "shared",
        "start_date": "2025-01-01",
    }
    data.update(overrides)
    return data


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _ids(api_client, **params) -> set[int]:
    return {row["id"] for row in api_client.get(URL, params).json()["results"]}


# --- a coordinator's link to another municipality ----------------------------------------


def test_link_to_another_municipality_awaits_its_confirmation(
    roles, api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(api_client, roles.coordinator).post(
            URL,
            payload(
                roles,
                municipalities=[roles.municipality.pk, roles.other_municipality.pk],
                organisations=[roles.unrepresented_organisation.pk],
            ),
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active"  # the coordinator's default
    # Listed (and counted) only under Oslo, Bergen's link awaits Bergen.
    assert body["municipalities"] == [roles.municipality.pk]
    states = {link["municipality"]: link["state"] for link in body["municipality_links"]}
    assert states == {roles.municipality.pk: "confirmed", roles.other_municipality.pk: "pending"}
    # Bergen's coordinators are told, and only they.
    assert [m.to for m in mail.outbox] == [[roles.other_coordinator.email]]
    pk = body["id"]

    api_client.force_authenticate(None)
    assert pk not in _ids(api_client, municipality=roles.other_municipality.pk)
    assert pk not in _ids(api_client, county=roles.other_municipality.county_id)
    assert pk in _ids(api_client, municipality=roles.municipality.pk)
    bergen = StatsScope(municipality=roles.other_municipality.pk)
    assert stats_headline(scope=bergen)["partnerships"] == 0
    page = api_client.get(f"/municipalities/{roles.other_municipality.pk}/").content.decode()
    assert "Språkkafé" not in page
    # The detail page shows the link as awaiting confirmation.
    detail = api_client.get(f"/partnerships/{pk}/").content.decode()
    assert "awaiting confirmation" in detail

    # Bergen's coordinator finds the request and confirms it.
    client = _as(api_client, roles.other_coordinator)
    requests = client.get(f"{URL}link-requests/").json()
    assert [(r["partnership"], r["municipality"]) for r in requests] == [
        (pk, roles.other_municipality.pk)
    ]
    response = client.post(
        f"{URL}{pk}/confirm-link/", {"municipality": roles.other_municipality.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["municipalities"] == sorted(
        [roles.municipality.pk, roles.other_municipality.pk]
    )
    api_client.force_authenticate(None)
    assert pk in _ids(api_client, municipality=roles.other_municipality.pk)
    assert stats_headline(scope=bergen)["partnerships"] == 1
    assert (
        "Språkkafé"
        in api_client.get(f"/municipalities/{roles.other_municipality.pk}/").content.decode()
    )
    event = PartnershipEvent.objects.get(partnership_id=pk, action="link_confirmed")
    assert (event.actor, event.municipality) == (roles.other_coordinator, roles.other_municipality)
    assert "link_confirmed" in [e["action"] for e in api_client.get(f"{URL}{pk}/events/").json()]


def test_declining_a_link_keeps_it_for_the_record_and_the_other_links(roles, api_client):
    partnership = services.partnership_create_as(
        user=roles.coordinator,
        municipalities=[roles.municipality, roles.other_municipality],
        organisations={roles.organisation: None},
        title="Språkkafé",
        fields=["culture"],
        co_creation_type="equal",
        initiator="municipality",
        involvement_phase="design",
        goals_control="shared",
        start_date=datetime.date(2025, 1, 1),
    )
    client = _as(api_client, roles.other_coordinator)
    response = client.post(
        f"{URL}{partnership.pk}/decline-link/",
        {"municipality": roles.other_municipality.pk, "comment": "Not ours"},
        format="json",
    )
    assert response.status_code == 200, response.content
    link = PartnershipMunicipality.objects.get(
        partnership=partnership, municipality=roles.other_municipality
    )
    assert (link.state, link.answered_by) == (LinkState.DECLINED, roles.other_coordinator)
    assert response.json()["municipalities"] == [roles.municipality.pk]
    assert client.get(f"{URL}link-requests/").json() == []
    # Answering again is a conflict; someone else's link is not yours to answer.
    again = client.post(
        f"{URL}{partnership.pk}/confirm-link/",
        {"municipality": roles.other_municipality.pk},
        format="json",
    )
    assert again.status_code == 409
    assert (
        client.post(
            f"{URL}{partnership.pk}/confirm-link/",
            {"municipality": roles.municipality.pk},
            format="json",
        ).status_code
        == 403
    )


def test_answering_a_link_checks_permission_before_the_body(roles, api_client):
    partnership = PartnershipFactory(links__municipalities=[roles.municipality])
    client = _as(api_client, roles.other_coordinator)
    # Not Bergen's link, with a bad body: 403 first.
    response = client.post(
        f"{URL}{partnership.pk}/confirm-link/",
        {"municipality": roles.municipality.pk},
        format="json",
    )
    assert response.status_code == 403
    response = _as(api_client, roles.plain).post(
        f"{URL}{partnership.pk}/confirm-link/", {}, format="json"
    )
    assert response.status_code == 403
    # The party's own coordinator with an empty body: 400 naming the field.
    response = _as(api_client, roles.coordinator).post(
        f"{URL}{partnership.pk}/confirm-link/", {}, format="json"
    )
    assert response.status_code == 400
    assert "municipality" in response.json()["errors"]


# --- organisations: with representatives pending, without them vouched -------------------


def test_organisation_with_representatives_awaits_them_without_is_vouched(
    roles, api_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(api_client, roles.coordinator).post(
            URL,
            payload(
                roles, organisations=[roles.unrepresented_organisation.pk, roles.organisation.pk]
            ),
            format="json",
        )
    assert response.status_code == 201, response.content
    links = {link["organisation"]: link for link in response.json()["organisation_links"]}
    assert links[roles.organisation.pk]["state"] == "pending"
    assert links[roles.unrepresented_organisation.pk]["state"] == "confirmed"
    assert links[roles.unrepresented_organisation.pk]["vouched"] is True
    assert response.json()["organisations"] == [roles.unrepresented_organisation.pk]
    assert [m.to for m in mail.outbox] == [[roles.representative.email]]
    pk = response.json()["id"]
    api_client.force_authenticate(None)
    assert pk not in _ids(api_client, organisation=roles.organisation.pk)
    assert pk in _ids(api_client, organisation=roles.unrepresented_organisation.pk)
    assert (
        "Språkkafé"
        not in api_client.get(f"/organisations/{roles.organisation.pk}/").content.decode()
    )
    assert stats_headline(scope=StatsScope())["organisations"] == 1

    # The Red Cross representative confirms from "mine"; the partnership then counts for it.
    client.force_login(roles.representative)
    page = client.get("/partnerships/mine/").content.decode()
    assert "Links awaiting your confirmation" in page and "Språkkafé" in page
    response = client.post(
        f"/partnerships/{pk}/link/confirm/",
        {"organisation": roles.organisation.pk, "next": "/partnerships/mine/"},
    )
    assert response.status_code == 302
    assert PartnershipOrganisation.objects.get(
        partnership_id=pk, organisation=roles.organisation
    ).is_confirmed
    api_client.force_authenticate(None)
    assert pk in _ids(api_client, organisation=roles.organisation.pk)
    assert stats_headline(scope=StatsScope())["organisations"] == 2


def test_a_representative_who_joins_later_disputes_a_vouched_link(roles, api_client):
    partnership = services.partnership_create_as(
        user=roles.coordinator,
        municipalities=[roles.municipality],
        organisations={roles.unrepresented_organisation: None},
        title="Språkkafé",
        fields=["culture"],
        co_creation_type="equal",
        initiator="municipality",
        involvement_phase="design",
        goals_control="shared",
        start_date=datetime.date(2025, 1, 1),
    )
    link = partnership.organisation_links.get()
    assert (link.state, link.vouched) == (LinkState.CONFIRMED, True)

    joined = representative_of(roles.unrepresented_organisation)
    client = _as(api_client, joined)
    requests = client.get(f"{URL}link-requests/").json()
    assert [(r["organisation"], r["state"], r["vouched"]) for r in requests] == [
        (roles.unrepresented_organisation.pk, "confirmed", True)
    ]
    response = client.post(
        f"{URL}{partnership.pk}/decline-link/",
        {"organisation": roles.unrepresented_organisation.pk, "comment": "We never took part."},
        format="json",
    )
    assert response.status_code == 200, response.content
    link.refresh_from_db()
    assert (link.state, link.answered_by) == (LinkState.DECLINED, joined)
    event = PartnershipEvent.objects.get(partnership=partnership, action="link_declined")
    assert (event.organisation, event.comment) == (
        roles.unrepresented_organisation,
        "We never took part.",
    )
    api_client.force_authenticate(None)
    assert partnership.pk not in _ids(api_client, organisation=roles.unrepresented_organisation.pk)


def test_administrators_links_are_confirmed(roles, api_client):
    response = _as(api_client, roles.admin).post(
        URL,
        payload(
            roles,
            municipalities=[roles.municipality.pk, roles.other_municipality.pk],
            organisations=[roles.organisation.pk],
        ),
        format="json",
    )
    assert response.status_code == 201
    states = [link["state"] for link in response.json()["municipality_links"]]
    states += [link["state"] for link in response.json()["organisation_links"]]
    assert states == ["confirmed"] * 3


# --- statuses only the workflow reaches ------------------------------------------------------


@pytest.mark.parametrize("status", ["declined", "under_review", "changes_requested"])
@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_no_one_creates_a_partnership_in_a_workflow_status(roles, api_client, who, status):
    response = _as(api_client, roles.user(who)).post(
        URL, payload(roles, status=status), format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert not Partnership.objects.exists()


def test_a_coordinator_does_not_create_a_draft_and_a_representative_defaults_to_one(
    roles, api_client
):
    response = _as(api_client, roles.coordinator).post(
        URL, payload(roles, status="draft"), format="json"
    )
    assert response.status_code == 400
    response = _as(api_client, roles.representative).post(
        URL, payload(roles, start_date=None), format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "draft"


# --- drafts are private ----------------------------------------------------------------------


def _draft(roles) -> Partnership:
    return services.partnership_create_as(
        user=roles.representative,
        municipalities=[roles.municipality],
        organisations={roles.organisation: None},
        title="Språkkafé",
        fields=["culture"],
        co_creation_type="equal",
        initiator="local_civic",
        involvement_phase="design",
        goals_control="shared",
    )


def test_a_draft_is_404_to_the_municipality_and_analysts_until_submitted(roles, api_client, client):
    draft = _draft(roles)
    assert draft.status == Status.DRAFT
    assert draft.municipality_links.get().state == LinkState.PENDING
    for user in (roles.coordinator, roles.analyst, roles.other_coordinator, None):
        api = _as(api_client, user)
        assert api.get(f"{URL}{draft.pk}/").status_code == 404
        assert draft.pk not in {row["id"] for row in api.get(URL).json()["results"]}
        if user is not None:
            client.force_login(user)
        else:
            client.logout()
        assert client.get(f"/partnerships/{draft.pk}/").status_code == 404
        assert client.get(f"/partnerships/{draft.pk}/edit/").status_code in (302, 404)
    client.force_login(roles.coordinator)
    assert "Språkkafé" not in client.get("/partnerships/inbox/").content.decode()
    for user in (roles.representative, roles.admin):
        assert _as(api_client, user).get(f"{URL}{draft.pk}/").status_code == 200

    partnership_transition(partnership=draft, user=roles.representative, action="submit")
    for user in (roles.coordinator, roles.analyst):
        assert _as(api_client, user).get(f"{URL}{draft.pk}/").status_code == 200
    client.force_login(roles.coordinator)
    assert client.get(f"/partnerships/{draft.pk}/").status_code == 200
    # Submitted to Oslo: it is in Oslo's inbox, and Oslo's link still awaits the answer.
    assert draft.title in client.get("/partnerships/inbox/").content.decode()


def test_a_proposal_sent_back_stays_visible_to_the_municipality(roles, api_client, client):
    draft = _draft(roles)
    partnership_transition(partnership=draft, user=roles.representative, action="submit")
    partnership_transition(
        partnership=draft, user=roles.coordinator, action="request_changes", comment="Budget?"
    )
    draft.refresh_from_db()
    assert draft.status == Status.CHANGES_REQUESTED
    body = _as(api_client, roles.coordinator).get(f"{URL}{draft.pk}/").json()
    assert body["status"] == "changes_requested"
    assert body["municipalities"] == [roles.municipality.pk]
    client.force_login(roles.coordinator)
    inbox = client.get("/partnerships/inbox/").content.decode()
    assert draft.title in inbox and "Budget?" in inbox
    detail = client.get(f"/partnerships/{draft.pk}/").content.decode()
    assert "waiting for the organisation" in detail


def test_accepting_confirms_only_the_accepting_coordinator_s_municipality(roles, api_client):
    draft = services.partnership_create_as(
        user=roles.representative,
        municipalities=[roles.municipality, roles.other_municipality],
        organisations={roles.organisation: None},
        title="Språkkafé",
        fields=["culture"],
        co_creation_type="equal",
        initiator="local_civic",
        involvement_phase="design",
        goals_control="shared",
    )
    partnership_transition(partnership=draft, user=roles.representative, action="submit")
    partnership_transition(partnership=draft, user=roles.coordinator, action="accept")
    states = dict(draft.municipality_links.values_list("municipality_id", "state"))
    assert states == {
        roles.municipality.pk: LinkState.CONFIRMED,
        roles.other_municipality.pk: LinkState.PENDING,
    }
    requests = _as(api_client, roles.other_coordinator).get(f"{URL}link-requests/").json()
    assert [r["partnership"] for r in requests] == [draft.pk]
    api_client.force_authenticate(None)
    assert draft.pk not in _ids(api_client, municipality=roles.other_municipality.pk)


def test_an_organisation_cannot_move_a_submitted_proposal(roles, api_client):
    draft = _draft(roles)
    client = _as(api_client, roles.representative)
    # A draft changes freely.
    response = client.patch(
        f"{URL}{draft.pk}/", {"municipalities": [roles.other_municipality.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    partnership_transition(partnership=draft, user=roles.representative, action="submit")
    response = client.patch(
        f"{URL}{draft.pk}/", {"municipalities": [roles.municipality.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "A new municipality means a new proposal." in str(
        response.json()["errors"]["municipalities"]
    )
    assert list(draft.municipality_links.values_list("municipality_id", flat=True)) == [
        roles.other_municipality.pk
    ]


# --- exactly one lead ------------------------------------------------------------------------


def test_two_leads_are_refused_and_none_makes_the_first_the_lead(roles, api_client):
    client = _as(api_client, roles.coordinator)
    organisation_roles = [
        {"organisation": roles.organisation.pk, "role": "lead"},
        {"organisation": roles.unrepresented_organisation.pk, "role": "lead"},
    ]
    response = client.post(
        URL,
        payload(
            roles,
            organisations=[roles.organisation.pk, roles.unrepresented_organisation.pk],
            organisation_roles=organisation_roles,
        ),
        format="json",
    )
    assert response.status_code == 400
    assert "organisations" in response.json()["errors"]
    assert not Partnership.objects.exists()

    organisation_roles = [
        {"organisation": roles.organisation.pk, "role": "partner"},
        {"organisation": roles.unrepresented_organisation.pk, "role": "supporter"},
    ]
    response = client.post(
        URL,
        payload(
            roles,
            organisations=[roles.unrepresented_organisation.pk, roles.organisation.pk],
            organisation_roles=organisation_roles,
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    links = {link["organisation"]: link["role"] for link in response.json()["organisation_links"]}
    assert links == {roles.unrepresented_organisation.pk: "lead", roles.organisation.pk: "partner"}


def test_the_database_holds_one_lead(roles):
    partnership = PartnershipFactory(links__organisations={roles.organisation: "lead"})
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipOrganisation.objects.create(
            partnership=partnership,
            organisation=roles.unrepresented_organisation,
            role=OrganisationRole.LEAD,
        )


def test_changing_the_lead_in_an_edit_keeps_one(roles, api_client):
    partnership = PartnershipFactory(
        links__municipalities=[roles.municipality],
        links__organisations={
            roles.organisation: "lead",
            roles.unrepresented_organisation: "partner",
        },
    )
    response = _as(api_client, roles.coordinator).patch(
        f"{URL}{partnership.pk}/",
        {
            "organisations": [roles.organisation.pk, roles.unrepresented_organisation.pk],
            "organisation_roles": [
                {"organisation": roles.unrepresented_organisation.pk, "role": "lead"}
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    links = dict(partnership.organisation_links.values_list("organisation_id", "role"))
    assert links == {roles.organisation.pk: "partner", roles.unrepresented_organisation.pk: "lead"}
