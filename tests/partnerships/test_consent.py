"""Issue 7: consent for every link, private drafts, one lead organisation.

Each test reproduces a finding of the trial and checks that it now fails the attack.
"""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from partnerships import services
from partnerships.choices import LinkState, OrganisationRole, Status
from partnerships.models import (
    Partnership,
    PartnershipEvent,
    PartnershipMunicipality,
    PartnershipOrganisation,
)
from partnerships.statistics import StatsScope, stats_headline
from partnerships.workflow import partnership_transition
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    admin_user,
    analyst,
    coordinator_of,
    representative_of,
)

URL = "/api/v1/partnerships/"


class World:
    def __init__(self):
        self.oslo = MunicipalityFactory(name="Oslo")
        self.bergen = MunicipalityFactory(name="Bergen")
        self.red_cross = OrganisationFactory(name="Oslo Røde Kors")  # has a representative
        self.choir = OrganisationFactory(name="Bergen kor")  # has none
        self.red_cross.municipalities.add(self.oslo)
        self.coordinator = coordinator_of(self.oslo, email="kari@oslo.example")
        self.bergen_coordinator = coordinator_of(self.bergen, email="ola@bergen.example")
        self.representative = representative_of(self.red_cross, email="rep@redcross.example")
        self.analyst = analyst()
        self.admin = admin_user()


@pytest.fixture
def world(db):
    return World()


