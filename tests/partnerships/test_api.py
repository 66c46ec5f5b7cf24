"""The partnerships API: the permission table cell by cell, the workflow, and its costs."""

import datetime

import pytest
from django.core import mail

from partnerships.models import Partnership, PartnershipEvent
from partnerships.notifications import send_event_notification
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    admin_user,
    analyst,
    coordinator_of,
    representative_of,
)
from tests.utils import wait_for

URL = "/api/v1/partnerships/"


class World:
    """Two municipalities, two organisations, a person in every role, three partnerships."""

    def __init__(self):
        self.oslo = MunicipalityFactory(name="Oslo")
        self.bergen = MunicipalityFactory(name="Bergen")
        self.red_cross = OrganisationFactory(name="Oslo Røde Kors")
        self.choir = OrganisationFactory(name="Bergen kor")
        self.users = {
            "anonymous": None,
            "representative": representative_of(self.red_cross, email="rep@example.org"),
            "other_representative": representative_of(self.choir),
            "coordinator": coordinator_of(self.oslo, email="coord@example.org"),
            "other_coordinator": coordinator_of(self.bergen),
            "analyst": analyst(),
            "admin": admin_user(),
        }
        links = {"municipalities": [self.oslo], "organisations": {self.red_cross: "lead"}}
        self.active = PartnershipFactory(status="active", **_links(links))
        self.completed = PartnershipFactory(
            status="completed", end_date=datetime.date(2025, 1, 1), **_links(links)
        )
        self.proposal = PartnershipFactory(status="under_review", start_date=None, **_links(links))
        self.draft = PartnershipFactory(status="draft", start_date=None, **_links(links))
        self.sent_back = PartnershipFactory(
            status="changes_requested", start_date=None, **_links(links)
        )
        self.declined = PartnershipFactory(status="declined", **_links(links))


def _links(links):
    return {f"links__{key}": value for key, value in links.items()}


@pytest.fixture
def world(db):
    return World()


def client_for(api_client, user):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def payload(world, **overrides):
    data = {
        "title": "Språkkafé på biblioteket",
        "municipalities": [world.oslo.pk],
        "organisations": [world.red_cross.pk],
        "fields": ["inclusion", "culture"],
        "forms": ["premises"],
        "co_creation_type": "equal",
        "initiator": "local_civic",
        "involvement_phase": "problem_definition",
        "goals_control": "shared",
        "agreement": "written",
        "status": "draft",
    }
    data.update(overrides)
    return data


# --- reading ---------------------------------------------------------------------------------

READ = {
    # role: (sees established, sees proposals and declined, sees drafts)
    "anonymous": (True, False, False),
    "representative": (True, True, True),
    "other_representative": (True, False, False),
    "coordinator": (True, True, False),  # a draft is the organisation's until it is sent
    "other_coordinator": (True, False, False),
    "analyst": (True, True, False),
    "admin": (True, True, True),
}


@pytest.mark.parametrize("role", READ)
def test_read_table(world, api_client, role):
    client = client_for(api_client, world.users[role])
    sees_established, sees_proposals, sees_drafts = READ[role]
    for partnership, visible in [
        (world.active, sees_established),
        (world.completed, sees_established),
        (world.proposal, sees_proposals),
        (world.sent_back, sees_proposals),
        (world.draft, sees_drafts),
        (world.declined, sees_proposals),
    ]:
        response = client.get(f"{URL}{partnership.pk}/")
        assert response.status_code == (200 if visible else 404), partnership.status
    listed = {row["id"] for row in client.get(URL).json()["results"]}
    expected = {world.active.pk, world.completed.pk}
    if sees_proposals:
        expected |= {world.proposal.pk, world.sent_back.pk, world.declined.pk}
    if sees_drafts:
        expected |= {world.draft.pk}
    assert listed == expected


def test_response_fields_and_personal_data(world, api_client):
    world.active.created_by = world.users["coordinator"]
    world.active.save()
    body = api_client.get(f"{URL}{world.active.pk}/").json()
    assert body["created_by"] is None  # anonymous: no personal data
    assert body["municipalities"] == [world.oslo.pk]
    assert body["organisation_roles"] == [{"organisation": world.red_cross.pk, "role": "lead"}]
    assert body["derived_co_creation_type"] == "equal"
    assert body["fields"] == ["culture"]
    api_client.force_authenticate(world.users["coordinator"])
    body = api_client.get(f"{URL}{world.active.pk}/").json()
    assert body["created_by"] == world.users["coordinator"].username


# --- creating --------------------------------------------------------------------------------

