"""The admin site writes through the services: no status or verified flag changes without the
event, the e-mail and the who/when that the services record."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.forms import MultiWidget
from django.urls import reverse

from accounts.choices import MembershipRole
from accounts.models import Membership
from organisations.models import Organisation
from partnerships.choices import Status
from partnerships.models import Partnership, PartnershipEvent
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
    admin_user,
    coordinator_of,
    organisation_in,
    representative_of,
)

pytestmark = pytest.mark.django_db

PARTNERSHIPS = reverse("admin:partnerships_partnership_changelist")
ORGANISATIONS = reverse("admin:organisations_organisation_changelist")


@pytest.fixture
def superuser(client):
    user = admin_user(username="sjefen")
    client.force_login(user)
    return user


def form_data(client, url: str) -> dict:
    """What the admin's change form posts back unchanged: its fields and inline formsets."""
    response = client.get(url)
    assert response.status_code == 200
    data: dict = {}

    def add(bound_field) -> None:
        value = bound_field.value()
        if value is None or value is False:
            return
        widget = bound_field.field.widget
        if isinstance(widget, MultiWidget):  # e.g. a date and a time
            for index, part in enumerate(widget.decompress(value)):
                data[f"{bound_field.html_name}_{index}"] = str(part)
            return
        if value is True:
            data[bound_field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound_field.html_name] = [str(v) for v in value]
        else:
            data[bound_field.html_name] = str(value)

    for bound_field in response.context["adminform"].form:
        add(bound_field)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound_field in formset.management_form:
            add(bound_field)
        for form in formset.forms:
            for bound_field in form:
                add(bound_field)
    return data


def run_action(client, changelist: str, action: str, objects, **extra):
    return client.post(
        changelist,
        {"action": action, ACTION_CHECKBOX_NAME: [o.pk for o in objects], "index": 0, **extra},
        follow=True,
    )


# --- partnerships ---------------------------------------------------------------------------


def test_the_partnership_change_form_cannot_set_the_status(client, superuser):
    partnership = PartnershipFactory(status=Status.UNDER_REVIEW, start_date=None)
    url = reverse("admin:partnerships_partnership_change", args=[partnership.pk])
    data = form_data(client, url)
    assert "status" not in data  # read-only: not even a field of the form
    data.update(status=Status.DECLINED, title="Nytt navn", created_by=str(superuser.pk))

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    partnership.refresh_from_db()
    assert partnership.title == "Nytt navn"
    assert partnership.status == Status.UNDER_REVIEW
    assert partnership.created_by is None
    assert not PartnershipEvent.objects.exists()


def test_the_change_form_shows_the_status_read_only(client, superuser):
    partnership = PartnershipFactory()
    body = client.get(
        reverse("admin:partnerships_partnership_change", args=[partnership.pk])
    ).content.decode()
    assert 'name="status"' not in body
    assert "Active" in body


def test_accept_action_runs_the_workflow_for_each_row(
    client, superuser, django_capture_on_commit_callbacks
):
    oslo = MunicipalityFactory()
    organisation = organisation_in(oslo)
    representative_of(organisation, email="lag@example.org")
    waiting = PartnershipFactory(
        status=Status.UNDER_REVIEW,
        start_date=None,
        links__municipalities=[oslo],
        links__organisations={organisation: "lead"},
    )
    active = PartnershipFactory(title="Allerede aktiv")

    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(client, PARTNERSHIPS, "transition_accept", [waiting, active])

    body = response.content.decode()
    assert "1 partnership done" in body
    assert "“Allerede aktiv”: not changed." in body
    waiting.refresh_from_db()
    active.refresh_from_db()
    assert waiting.status == Status.ACTIVE
    assert active.status == Status.ACTIVE
    event = PartnershipEvent.objects.get(partnership=waiting)
    assert (event.action, event.actor, event.from_status) == (
        "accept",
        superuser,
        Status.UNDER_REVIEW,
    )
    assert not PartnershipEvent.objects.filter(partnership=active).exists()
    assert [m.to for m in mail.outbox] == [["lag@example.org"]]
    assert waiting.history.first().history_user == superuser


def test_complete_action(client, superuser):
    partnership = PartnershipFactory(status=Status.ACTIVE)
    run_action(client, PARTNERSHIPS, "transition_complete", [partnership])
    partnership.refresh_from_db()
    assert partnership.status == Status.COMPLETED
    assert PartnershipEvent.objects.get(partnership=partnership).actor == superuser