def payload(world, **overrides) -> dict:
    data = {
        "title": "Språkkafé",
        "municipalities": [world.oslo.pk],
        "organisations": [world.red_cross.pk],
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
    world, api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(api_client, world.coordinator).post(
            URL,
            payload(
                world,
                municipalities=[world.oslo.pk, world.bergen.pk],
                organisations=[world.choir.pk],
            ),
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active"  # the coordinator's default
    # Listed (and counted) only under Oslo, Bergen's link awaits Bergen.
    assert body["municipalities"] == [world.oslo.pk]
    states = {link["municipality"]: link["state"] for link in body["municipality_links"]}
    assert states == {world.oslo.pk: "confirmed", world.bergen.pk: "pending"}
    # Bergen's coordinators are told, and only they.
    assert [m.to for m in mail.outbox] == [[world.bergen_coordinator.email]]
    pk = body["id"]

    api_client.force_authenticate(None)
    assert pk not in _ids(api_client, municipality=world.bergen.pk)
    assert pk not in _ids(api_client, county=world.bergen.county_id)
    assert pk in _ids(api_client, municipality=world.oslo.pk)
    bergen = StatsScope(municipality=world.bergen.pk)
    assert stats_headline(scope=bergen)["partnerships"] == 0
    page = api_client.get(f"/municipalities/{world.bergen.pk}/").content.decode()
    assert "Språkkafé" not in page
    # The detail page shows the link as awaiting confirmation.
    detail = api_client.get(f"/partnerships/{pk}/").content.decode()
    assert "awaiting confirmation" in detail

    # Bergen's coordinator finds the request and confirms it.
    client = _as(api_client, world.bergen_coordinator)
    requests = client.get(f"{URL}link-requests/").json()
    assert [(r["partnership"], r["municipality"]) for r in requests] == [(pk, world.bergen.pk)]
    response = client.post(
        f"{URL}{pk}/confirm-link/", {"municipality": world.bergen.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["municipalities"] == sorted([world.oslo.pk, world.bergen.pk])
    api_client.force_authenticate(None)
    assert pk in _ids(api_client, municipality=world.bergen.pk)
    assert stats_headline(scope=bergen)["partnerships"] == 1
    assert "Språkkafé" in api_client.get(f"/municipalities/{world.bergen.pk}/").content.decode()
    event = PartnershipEvent.objects.get(partnership_id=pk, action="link_confirmed")
    assert (event.actor, event.municipality) == (world.bergen_coordinator, world.bergen)
    assert "link_confirmed" in [e["action"] for e in api_client.get(f"{URL}{pk}/events/").json()]


def test_declining_a_link_keeps_it_for_the_record_and_the_other_links(world, api_client):
    partnership = services.partnership_create_as(
        user=world.coordinator,
        municipalities=[world.oslo, world.bergen],
        organisations={world.red_cross: None},
        title="Språkkafé",
        fields=["culture"],
        co_creation_type="equal",
        initiator="municipality",
        involvement_phase="design",
        goals_control="shared",
        start_date=datetime.date(2025, 1, 1),
    )
    client = _as(api_client, world.bergen_coordinator)
    response = client.post(
        f"{URL}{partnership.pk}/decline-link/",
        {"municipality": world.bergen.pk, "comment": "Not ours"},
        format="json",
    )
    assert response.status_code == 200, response.content
    link = PartnershipMunicipality.objects.get(partnership=partnership, municipality=world.bergen)
    assert (link.state, link.answered_by) == (LinkState.DECLINED, world.bergen_coordinator)
    assert response.json()["municipalities"] == [world.oslo.pk]
    assert client.get(f"{URL}link-requests/").json() == []
    # Answering again is a conflict; someone else's link is not yours to answer.
    again = client.post(
        f"{URL}{partnership.pk}/confirm-link/", {"municipality": world.bergen.pk}, format="json"
    )
    assert again.status_code == 409
    assert (
        client.post(
            f"{URL}{partnership.pk}/confirm-link/", {"municipality": world.oslo.pk}, format="json"
        ).status_code
        == 403
    )


def test_answering_a_link_checks_permission_before_the_body(world, api_client):
    partnership = PartnershipFactory(links__municipalities=[world.oslo])
    client = _as(api_client, world.bergen_coordinator)
    # Not Bergen's link, with a bad body: 403 first.
    response = client.post(
        f"{URL}{partnership.pk}/confirm-link/", {"municipality": world.oslo.pk}, format="json"
    )
    assert response.status_code == 403
    outsider = coordinator_of()
    outsider.memberships.all().delete()
    response = _as(api_client, outsider).post(
        f"{URL}{partnership.pk}/confirm-link/", {}, format="json"
    )
    assert response.status_code == 403
    # The party's own coordinator with an empty body: 400 naming the field.
    response = _as(api_client, world.coordinator).post(
        f"{URL}{partnership.pk}/confirm-link/", {}, format="json"
    )
    assert response.status_code == 400
    assert "municipality" in response.json()["errors"]


# --- organisations: with representatives pending, without them vouched -------------------


def test_organisation_with_representatives_awaits_them_without_is_vouched(
    world, api_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _as(api_client, world.coordinator).post(
            URL,
            payload(world, organisations=[world.choir.pk, world.red_cross.pk]),
            format="json",
        )
    assert response.status_code == 201, response.content
    links = {link["organisation"]: link for link in response.json()["organisation_links"]}
    assert links[world.red_cross.pk]["state"] == "pending"
    assert links[world.choir.pk]["state"] == "confirmed"
    assert links[world.choir.pk]["vouched"] is True
    assert response.json()["organisations"] == [world.choir.pk]
    assert [m.to for m in mail.outbox] == [[world.representative.email]]
    pk = response.json()["id"]
    api_client.force_authenticate(None)
    assert pk not in _ids(api_client, organisation=world.red_cross.pk)
    assert pk in _ids(api_client, organisation=world.choir.pk)
    assert (
        "Språkkafé" not in api_client.get(f"/organisations/{world.red_cross.pk}/").content.decode()
    )
    assert stats_headline(scope=StatsScope())["organisations"] == 1

    # The Red Cross representative confirms from "mine"; the partnership then counts for it.
    client.force_login(world.representative)
    page = client.get("/partnerships/mine/").content.decode()
    assert "Links awaiting your confirmation" in page and "Språkkafé" in page
    response = client.post(
        f"/partnerships/{pk}/link/confirm/",
        {"organisation": world.red_cross.pk, "next": "/partnerships/mine/"},
    )
    assert response.status_code == 302
    assert PartnershipOrganisation.objects.get(
        partnership_id=pk, organisation=world.red_cross
    ).is_confirmed
    api_client.force_authenticate(None)
    assert pk in _ids(api_client, organisation=world.red_cross.pk)
    assert stats_headline(scope=StatsScope())["organisations"] == 2


def test_a_representative_who_joins_later_disputes_a_vouched_link(world, api_client):
    partnership = services.partnership_create_as(
        user=world.coordinator,
        municipalities=[world.oslo],
        organisations={world.choir: None},
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

    joined = representative_of(world.choir)
    client = _as(api_client, joined)
    requests = client.get(f"{URL}link-requests/").json()
    assert [(r["organisation"], r["state"], r["vouched"]) for r in requests] == [
        (world.choir.pk, "confirmed", True)
    ]
    response = client.post(
        f"{URL}{partnership.pk}/decline-link/",
        {"organisation": world.choir.pk, "comment": "We never took part."},
        format="json",
    )
    assert response.status_code == 200, response.content
    link.refresh_from_db()
    assert (link.state, link.answered_by) == (LinkState.DECLINED, joined)
    event = PartnershipEvent.objects.get(partnership=partnership, action="link_declined")
    assert (event.organisation, event.comment) == (world.choir, "We never took part.")
    api_client.force_authenticate(None)
    assert partnership.pk not in _ids(api_client, organisation=world.choir.pk)


def test_administrators_links_are_confirmed(world, api_client):
    response = _as(api_client, world.admin).post(
        URL,
        payload(
            world,
            municipalities=[world.oslo.pk, world.bergen.pk],
            organisations=[world.red_cross.pk],
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
def test_no_one_creates_a_partnership_in_a_workflow_status(world, api_client, who, status):
    response = _as(api_client, getattr(world, who)).post(
        URL, payload(world, status=status), format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()["errors"]
    assert not Partnership.objects.exists()


def test_a_coordinator_does_not_create_a_draft_and_a_representative_defaults_to_one(
    world, api_client
):
    response = _as(api_client, world.coordinator).post(
        URL, payload(world, status="draft"), format="json"
    )
    assert response.status_code == 400
    response = _as(api_client, world.representative).post(
        URL, payload(world, start_date=None), format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "draft"


# --- drafts are private ----------------------------------------------------------------------


def _draft(world) -> Partnership:
    return services.partnership_create_as(
        user=world.representative,
        municipalities=[world.oslo],
        organisations={world.red_cross: None},
        title="Språkkafé",
        fields=["culture"],
        co_creation_type="equal",
        initiator="local_civic",
        involvement_phase="design",
        goals_control="shared",
    )


def test_a_draft_is_404_to_the_municipality_and_analysts_until_submitted(world, api_client, client):
    draft = _draft(world)
    assert draft.status == Status.DRAFT
    assert draft.municipality_links.get().state == LinkState.PENDING
    for user in (world.coordinator, world.analyst, world.bergen_coordinator, None):
        api = _as(api_client, user)
        assert api.get(f"{URL}{draft.pk}/").status_code == 404
        assert draft.pk not in {row["id"] for row in api.get(URL).json()["results"]}
        if user is not None:
            client.force_login(user)
        else:
            client.logout()
        assert client.get(f"/partnerships/{draft.pk}/").status_code == 404
        assert client.get(f"/partnerships/{draft.pk}/edit/").status_code in (302, 404)
    client.force_login(world.coordinator)
    assert "Språkkafé" not in client.get("/partnerships/inbox/").content.decode()
    for user in (world.representative, world.admin):
        assert _as(api_client, user).get(f"{URL}{draft.pk}/").status_code == 200

    partnership_transition(partnership=draft, user=world.representative, action="submit")
    for user in (world.coordinator, world.analyst):
        assert _as(api_client, user).get(f"{URL}{draft.pk}/").status_code == 200
    client.force_login(world.coordinator)
    assert client.get(f"/partnerships/{draft.pk}/").status_code == 200
    # Submitted to Oslo: it is in Oslo's inbox, and Oslo's link still awaits the answer.
    assert draft.title in client.get("/partnerships/inbox/").content.decode()


def test_a_proposal_sent_back_stays_visible_to_the_municipality(world, api_client, client):
    draft = _draft(world)
    partnership_transition(partnership=draft, user=world.representative, action="submit")
    partnership_transition(
        partnership=draft, user=world.coordinator, action="request_changes", comment="Budget?"
    )
    draft.refresh_from_db()
    assert draft.status == Status.CHANGES_REQUESTED
    body = _as(api_client, world.coordinator).get(f"{URL}{draft.pk}/").json()
    assert body["status"] == "changes_requested"
    assert body["municipalities"] == [world.oslo.pk]
    client.force_login(world.coordinator)
    inbox = client.get("/partnerships/inbox/").content.decode()
    assert draft.title in inbox and "Budget?" in inbox
    detail = client.get(f"/partnerships/{draft.pk}/").content.decode()
    assert "waiting for the organisation" in detail


def test_accepting_confirms_only_the_accepting_coordinator_s_municipality(world, api_client):
    draft = services.partnership_create_as(
        user=world.representative,
        municipalities=[world.oslo, world.bergen],
        organisations={world.red_cross: None},
        title="Språkkafé",
        fields=["culture"],
        co_creation_type="equal",
        initiator="local_civic",
        involvement_phase="design",
        goals_control="shared",
    )
    partnership_transition(partnership=draft, user=world.representative, action="submit")
    partnership_transition(partnership=draft, user=world.coordinator, action="accept")
    states = dict(draft.municipality_links.values_list("municipality_id", "state"))
    assert states == {world.oslo.pk: LinkState.CONFIRMED, world.bergen.pk: LinkState.PENDING}
    requests = _as(api_client, world.bergen_coordinator).get(f"{URL}link-requests/").json()
    assert [r["partnership"] for r in requests] == [draft.pk]
    api_client.force_authenticate(None)
    assert draft.pk not in _ids(api_client, municipality=world.bergen.pk)


def test_an_organisation_cannot_move_a_submitted_proposal(world, api_client):
    draft = _draft(world)
    client = _as(api_client, world.representative)
    # A draft changes freely.
    response = client.patch(
        f"{URL}{draft.pk}/", {"municipalities": [world.bergen.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    partnership_transition(partnership=draft, user=world.representative, action="submit")
    response = client.patch(f"{URL}{draft.pk}/", {"municipalities": [world.oslo.pk]}, format="json")
    assert response.status_code == 400
    assert "A new municipality means a new proposal." in str(
        response.json()["errors"]["municipalities"]
    )
    assert list(draft.municipality_links.values_list("municipality_id", flat=True)) == [
        world.bergen.pk
    ]


# --- exactly one lead ------------------------------------------------------------------------


def test_two_leads_are_refused_and_none_makes_the_first_the_lead(world, api_client):
    client = _as(api_client, world.coordinator)
    roles = [
        {"organisation": world.red_cross.pk, "role": "lead"},
        {"organisation": world.choir.pk, "role": "lead"},
    ]
    response = client.post(
        URL,
        payload(
            world, organisations=[world.red_cross.pk, world.choir.pk], organisation_roles=roles
        ),
        format="json",
    )
    assert response.status_code == 400
    assert "organisations" in response.json()["errors"]
    assert not Partnership.objects.exists()

    roles = [
        {"organisation": world.red_cross.pk, "role": "partner"},
        {"organisation": world.choir.pk, "role": "supporter"},
    ]
    response = client.post(
        URL,
        payload(
            world, organisations=[world.choir.pk, world.red_cross.pk], organisation_roles=roles
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    links = {link["organisation"]: link["role"] for link in response.json()["organisation_links"]}
    assert links == {world.choir.pk: "lead", world.red_cross.pk: "partner"}


def test_the_database_holds_one_lead(world):
    partnership = PartnershipFactory(links__organisations={world.red_cross: "lead"})
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipOrganisation.objects.create(
            partnership=partnership, organisation=world.choir, role=OrganisationRole.LEAD
        )


def test_changing_the_lead_in_an_edit_keeps_one(world, api_client):
    partnership = PartnershipFactory(
        links__municipalities=[world.oslo],
        links__organisations={world.red_cross: "lead", world.choir: "partner"},
    )
    response = _as(api_client, world.coordinator).patch(
        f"{URL}{partnership.pk}/",
        {
            "organisations": [world.red_cross.pk, world.choir.pk],
            "organisation_roles": [{"organisation": world.choir.pk, "role": "lead"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    roles = dict(partnership.organisation_links.values_list("organisation_id", "role"))
    assert roles == {world.red_cross.pk: "partner", world.choir.pk: "lead"}