CREATE = [
    # role, overrides, expected status
    ("anonymous", {}, 401),
    ("representative", {"status": "draft"}, 201),
    ("representative", {"status": "active", "start_date": "2025-01-01"}, 403),
    ("other_representative", {"status": "draft"}, 403),
    ("coordinator", {"status": "active", "start_date": "2025-01-01"}, 201),
    ("coordinator", {"status": "completed", "start_date": "2024-01-01",
                     "end_date": "2025-01-01"}, 201),
    ("other_coordinator", {"status": "active", "start_date": "2025-01-01"}, 403),
    ("analyst", {"status": "draft"}, 403),
    ("admin", {"status": "active", "start_date": "2025-01-01"}, 201),
]  # fmt: skip


@pytest.mark.parametrize(("role", "overrides", "expected"), CREATE)
def test_create_table(world, api_client, role, overrides, expected):
    before = Partnership.objects.count()
    response = client_for(api_client, world.users[role]).post(
        URL, payload(world, **overrides), format="json"
    )
    assert response.status_code == expected, response.content
    assert Partnership.objects.count() == before + (1 if expected == 201 else 0)
    if expected == 201:
        body = response.json()
        assert body["status"] == overrides["status"]
        assert body["derived_co_creation_type"] == "equal"
        assert body["fields"] == ["culture", "inclusion"]
        created = Partnership.objects.get(pk=body["id"])
        assert created.created_by == world.users[role]
        assert created.history.get().history_user == world.users[role]


def test_bad_input_names_each_field_and_writes_nothing(world, api_client):
    api_client.force_authenticate(world.users["coordinator"])
    response = api_client.post(
        URL,
        payload(world, title="", fields=["knitting"], initiator="mayor", municipalities=[999999]),
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["errors"]) == {"title", "fields", "initiator", "municipalities"}
    assert "knitting" in body["errors"]["fields"][0]
    assert body["detail"]
    # The rules the service checks come back the same way.
    response = api_client.post(
        URL,
        payload(world, status="active", start_date="2025-05-01", end_date="2025-01-01"),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"end_date"}
    assert Partnership.objects.count() == 6


