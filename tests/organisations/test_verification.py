"""Verification that means something: a change of name, country or number clears it, the
coordinators' queue (page and API) and the e-mail that tells them."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.delivery import deliver_due
from organisations.models import Organisation
from organisations.services import organisation_update, organisation_verify
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
    admin_user,
    coordinator_of,
    norwegian_org_number,
    organisation_in,
    representative_of,
)
from tests.utils import wait_for

pytestmark = pytest.mark.django_db

API = "/api/v1/organisations/"
QUEUE = "/organisations/verification/"
API_QUEUE = "/api/v1/organisations/verification-queue/"
VALID_NUMBER = "974760673"


def verified_in(*municipalities, **fields) -> Organisation:
    """Verified by an administrator (who coordinates nothing, so gets no e-mail)."""
    organisation = organisation_in(*municipalities, **fields)
    return organisation_verify(organisation=organisation, user=admin_user())


def page_data(organisation: Organisation, **overrides) -> dict:
    """The edit form as the page would post it, unchanged unless overridden."""
    data = {
        "name": organisation.name,
        "country": organisation.country,
        "org_number": organisation.org_number,
        "kind": organisation.kind,
        "level": organisation.level,
        "category_1": "4",
        "category_2": "",
        "category_3": "",
        "municipalities": [m.pk for m in organisation.municipalities.all()],
        "description": organisation.description,
        "website": organisation.website,
        "email": organisation.email,
        "phone": organisation.phone,
        "contact_person": organisation.contact_person,
        "address": organisation.address,
    }
    data.update(overrides)
    return data


# --- a change of identity clears the verification -------------------------------------------


def test_verify_records_who_and_when():
    oslo = MunicipalityFactory()
    coordinator = coordinator_of(oslo)
    organisation = organisation_in(oslo)

    organisation_verify(organisation=organisation, user=coordinator)

    organisation.refresh_from_db()
    assert organisation.verified is True
    assert organisation.verified_by == coordinator
    assert organisation.verified_at is not None
    assert organisation.history.first().history_change_reason == "verified"


def test_renaming_through_the_api_clears_the_verification(api_client):
    oslo = MunicipalityFactory()
    organisation = verified_in(oslo, name="Røde Kors Oslo")
    representative = representative_of(organisation)
    api_client.force_login(representative)

    response = api_client.patch(f"{API}{organisation.pk}/", {"name": "Røde Kors Oslo (offisiell)"})

    assert response.status_code == 200, response.content
    assert response.json()["verified"] is False
    assert response.json()["verified_at"] is None
    organisation.refresh_from_db()
    assert (organisation.verified, organisation.verified_at, organisation.verified_by) == (
        False,
        None,
        None,
    )
    assert organisation.verification_changes == {"name": "Røde Kors Oslo"}
    assert organisation.verification_requested_at is not None
    latest = organisation.history.first()
    assert latest.history_change_reason == "verification cleared: name changed"
    assert latest.history_user == representative


def test_renaming_on_the_page_clears_the_verification_and_says_so(client):
    oslo = MunicipalityFactory()
    organisation = verified_in(oslo, name="Røde Kors Oslo")
    client.force_login(representative_of(organisation))
    edit = reverse("organisation-edit", args=[organisation.pk])

    form = client.get(edit).content.decode()
    assert "Changing this clears the organisation's verification" in form

    response = client.post(
        edit, page_data(organisation, name="Røde Kors Oslo (offisiell)"), follow=True
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "the organisation is no longer verified" in body
    assert "Not verified yet" in body
    organisation.refresh_from_db()
    assert organisation.verified is False
    assert organisation.verified_by is None


def test_the_edit_form_of_an_unverified_organisation_has_no_such_note(client):
    organisation = organisation_in(MunicipalityFactory())
    client.force_login(representative_of(organisation))
    body = client.get(reverse("organisation-edit", args=[organisation.pk])).content.decode()
    assert "Changing this clears" not in body


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"org_number": norwegian_org_number(900_001)}, "organisation number changed"),
        ({"country": "DK", "org_number": "10150817"}, "country and organisation number changed"),
        (
            {"name": "Nytt navn", "org_number": norwegian_org_number(900_002)},
            "name and organisation number changed",
        ),
    ],
)
def test_a_changed_number_or_country_clears_it_too(change, reason):
    organisation = verified_in(MunicipalityFactory())
    organisation_update(
        organisation=organisation, user=representative_of(organisation), data=change
    )
    organisation.refresh_from_db()
    assert organisation.verified is False
    assert organisation.history.first().history_change_reason == f"verification cleared: {reason}"
    assert set(organisation.verification_changes) == set(change)


def test_other_edits_keep_the_verification(api_client, client):
    oslo = MunicipalityFactory()
    organisation = verified_in(oslo, phone="1")
    verified_by, verified_at = organisation.verified_by, organisation.verified_at
    representative = representative_of(organisation)
    api_client.force_login(representative)

    response = api_client.patch(
        f"{API}{organisation.pk}/",
        # The same number, typed differently, is no change either.
        {"phone": "+47 22 00 00 00", "org_number": " ".join(organisation.org_number)},
    )
    assert response.status_code == 200, response.content
    client.force_login(representative)
    response = client.post(
        reverse("organisation-edit", args=[organisation.pk]),
        page_data(organisation, phone="+47 99 99 99 99", description="Ny tekst"),
        follow=True,
    )
    assert "The profile is saved." in response.content.decode()

    organisation.refresh_from_db()
    assert organisation.phone == "+47 99 99 99 99"
    assert (organisation.verified, organisation.verified_by, organisation.verified_at) == (
        True,
        verified_by,
        verified_at,
    )


def test_a_rename_before_verification_keeps_it_a_new_registration():
    oslo = MunicipalityFactory()
    organisation = organisation_in(oslo, name="Første navn")
    organisation_update(
        organisation=organisation, user=representative_of(organisation), data={"name": "Andre"}
    )
    organisation.refresh_from_db()
    assert organisation.verified is False
    assert organisation.verification_changes == {}
    assert organisation.history.first().history_change_reason is None


def test_renamed_twice_the_queue_shows_the_name_that_was_verified():
    organisation = verified_in(MunicipalityFactory(), name="Verifisert navn")
    representative = representative_of(organisation)
    for name in ("Andre navn", "Tredje navn"):
        organisation_update(organisation=organisation, user=representative, data={"name": name})
    organisation.refresh_from_db()
    assert organisation.verification_changes == {"name": "Verifisert navn"}


def test_verifying_again_clears_the_request():
    oslo = MunicipalityFactory()
    organisation = verified_in(oslo)
    organisation_update(
        organisation=organisation, user=representative_of(organisation), data={"name": "Nytt"}
    )
    coordinator = coordinator_of(oslo)
    organisation_verify(organisation=organisation, user=coordinator)
    organisation.refresh_from_db()
    assert organisation.verified is True
    assert organisation.verified_by == coordinator
    assert organisation.verification_changes == {}
    assert organisation.verification_requested_at is None


# --- nobody sets `verified` by writing it -----------------------------------------------------


@pytest.mark.parametrize("field", ["verified", "verified_at", "verified_by"])
def test_an_api_update_naming_a_verification_field_is_refused(api_client, field):
    organisation = organisation_in(MunicipalityFactory())
    api_client.force_login(representative_of(organisation))
    value = {"verified": True, "verified_at": "2024-01-01T00:00:00Z", "verified_by": 1}[field]

    response = api_client.patch(f"{API}{organisation.pk}/", {field: value, "phone": "2"})

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert "read-only" in response.json()["errors"][field][0]
    organisation.refresh_from_db()
    assert (organisation.verified, organisation.phone) == (False, "")


def test_an_api_registration_naming_verified_is_refused(api_client):
    api_client.force_login(UserFactory())
    response = api_client.post(
        API,
        {"name": "Fana turlag", "country": "NO", "org_number": VALID_NUMBER, "kind": "association",
         "verified": True},
    )  # fmt: skip
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["verified"]
    assert not Organisation.objects.exists()


def test_a_page_post_with_verified_is_ignored(client):
    organisation = organisation_in(MunicipalityFactory())
    client.force_login(representative_of(organisation))
    client.post(
        reverse("organisation-edit", args=[organisation.pk]),
        page_data(organisation, verified="on", verified_by="1"),
    )
    organisation.refresh_from_db()
    assert organisation.verified is False
    assert organisation.verified_by is None


# --- the queue page ---------------------------------------------------------------------------


def test_the_queue_asks_anonymous_users_to_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("role", ["plain", "representative", "analyst"])
def test_the_queue_is_forbidden_to_those_who_coordinate_nothing(client, roles, role):
    organisation = roles.unverify(roles.organisation)  # the representative's
    client.force_login(roles.user(role))
    assert client.get(QUEUE).status_code == 403
    assert client.post(QUEUE, {"organisation": organisation.pk}).status_code == 403
    organisation.refresh_from_db()
    assert organisation.verified is False


def _queue_fixture():
    """Oslo's coordinator's queue: two waiting in Oslo (renamed, new), others not theirs."""
    oslo, bergen = MunicipalityFactory(name="Oslo"), MunicipalityFactory(name="Bergen")
    now = timezone.now()
    new = organisation_in(oslo, bergen, name="Ny forening")
    renamed = organisation_in(
        oslo, name="Røde Kors Oslo (offisiell)", verification_changes={"name": "Røde Kors Oslo"}
    )
    Organisation.objects.filter(pk=new.pk).update(
        verification_requested_at=now - datetime.timedelta(days=1)
    )
    Organisation.objects.filter(pk=renamed.pk).update(
        verification_requested_at=now - datetime.timedelta(days=3)
    )
    organisation_in(oslo, name="Allerede verifisert", verified=True)
    organisation_in(bergen, name="Bare i Bergen")
    OrganisationFactory(name="Ingen kommune")
    return oslo, bergen, new, renamed


def test_the_queue_lists_the_coordinators_unverified_organisations_oldest_first(client):
    oslo, _bergen, new, renamed = _queue_fixture()
    client.force_login(coordinator_of(oslo))

    response = client.get(QUEUE)

    assert response.status_code == 200
    assert list(response.context["organisations"]) == [renamed, new]
    body = response.content.decode()
    assert "Organisations awaiting verification (2)" in body
    assert "<title>Awaiting verification (2)" in body
    assert renamed.org_id in body and new.org_id in body
    assert "Name changed; verified as “Røde Kors Oslo”" in body
    assert "New registration" in body
    assert "Bergen, Oslo" in body  # the municipalities of the new one
    for absent in ("Allerede verifisert", "Bare i Bergen", "Ingen kommune"):
        assert absent not in body


def test_administrators_see_every_unverified_organisation(client):
    _queue_fixture()
    client.force_login(admin_user())
    names = {o.name for o in client.get(QUEUE).context["organisations"]}
    assert names == {"Ny forening", "Røde Kors Oslo (offisiell)", "Bare i Bergen", "Ingen kommune"}


def test_an_empty_queue_says_so(client):
    client.force_login(coordinator_of(MunicipalityFactory()))
    body = client.get(QUEUE).content.decode()
    assert "Organisations awaiting verification (0)" in body
    assert "No organisation in your municipalities is waiting for verification." in body


def test_the_queue_page_queries_do_not_grow_with_its_rows(client, django_assert_max_num_queries):
    oslo = MunicipalityFactory()
    coordinator = coordinator_of(oslo)
    client.force_login(coordinator)
    for _ in range(3):
        organisation_in(oslo, MunicipalityFactory())
    with django_assert_max_num_queries(12) as few:
        assert client.get(QUEUE).status_code == 200
    for _ in range(20):
        organisation_in(oslo, MunicipalityFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(QUEUE)
    assert len(response.context["organisations"]) == 23


def test_verify_from_the_queue(client):
    oslo, _bergen, new, renamed = _queue_fixture()
    coordinator = coordinator_of(oslo)
    client.force_login(coordinator)

    response = client.post(
        QUEUE,
        {"organisation": renamed.pk, "name": renamed.name, "country": "NO",
         "org_number": renamed.org_number},
        follow=True,
    )  # fmt: skip

    assert response.redirect_chain == [(QUEUE, 302)]
    body = response.content.decode()
    assert "Røde Kors Oslo (offisiell) is verified." in body
    assert list(response.context["organisations"]) == [new]
    renamed.refresh_from_db()
    assert renamed.verified is True
    assert renamed.verified_by == coordinator
    assert renamed.verified_at is not None


def test_a_change_made_while_the_coordinator_looked_is_not_verified(client):
    oslo = MunicipalityFactory()
    organisation = organisation_in(oslo, name="Det coordinatoren så")
    client.force_login(coordinator_of(oslo))
    seen = {"organisation": organisation.pk, "name": organisation.name, "country": "NO",
            "org_number": organisation.org_number}  # fmt: skip
    organisation_update(
        organisation=organisation, user=representative_of(organisation), data={"name": "Annet"}
    )

    response = client.post(QUEUE, seen, follow=True)

    assert "check it again before verifying" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.verified is False


def test_a_coordinator_cannot_verify_from_the_queue_outside_their_municipalities(client):
    oslo, _bergen, *_ = _queue_fixture()
    elsewhere = Organisation.objects.get(name="Bare i Bergen")
    client.force_login(coordinator_of(oslo))
    assert client.post(QUEUE, {"organisation": elsewhere.pk}).status_code == 403
    assert client.post(QUEUE, {"organisation": "nope"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.verified is False


# --- the queue in the API -------------------------------------------------------------------


def test_the_api_queue_answers_401_to_anonymous_users(api_client):
    assert api_client.get(API_QUEUE).status_code == 401


@pytest.mark.parametrize("role", ["plain", "representative", "analyst"])
def test_the_api_queue_is_403_for_others(api_client, roles, role):
    roles.unverify(roles.organisation)  # the representative's, waiting in the queue
    api_client.force_login(roles.user(role))
    assert api_client.get(API_QUEUE).status_code == 403


def test_the_api_queue_is_the_same_selection_as_the_page(api_client, django_assert_max_num_queries):
    oslo, _bergen, new, renamed = _queue_fixture()
    api_client.force_login(coordinator_of(oslo))

    with django_assert_max_num_queries(10):
        response = api_client.get(API_QUEUE)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    first, second = data["results"]
    assert (first["id"], first["reason"], first["changes"]) == (
        renamed.pk,
        "changed",
        {"name": "Røde Kors Oslo"},
    )
    assert (second["id"], second["reason"], second["changes"]) == (new.pk, "registered", {})
    assert sorted(second["municipalities"]) == sorted(m.pk for m in new.municipalities.all())
    assert second["verification_requested_at"] is not None


def test_the_api_queue_is_paginated(api_client):
    oslo = MunicipalityFactory()
    for _ in range(3):
        organisation_in(oslo)
    api_client.force_login(coordinator_of(oslo))
    data = api_client.get(API_QUEUE, {"page_size": 2}).json()
    assert (data["count"], len(data["results"])) == (3, 2)
    assert data["next"]


def test_the_api_queue_for_an_administrator(api_client):
    _queue_fixture()
    api_client.force_login(admin_user())
    assert api_client.get(API_QUEUE).json()["count"] == 4


# --- the e-mail to the coordinators -----------------------------------------------------------


def test_a_registration_emails_the_coordinators_of_its_municipalities(
    api_client, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://registry.example.org"
    oslo, bergen, tromso = (MunicipalityFactory(name=n) for n in ("Oslo", "Bergen", "Tromsø"))
    coordinator_of(oslo, email="oslo@example.org")
    coordinator_of(bergen, email="bergen@example.org")
    coordinator_of(tromso, email="tromso@example.org")
    coordinator_of(oslo, email="inactive@example.org", is_active=False)
    api_client.force_login(UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            API,
            {"name": "Fritt fram <http://evil.example>", "country": "NO",
             "org_number": VALID_NUMBER, "kind": "association",
             "municipalities": [oslo.pk, bergen.pk]},
        )  # fmt: skip
    assert response.status_code == 201, response.content

    assert sorted(m.to[0] for m in mail.outbox) == ["bergen@example.org", "oslo@example.org"]
    message = mail.outbox[0]
    assert "awaits verification" in message.subject
    assert "https://registry.example.org/organisations/verification/" in message.body
    assert "NO-BRC-974760673" in message.body
    assert "Bergen, Oslo" in message.body
    # The registry's own words: nothing the unverified organisation chose.
    assert "evil" not in message.body and "Fritt fram" not in message.body
    organisation = Organisation.objects.get(pk=response.json()["id"])
    assert organisation.verification_notified_at is not None


def test_a_rename_of_a_verified_organisation_emails_them_once(
    django_capture_on_commit_callbacks,
):
    oslo = MunicipalityFactory()
    coordinator_of(oslo, email="oslo@example.org")
    organisation = verified_in(oslo)
    representative = representative_of(organisation)

    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(organisation=organisation, user=representative, data={"name": "Nytt"})
    assert [m.to for m in mail.outbox] == [["oslo@example.org"]]
    assert "its name" in mail.outbox[0].body
    assert "needs verification again" in mail.outbox[0].subject

    # Renamed again before anyone verified it: already in the queue, no second mail.
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(organisation=organisation, user=representative, data={"name": "Igjen"})
    # Another edit keeps the verification and mails no one.
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(organisation=organisation, user=representative, data={"phone": "3"})
    assert len(mail.outbox) == 1
    # Sending again (a task run twice) sends nothing.
    assert deliver_due(due_only=False) == {}
    assert len(mail.outbox) == 1


def test_no_mail_for_edits_that_keep_the_verification(django_capture_on_commit_callbacks):
    oslo = MunicipalityFactory()
    coordinator_of(oslo)
    organisation = verified_in(oslo)
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(
            organisation=organisation,
            user=representative_of(organisation),
            data={"description": "Ny tekst", "phone": "5"},
        )
    assert mail.outbox == []


def test_the_coordinator_who_renames_is_not_mailed_about_it(django_capture_on_commit_callbacks):
    oslo = MunicipalityFactory()
    organisation = verified_in(oslo)
    both = coordinator_of(oslo, email="both@example.org")
    from accounts.choices import MembershipRole
    from accounts.models import Membership

    Membership.objects.create(
        user=both, role=MembershipRole.REPRESENTATIVE, organisation=organisation
    )
    with django_capture_on_commit_callbacks(execute=True):
        organisation_update(organisation=organisation, user=both, data={"name": "Nytt"})
    assert mail.outbox == []


def test_the_mail_is_sent_by_the_task_after_the_commit(api_client, task_runner):
    oslo = MunicipalityFactory()
    coordinator_of(oslo, email="oslo@example.org")
    api_client.force_login(UserFactory())
    response = api_client.post(
        API,
        {"name": "Fana turlag", "country": "NO", "org_number": VALID_NUMBER,
         "kind": "association", "municipalities": [oslo.pk]},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == ["oslo@example.org"]


def test_the_profile_page_verifies_only_what_the_coordinator_saw(client):
    oslo = MunicipalityFactory()
    organisation = organisation_in(oslo, name="Slik det så ut")
    coordinator = coordinator_of(oslo)
    client.force_login(coordinator)
    verify = reverse("organisation-verify", args=[organisation.pk])
    body = client.get(reverse("organisation-detail", args=[organisation.pk])).content.decode()
    assert 'name="name" value="Slik det så ut"' in body

    stale = client.post(verify, {"name": "Noe annet"}, follow=True)
    assert "check it again before verifying" in stale.content.decode()
    organisation.refresh_from_db()
    assert organisation.verified is False

    client.post(verify, {"name": "Slik det så ut", "org_number": organisation.org_number})
    organisation.refresh_from_db()
    assert (organisation.verified, organisation.verified_by) == (True, coordinator)