def test_decline_asks_for_a_reason_first(client, superuser):
    partnerships = [PartnershipFactory(status=Status.UNDER_REVIEW, start_date=None) for _ in "ab"]

    response = run_action(client, PARTNERSHIPS, "transition_decline", partnerships)

    assert response.status_code == 200
    assert response.templates[0].name == "admin/partnerships/partnership/transition_comment.html"
    assert 'name="comment"' in response.content.decode()
    assert {p.status for p in Partnership.objects.all()} == {Status.UNDER_REVIEW}

    # Without a reason: asked again.
    again = client.post(
        PARTNERSHIPS,
        {"action": "transition_decline", ACTION_CHECKBOX_NAME: [p.pk for p in partnerships],
         "apply": "yes", "comment": "  "},
    )  # fmt: skip
    assert "Please give a reason." in again.content.decode()
    assert {p.status for p in Partnership.objects.all()} == {Status.UNDER_REVIEW}

    response = client.post(
        PARTNERSHIPS,
        {"action": "transition_decline", ACTION_CHECKBOX_NAME: [p.pk for p in partnerships],
         "apply": "yes", "comment": "Utenfor kommunens ansvar"},
        follow=True,
    )  # fmt: skip

    assert "2 partnerships done" in response.content.decode()
    assert {p.status for p in Partnership.objects.all()} == {Status.DECLINED}
    assert {(e.action, e.comment, e.actor) for e in PartnershipEvent.objects.all()} == {
        ("decline", "Utenfor kommunens ansvar", superuser)
    }


def test_there_is_no_action_that_skips_the_workflow(client, superuser):
    response = client.get(PARTNERSHIPS)
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert set(actions) == {
        "",
        "delete_selected",
        "transition_accept",
        "transition_decline",
        "transition_request_changes",
        "transition_complete",
        "transition_discontinue",
    }


# --- organisations --------------------------------------------------------------------------


def test_the_organisation_change_form_cannot_verify(client, superuser):
    organisation = organisation_in(MunicipalityFactory(), name="Uverifisert")
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    data = form_data(client, url)
    assert "verified" not in data
    data.update(verified="on", verified_by=str(superuser.pk), phone="22 00 00 00")

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation.refresh_from_db()
    assert organisation.phone == "22 00 00 00"
    assert (organisation.verified, organisation.verified_by) == (False, None)


def test_verify_action_records_who_and_when(client, superuser):
    first, second = (organisation_in(MunicipalityFactory()) for _ in range(2))

    response = run_action(client, ORGANISATIONS, "verify_selected", [first, second])

    assert "2 organisations verified." in response.content.decode()
    for organisation in (first, second):
        organisation.refresh_from_db()
        assert organisation.verified is True
        assert organisation.verified_by == superuser
        assert organisation.verified_at is not None
        assert organisation.history.first().history_user == superuser


def test_renaming_in_the_admin_clears_the_verification(
    client, superuser, django_capture_on_commit_callbacks
):
    oslo = MunicipalityFactory()
    coordinator_of(oslo, email="oslo@example.org")
    organisation = organisation_in(oslo, name="Røde Kors Oslo")
    run_action(client, ORGANISATIONS, "verify_selected", [organisation])
    url = reverse("admin:organisations_organisation_change", args=[organisation.pk])
    data = form_data(client, url)
    data["name"] = "Røde Kors Oslo (offisiell)"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Røde Kors Oslo (offisiell)"
    assert (organisation.verified, organisation.verified_by) == (False, None)
    latest = organisation.history.first()
    assert latest.history_change_reason == "verification cleared: name changed"
    assert latest.history_user == superuser
    assert [m.to for m in mail.outbox] == [["oslo@example.org"]]


def test_an_organisation_added_in_the_admin_joins_the_queue(
    client, superuser, django_capture_on_commit_callbacks
):
    oslo = MunicipalityFactory()
    coordinator_of(oslo, email="oslo@example.org")
    url = reverse("admin:organisations_organisation_add")
    data = form_data(client, url)
    data.update(
        name="Ny forening",
        country="NO",
        org_number="974760673",
        kind="association",
        level="local",
        municipalities=[str(oslo.pk)],
        verified="on",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation = Organisation.objects.get(name="Ny forening")
    assert organisation.verified is False
    assert organisation.verification_requested_at is not None
    assert organisation.created_by == superuser
    assert [m.to for m in mail.outbox] == [["oslo@example.org"]]


# --- memberships ----------------------------------------------------------------------------


def test_a_membership_added_in_the_admin_records_the_administrator(client, superuser):
    user = UserFactory()
    municipality = MunicipalityFactory()
    url = reverse("admin:accounts_membership_add")
    data = form_data(client, url)
    data.update(
        user=str(user.pk), role=MembershipRole.COORDINATOR, municipality=str(municipality.pk)
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    membership = Membership.objects.get(user=user)
    assert membership.invited_by == superuser
    assert membership.municipality == municipality


def test_a_membership_added_on_the_user_page_records_the_administrator(client, superuser):
    user = UserFactory(email_confirmed=False)
    organisation = OrganisationFactory()
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = form_data(client, url)
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-0-role": MembershipRole.REPRESENTATIVE,
            "memberships-0-organisation": str(organisation.pk),
            "memberships-0-user": str(user.pk),
        }
    )

    response = client.post(url, data, follow=True)

    assert response.status_code == 200
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.invited_by) == (organisation, superuser)
    assert "has not confirmed an e-mail address" in response.content.decode()
