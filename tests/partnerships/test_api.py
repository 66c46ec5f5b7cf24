"""The partnerships API: the permission table cell by cell, the workflow, and its costs."""

import datetime

import pytest
from django.core import mail

from partnerships.models import Partnership, PartnershipEvent
from tests.api_cases import CreateCase, ListCase, RetrieveCase, UpdateCase, client_as
from tests.factories import MunicipalityFactory, PartnershipFactory
from tests.roles import ROLE_NAMES
from tests.utils import wait_for

URL = "/api/v1/partnerships/"


@pytest.fixture
def p(roles) -> dict[str, Partnership]:
    """A partnership of the shared roles' municipality and organisation in each status."""
    return {
        "active": roles.partnership_in("active"),
        "completed": roles.partnership_in("completed"),
        "proposal": roles.partnership_in("under_review"),
        "draft": roles.partnership_in("draft"),
        "sent_back": roles.partnership_in("changes_requested"),
        "declined": roles.partnership_in("declined"),
    }


def payload(roles, **overrides):
    data = {
        "title": "Språkkafé på biblioteket",
        "municipalities": [roles.municipality.pk],
        "organisations": [roles.organisation.pk],
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


# --- the permission table, status by status ---------------------------------------------------

EVERYONE = ROLE_NAMES
#: A proposal is found by its partners (and by analysts and administrators), not by others.
PARTNERS = ("representative", "coordinator", "analyst", "admin")


def table(default: int, **cells: int) -> dict[str, int]:
    return {role: cells.get(role, default) for role in ROLE_NAMES}


class PartnershipCase(ListCase, RetrieveCase, UpdateCase):
    """One partnership of ``municipality`` and ``organisation`` in ``status``."""

    url = URL
    model = Partnership
    status: str
    update_data = {"title": "Nytt navn"}
    invalid_update_data = {"title": "", "fields": ["knitting"]}

    def make_object(self, roles):
        return roles.partnership_in(self.status)


class TestDraftPartnershipAPI(PartnershipCase):
    """A draft is the organisation's until it is sent: not even the municipality sees it."""

    status = "draft"
    visible_to = ("representative", "admin")
    update_status = table(404, anonymous=401, representative=200, admin=200)


class TestUnderReviewPartnershipAPI(PartnershipCase):
    status = "under_review"
    visible_to = PARTNERS
    update_status = table(
        404, anonymous=401, representative=200, coordinator=200, analyst=403, admin=200
    )


class TestChangesRequestedPartnershipAPI(PartnershipCase):
    status = "changes_requested"
    visible_to = PARTNERS
    update_status = table(
        404, anonymous=401, representative=200, coordinator=200, analyst=403, admin=200
    )


class TestDeclinedPartnershipAPI(PartnershipCase):
    status = "declined"
    visible_to = PARTNERS
    update_status = table(
        404, anonymous=401, representative=403, coordinator=200, analyst=403, admin=200
    )


class TestActivePartnershipAPI(PartnershipCase):
    """Established: everyone reads; the municipality and administrators rename it (its
    organisation only reports outcomes, see ``test_edit_table``)."""

    status = "active"
    update_status = table(403, anonymous=401, coordinator=200, admin=200)
    # The organisation may change some fields (outcomes): a bad title gets the 400.


class TestCompletedPartnershipAPI(PartnershipCase):
    status = "completed"
    update_status = table(403, anonymous=401, coordinator=200, admin=200)


class TestDiscontinuedPartnershipAPI(PartnershipCase):
    status = "discontinued"
    update_status = table(403, anonymous=401, coordinator=200, admin=200)


class TestCreatePartnershipAPI(CreateCase):
    """Coordinators log partnerships of their municipality, representatives propose their
    organisation's; nobody else writes."""

    url = URL
    model = Partnership
    create_status = table(403, anonymous=401, representative=201, coordinator=201, admin=201)
    # Who may create at all is checked before the body (403 for analysts and plain users);
    # who may for *this* place only once the body has named a place that exists.
    invalid_create_status = {"other_representative": 400, "other_coordinator": 400}
    invalid_create_data = {"title": "", "fields": ["knitting"], "municipalities": [999999]}

    def make_object(self, roles):
        return None

    def get_create_data(self, roles):
        data = payload(roles, start_date="2025-01-01")
        del data["status"]  # each role's default
        return data

    def assert_created(self, roles, role, data, response):
        body = response.json()
        assert body["derived_co_creation_type"] == "equal"
        assert body["fields"] == ["culture", "inclusion"]
        assert body["municipalities"] == [roles.municipality.pk]
        created = Partnership.objects.get(pk=body["id"])
        assert created.title == data["title"]
        assert created.created_by == roles.user(role)
        assert created.history.get().history_user == roles.user(role)


def test_response_fields_and_personal_data(roles, p, api_client):
    p["active"].created_by = roles.coordinator
    p["active"].save()
    body = api_client.get(f"{URL}{p['active'].pk}/").json()
    assert body["created_by"] is None  # anonymous: no personal data
    assert body["municipalities"] == [roles.municipality.pk]
    assert body["organisation_roles"] == [{"organisation": roles.organisation.pk, "role": "lead"}]
    assert body["derived_co_creation_type"] == "equal"
    assert body["fields"] == ["culture"]
    api_client.force_authenticate(roles.coordinator)
    body = api_client.get(f"{URL}{p['active'].pk}/").json()
    assert body["created_by"] == roles.coordinator.username


# --- creating --------------------------------------------------------------------------------

CREATE = [
    # role, overrides, expected status: who may create in which status
    ("representative", {"status": "draft"}, 201),
    ("representative", {"status": "active", "start_date": "2025-01-01"}, 403),
    ("coordinator", {"status": "active", "start_date": "2025-01-01"}, 201),
    ("coordinator", {"status": "completed", "start_date": "2024-01-01",
                     "end_date": "2025-01-01"}, 201),
    ("admin", {"status": "active", "start_date": "2025-01-01"}, 201),
]  # fmt: skip


@pytest.mark.parametrize(("role", "overrides", "expected"), CREATE)
def test_create_table(roles, p, api_client, role, overrides, expected):
    before = Partnership.objects.count()
    response = client_as(api_client, roles.user(role)).post(
        URL, payload(roles, **overrides), format="json"
    )
    assert response.status_code == expected, response.content
    assert Partnership.objects.count() == before + (1 if expected == 201 else 0)
    if expected == 201:
        body = response.json()
        assert body["status"] == overrides["status"]
        assert body["derived_co_creation_type"] == "equal"
        assert body["fields"] == ["culture", "inclusion"]
        created = Partnership.objects.get(pk=body["id"])
        assert created.created_by == roles.user(role)
        assert created.history.get().history_user == roles.user(role)


def test_bad_input_names_each_field_and_writes_nothing(roles, p, api_client):
    api_client.force_authenticate(roles.coordinator)
    response = api_client.post(
        URL,
        payload(roles, title="", fields=["knitting"], initiator="mayor", municipalities=[999999]),
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
        payload(roles, status="active", start_date="2025-05-01", end_date="2025-01-01"),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"end_date"}
    assert Partnership.objects.count() == 6


def test_roles_for_several_organisations(roles, p, api_client):
    api_client.force_authenticate(roles.admin)
    response = api_client.post(
        URL,
        payload(
            roles,
            organisations=[roles.organisation.pk, roles.other_organisation.pk],
            organisation_roles=[{"organisation": roles.other_organisation.pk, "role": "lead"},
                                {"organisation": roles.organisation.pk, "role": "supporter"}],
        ),
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["organisation_roles"] == [
        {"organisation": roles.other_organisation.pk, "role": "lead"},
        {"organisation": roles.organisation.pk, "role": "supporter"},
    ]


# --- editing ---------------------------------------------------------------------------------

EDIT = [
    # role, partnership, change, expected status: the cells that depend on the field
    # (a title change in each status is in the Test*PartnershipAPI cases above)
    ("representative", "proposal", {"fields": ["sport"]}, 200),
    ("representative", "active", {"outcomes": "200 deltakere"}, 200),
    ("representative", "completed", {"outcomes": "200 deltakere"}, 403),
    ("other_representative", "active", {"outcomes": "x"}, 403),
    ("coordinator", "active", {"title": "Nytt navn", "fields": ["sport"]}, 200),
    ("coordinator", "completed", {"outcomes": "Evaluert"}, 200),
]


@pytest.mark.parametrize(("role", "which", "change", "expected"), EDIT)
def test_edit_table(roles, p, api_client, role, which, change, expected):
    partnership = p[which]
    before = Partnership.objects.get(pk=partnership.pk)
    response = client_as(api_client, roles.user(role)).patch(
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


def test_status_is_not_changed_by_an_edit(roles, p, api_client):
    api_client.force_authenticate(roles.coordinator)
    response = api_client.patch(f"{URL}{p['proposal'].pk}/", {"status": "active"}, format="json")
    assert response.status_code == 400  # the status moves only through the workflow's actions
    assert list(response.json()["errors"]) == ["status"]
    assert Partnership.objects.get(pk=p["proposal"].pk).status == "under_review"


def test_a_representative_cannot_remove_their_own_organisation(roles, p, api_client):
    api_client.force_authenticate(roles.representative)
    response = api_client.patch(
        f"{URL}{p['draft'].pk}/", {"organisations": [roles.other_organisation.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "organisations" in response.json()["errors"]
    assert list(p["draft"].organisations.all()) == [roles.organisation]


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
def test_transition_table(roles, p, api_client, role, which, action, body, expected, status):
    partnership = p[which]
    last_event = max(partnership.events.values_list("pk", flat=True), default=0)
    response = client_as(api_client, roles.user(role)).post(
        f"{URL}{partnership.pk}/{action}/", body, format="json"
    )
    assert response.status_code == expected, response.content
    partnership.refresh_from_db()
    assert partnership.status == status
    new_events = PartnershipEvent.objects.filter(partnership=partnership, pk__gt=last_event)
    if expected == 200:
        event = new_events.get()
        assert (event.actor, event.to_status) == (roles.user(role), status)
        assert event.comment == body.get("comment", "")
        assert response.json()["status"] == status
    else:
        assert not new_events.exists()
        assert response.json()["detail"]


def test_accepting_a_proposal_without_start_date_starts_it_today(roles, p, api_client):
    from django.utils import timezone

    api_client.force_authenticate(roles.coordinator)
    response = api_client.post(f"{URL}{p['proposal'].pk}/accept/", {}, format="json")
    assert response.json()["start_date"] == timezone.localdate().isoformat()


@pytest.mark.django_db(transaction=True)
def test_the_whole_proposal_journey_notifies_each_side_once(api_client, task_runner, roles):
    rep, coordinator = roles.representative, roles.coordinator

    api_client.force_authenticate(rep)
    created = api_client.post(URL, payload(roles), format="json").json()
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
    from notifications.delivery import NOT_CLAIMED, deliver
    from notifications.models import Notification

    rows = Notification.objects.filter(event_id__in=[e["id"] for e in events])
    assert {deliver(pk) for pk in rows.values_list("pk", flat=True)} == {NOT_CLAIMED}
    assert len(mail.outbox) == 4


# --- history, filters, costs -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("coordinator", 200), ("admin", 200), ("representative", 403), ("analyst", 403),
     ("other_coordinator", 403), ("anonymous", 403)],
)  # fmt: skip
def test_history_is_for_coordinators_and_admins(roles, p, api_client, role, expected):
    coordinator = roles.coordinator
    api_client.force_authenticate(coordinator)
    api_client.patch(
        f"{URL}{p['active'].pk}/", {"title": "Nytt navn", "fields": ["sport"]}, format="json"
    )
    api_client.force_authenticate(roles.user(role))
    response = api_client.get(f"{URL}{p['active'].pk}/history/")
    assert response.status_code == expected
    if expected == 200:
        latest = response.json()[0]
        assert latest["history_user"] == coordinator.username
        assert {"field": "title", "old": p["active"].title, "new": "Nytt navn"} in latest["changes"]
        assert "+sport" in latest["change_reason"] and "-culture" in latest["change_reason"]


def test_filters(roles, p, api_client):
    api_client.force_authenticate(roles.admin)
    sport = PartnershipFactory(
        title="Fotballskole", links__fields=["sport"],
        links__municipalities=[roles.other_municipality],
        start_date=datetime.date(2020, 5, 1), initiator="local_civic",
    )  # fmt: skip

    def ids(**params):
        return {row["id"] for row in api_client.get(URL, params).json()["results"]}

    assert ids(field="sport") == {sport.pk}
    assert ids(municipality=roles.other_municipality.pk) == {sport.pk}
    assert ids(county=roles.other_municipality.county_id) == {sport.pk}
    assert ids(q="fotball") == {sport.pk}
    assert ids(initiator="local_civic") == {sport.pk}
    assert ids(start_date_before="2021-01-01") == {sport.pk}
    assert sport.pk not in ids(status="under_review")
    assert ids(organisation=roles.other_organisation.pk) == set()
    response = api_client.get(URL, {"municipality": 999999, "field": "knitting"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"municipality", "field"}


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "representative", "admin"])
def test_list_costs_the_same_for_3_and_30_rows(roles, p, api_client, role,
                                               django_assert_max_num_queries):  # fmt: skip
    client = client_as(api_client, roles.user(role))
    client.get(URL)  # warm caches (content types, sessions)
    with django_assert_max_num_queries(9):
        small = client.get(URL)
    for _ in range(25):
        PartnershipFactory(links__municipalities=[roles.municipality],
                           links__organisations={roles.organisation: "lead"},
                           links__fields=["culture", "sport"], links__forms=["grant"])  # fmt: skip
    with django_assert_max_num_queries(9):
        large = client.get(URL)
    assert len(large.json()["results"]) > len(small.json()["results"]) + 20


def test_event_actors_are_personal_data(roles, p, api_client):
    api_client.force_authenticate(roles.coordinator)
    api_client.post(f"{URL}{p['proposal'].pk}/accept/", {}, format="json")
    actors = [roles.representative.username, roles.coordinator.username]  # submit, accept
    sees_actors = {"anonymous": False, "plain": False, "analyst": False,
                   "other_representative": False, "other_coordinator": False,
                   "coordinator": True, "representative": True, "admin": True}  # fmt: skip
    for role, sees in sees_actors.items():
        events = (
            client_as(api_client, roles.user(role)).get(f"{URL}{p['proposal'].pk}/events/").json()
        )
        assert [e["actor"] for e in events] == (actors if sees else [None, None]), role


def test_long_comments_and_link_changes_are_kept_whole_in_the_history(roles, p, api_client):
    """The history's change reason holds the whole comment (PostgreSQL enforces lengths)."""
    api_client.force_authenticate(roles.coordinator)
    reason = "Vi har ikke budsjett til lokaler i år, men ta gjerne kontakt igjen i februar. " * 3
    response = api_client.post(
        f"{URL}{p['proposal'].pk}/decline/", {"comment": reason}, format="json"
    )
    assert response.status_code == 200
    assert p["proposal"].history.first().history_change_reason == f"decline: {reason.strip()}"
    many = [MunicipalityFactory(name=f"Kommune med et langt navn {i}") for i in range(6)]
    response = api_client.patch(
        f"{URL}{p['active'].pk}/",
        {"municipalities": [roles.municipality.pk, *(m.pk for m in many)]},
        format="json",
    )
    assert response.status_code == 200
    assert len(p["active"].history.first().history_change_reason) > 100


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_each_list_row_is_the_partnership_as_retrieved(roles, role, api_client):
    """The list builds its rows on its own path (one query for a page's links and creators):
    every row must be exactly what retrieving that partnership answers the same reader."""
    for status in ("draft", "under_review", "active", "completed"):
        roles.partnership_in(status)
    client = client_as(api_client, roles.user(role))
    rows = client.get("/api/v1/partnerships/", {"page_size": 100}).json()["results"]
    assert rows, role
    for row in rows:
        assert client.get(f"/api/v1/partnerships/{row['id']}/").json() == row, row["id"]