def test_roles_for_several_organisations(world, api_client):
    api_client.force_authenticate(world.users["admin"])
    response = api_client.post(
        URL,
        payload(
            world,
            organisations=[world.red_cross.pk, world.choir.pk],
            organisation_roles=[{"organisation": world.choir.pk, "role": "lead"},
                                {"organisation": world.red_cross.pk, "role": "supporter"}],
        ),
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["organisation_roles"] == [
        {"organisation": world.choir.pk, "role": "lead"},
        {"organisation": world.red_cross.pk, "role": "supporter"},
    ]


# --- editing ---------------------------------------------------------------------------------

EDIT = [
    # role, partnership, change, expected status
    ("anonymous", "active", {"title": "Nytt navn"}, 401),
    ("representative", "draft", {"title": "Nytt navn"}, 200),
    ("representative", "proposal", {"fields": ["sport"]}, 200),
    ("representative", "active", {"outcomes": "200 deltakere"}, 200),
    ("representative", "active", {"title": "Nytt navn"}, 403),
    ("representative", "completed", {"outcomes": "200 deltakere"}, 403),
    ("other_representative", "active", {"outcomes": "x"}, 403),
    ("other_representative", "draft", {"title": "x"}, 404),
    ("coordinator", "active", {"title": "Nytt navn", "fields": ["sport"]}, 200),
    ("coordinator", "completed", {"outcomes": "Evaluert"}, 200),
    ("other_coordinator", "active", {"title": "x"}, 403),
    ("other_coordinator", "proposal", {"title": "x"}, 404),
    ("analyst", "active", {"title": "x"}, 403),
    ("admin", "declined", {"title": "Nytt navn"}, 200),
]


@pytest.mark.parametrize(("role", "which", "change", "expected"), EDIT)
def test_edit_table(world, api_client, role, which, change, expected):
    partnership = getattr(world, which)
    before = Partnership.objects.get(pk=partnership.pk)
    response = client_for(api_client, world.users[role]).patch(
        f"{URL}{partnership.pk}/", change, format="json"
    )
    assert response.status_code == expected, response.content
    after = Partnership.objects.get(pk=partnership.pk)
    for name, value in change.items():
        current = after.field_values if name == "fields" else getattr(after, name)
        if expected == 200:
            assert current == value
        else:
            assert current == (before.field_values if name == "fields" else getattr(before, name))


def test_status_is_not_changed_by_an_edit(world, api_client):
    api_client.force_authenticate(world.users["coordinator"])
    response = api_client.patch(f"{URL}{world.proposal.pk}/", {"status": "active"}, format="json")
    assert response.status_code == 200
    assert Partnership.objects.get(pk=world.proposal.pk).status == "under_review"


def test_a_representative_cannot_remove_their_own_organisation(world, api_client):
    api_client.force_authenticate(world.users["representative"])
    response = api_client.patch(
        f"{URL}{world.draft.pk}/", {"organisations": [world.choir.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "organisations" in response.json()["errors"]
    assert list(world.draft.organisations.all()) == [world.red_cross]


# --- workflow --------------------------------------------------------------------------------

TRANSITIONS = [
    # role, partnership, action, body, expected http status, expected partnership status
    ("representative", "draft", "submit", {}, 200, "under_review"),
    ("coordinator", "draft", "submit", {}, 404, "draft"),  # a draft is the organisation's
    ("other_representative", "draft", "submit", {}, 404, "draft"),
    ("coordinator", "proposal", "accept", {}, 200, "active"),
    ("admin", "proposal", "accept", {}, 200, "active"),
    ("representative", "proposal", "accept", {}, 403, "under_review"),
    ("other_coordinator", "proposal", "accept", {}, 404, "under_review"),
    ("analyst", "proposal", "accept", {}, 403, "under_review"),
    ("anonymous", "proposal", "accept", {}, 401, "under_review"),
    ("coordinator", "proposal", "decline", {"comment": "Ikke budsjett i år"}, 200, "declined"),
    ("coordinator", "proposal", "decline", {}, 400, "under_review"),
    ("coordinator", "proposal", "request-changes", {"comment": "Legg til budsjett"}, 200,
     "changes_requested"),
    ("representative", "sent_back", "submit", {}, 200, "under_review"),
    ("coordinator", "sent_back", "accept", {}, 409, "changes_requested"),
    ("coordinator", "active", "accept", {}, 409, "active"),
    ("coordinator", "draft", "accept", {}, 404, "draft"),
    ("admin", "draft", "accept", {}, 409, "draft"),
    ("coordinator", "declined", "request-changes", {"comment": "x"}, 409, "declined"),
    ("coordinator", "active", "complete", {}, 200, "completed"),
    ("coordinator", "active", "discontinue", {"comment": "Mistet lokaler"}, 200,
     "discontinued"),
    ("representative", "active", "complete", {}, 403, "active"),
]  # fmt: skip


@pytest.mark.parametrize(("role", "which", "action", "body", "expected", "status"), TRANSITIONS)
def test_transition_table(world, api_client, role, which, action, body, expected, status):
    partnership = getattr(world, which)
    response = client_for(api_client, world.users[role]).post(
        f"{URL}{partnership.pk}/{action}/", body, format="json"
    )
    assert response.status_code == expected, response.content
    partnership.refresh_from_db()
    assert partnership.status == status
    events = PartnershipEvent.objects.filter(partnership=partnership)
    if expected == 200:
        event = events.get()
        assert (event.actor, event.to_status) == (world.users[role], status)
        assert event.comment == body.get("comment", "")
        assert response.json()["status"] == status
    else:
        assert not events.exists()
        assert response.json()["detail"]


def test_accepting_a_proposal_without_start_date_starts_it_today(world, api_client):
    from django.utils import timezone

    api_client.force_authenticate(world.users["coordinator"])
    response = api_client.post(f"{URL}{world.proposal.pk}/accept/", {}, format="json")
    assert response.json()["start_date"] == timezone.localdate().isoformat()


@pytest.mark.django_db(transaction=True)
def test_the_whole_proposal_journey_notifies_each_side_once(api_client, task_runner):
    world = World()
    rep, coordinator = world.users["representative"], world.users["coordinator"]

    api_client.force_authenticate(rep)
    created = api_client.post(URL, payload(world), format="json").json()
    assert created["status"] == "draft"
    assert api_client.post(f"{URL}{created['id']}/submit/", {}, format="json").status_code == 200
    wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [coordinator.email]
    assert "Språkkafé" in mail.outbox[0].subject

    api_client.force_authenticate(coordinator)
    response = api_client.post(
        f"{URL}{created['id']}/request-changes/", {"comment": "Hvem har ansvar?"}, format="json"
    )
    assert response.status_code == 200
    wait_for(lambda: len(mail.outbox) == 2)
    assert mail.outbox[1].to == [rep.email]
    assert "Hvem har ansvar?" in mail.outbox[1].body

    api_client.force_authenticate(rep)
    api_client.patch(f"{URL}{created['id']}/", {"description": "Frivillige leder"}, format="json")
    api_client.post(f"{URL}{created['id']}/submit/", {}, format="json")
    api_client.force_authenticate(coordinator)
    assert api_client.post(f"{URL}{created['id']}/accept/", {}, format="json").status_code == 200
    wait_for(lambda: len(mail.outbox) == 4)
    assert [m.to for m in mail.outbox[2:]] == [[coordinator.email], [rep.email]]

    events = list(api_client.get(f"{URL}{created['id']}/events/").json())
    assert [e["action"] for e in events] == ["submit", "request_changes", "submit", "accept"]
    assert all(e["actor"] for e in events)
    # Running a notification again (a retry, a duplicate delivery) sends nothing.
    assert all(send_event_notification(e["id"]) == 0 for e in events)
    assert len(mail.outbox) == 4


# --- history, filters, costs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("coordinator", 200), ("admin", 200), ("representative", 403), ("analyst", 403),
     ("other_coordinator", 403), ("anonymous", 403)],
)  # fmt: skip
def test_history_is_for_coordinators_and_admins(world, api_client, role, expected):
    coordinator = world.users["coordinator"]
    api_client.force_authenticate(coordinator)
    api_client.patch(
        f"{URL}{world.active.pk}/", {"title": "Nytt navn", "fields": ["sport"]}, format="json"
    )
    api_client.force_authenticate(world.users[role])
    response = api_client.get(f"{URL}{world.active.pk}/history/")
    assert response.status_code == expected
    if expected == 200:
        latest = response.json()[0]
        assert latest["history_user"] == coordinator.username
        assert {"field": "title", "old": world.active.title, "new": "Nytt navn"} in latest[
            "changes"
        ]
        assert "+sport" in latest["change_reason"] and "-culture" in latest["change_reason"]


def test_filters(world, api_client):
    api_client.force_authenticate(world.users["admin"])
    sport = PartnershipFactory(
        title="Fotballskole", links__fields=["sport"], links__municipalities=[world.bergen],
        start_date=datetime.date(2020, 5, 1), initiator="local_civic",
    )  # fmt: skip

    def ids(**params):
        return {row["id"] for row in api_client.get(URL, params).json()["results"]}

    assert ids(field="sport") == {sport.pk}
    assert ids(municipality=world.bergen.pk) == {sport.pk}
    assert ids(county=world.bergen.county_id) == {sport.pk}
    assert ids(q="fotball") == {sport.pk}
    assert ids(initiator="local_civic") == {sport.pk}
    assert ids(start_date_before="2021-01-01") == {sport.pk}
    assert sport.pk not in ids(status="under_review")
    assert ids(organisation=world.choir.pk) == set()
    response = api_client.get(URL, {"municipality": 999999, "field": "knitting"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"municipality", "field"}


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "representative", "admin"])
def test_list_costs_the_same_for_3_and_30_rows(world, api_client, role,
                                               django_assert_max_num_queries):  # fmt: skip
    client = client_for(api_client, world.users[role])
    client.get(URL)  # warm caches (content types, sessions)
    with django_assert_max_num_queries(9):
        small = client.get(URL)
    for _ in range(25):
        PartnershipFactory(links__municipalities=[world.oslo],
                           links__organisations={world.red_cross: "lead"},
                           links__fields=["culture", "sport"], links__forms=["grant"])  # fmt: skip
    with django_assert_max_num_queries(9):
        large = client.get(URL)
    assert len(large.json()["results"]) > len(small.json()["results"]) + 20


def test_event_actors_are_personal_data(world, api_client):
    api_client.force_authenticate(world.users["coordinator"])
    api_client.post(f"{URL}{world.proposal.pk}/accept/", {}, format="json")
    coordinator = world.users["coordinator"].username
    roles = {"anonymous": False, "analyst": False, "other_coordinator": False,
             "coordinator": True, "representative": True, "admin": True}  # fmt: skip
    for role, sees in roles.items():
        client = client_for(api_client, world.users[role])
        if world.users[role] is None:
            client.force_authenticate(None)
        events = client.get(f"{URL}{world.proposal.pk}/events/").json()
        assert [e["actor"] for e in events] == [coordinator if sees else None], role


def test_long_comments_and_link_changes_are_kept_whole_in_the_history(world, api_client):
    """The history's change reason holds the whole comment (PostgreSQL enforces lengths)."""
    api_client.force_authenticate(world.users["coordinator"])
    reason = "Vi har ikke budsjett til lokaler i år, men ta gjerne kontakt igjen i februar. " * 3
    response = api_client.post(
        f"{URL}{world.proposal.pk}/decline/", {"comment": reason}, format="json"
    )
    assert response.status_code == 200
    assert world.proposal.history.first().history_change_reason == f"decline: {reason.strip()}"
    many = [MunicipalityFactory(name=f"Kommune med et langt navn {i}") for i in range(6)]
    response = api_client.patch(
        f"{URL}{world.active.pk}/",
        {"municipalities": [world.oslo.pk, *(m.pk for m in many)]},
        format="json",
    )
    assert response.status_code == 200
    assert len(world.active.history.first().history_change_reason) > 100
