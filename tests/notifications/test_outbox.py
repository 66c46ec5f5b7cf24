"""The outbox in the embedded default (no broker: delivery in-process after the commit),
with Django's locmem mail backend. Runs in every environment."""

import datetime
import hashlib
import re

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from accounts.services import invitation_create
from notifications import delivery
from notifications.models import EmailPreference, Kind, Notification, State
from partnerships.workflow import partnership_transition
from tests.factories import PartnershipFactory, admin_user, coordinator_of, representative_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager():
    """The embedded default, whatever the environment: tasks run in-process."""
    from registry.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def submit(proposal, capture):
    with capture(execute=True):
        return partnership_transition(
            partnership=proposal.draft, user=proposal.representative, action="submit"
        )


def test_a_submit_writes_a_row_per_recipient_and_sends_each_once_after_the_commit(
    proposal, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        event = partnership_transition(
            partnership=proposal.draft, user=proposal.representative, action="submit"
        )
        rows = list(Notification.objects.order_by("email"))
        # Written in the transaction of the change; nothing sent before the commit.
        assert [r.email for r in rows] == proposal.addresses
        assert {r.state for r in rows} == {State.PENDING}
        assert {r.event_id for r in rows} == {event.pk}
        assert {r.kind for r in rows} == {Kind.PROPOSAL_SUBMITTED}
        assert mail.outbox == []
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == proposal.addresses
    by_address = {r.email: r.message_id for r in rows}
    for message in mail.outbox:
        assert len(message.to) == 1  # one recipient per message
        assert message.extra_headers["Message-ID"] == by_address[message.to[0]]
        assert message.message()["Message-ID"] == by_address[message.to[0]]
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}
    assert len(set(by_address.values())) == 3

    # A redelivered task, the sweep and the command send nothing again.
    assert {delivery.deliver(r.pk) for r in rows} == {delivery.NOT_CLAIMED}
    call_command("deliver_notifications")
    assert delivery.deliver_due() == {}
    assert len(mail.outbox) == 3


def test_a_rolled_back_change_writes_and_sends_nothing(
    proposal, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        partnership_transition(
            partnership=proposal.draft, user=proposal.representative, action="submit"
        )
        raise RuntimeError("something later in the request failed")
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_body_says_what_to_do_and_links_to_the_configured_site(
    proposal, client, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://registry.example.no"
    settings.ALLOWED_HOSTS = ["*"]
    client.force_login(proposal.representative)
    url = reverse("partnership-transition", args=[proposal.draft.pk, "submit"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, HTTP_HOST="evil.example")
    assert response.status_code in (200, 302)
    body = mail.outbox[0].body
    assert f"https://registry.example.no/partnerships/{proposal.draft.pk}/" in body
    assert "https://registry.example.no/partnerships/inbox/" in body
    assert "accept it, decline it or ask for changes" in body
    assert "evil.example" not in body


def test_a_claimed_row_is_not_sent_by_another_until_the_claim_is_stale(
    proposal, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        partnership_transition(
            partnership=proposal.draft, user=proposal.representative, action="submit"
        )
    row = Notification.objects.order_by("pk").first()
    # Another worker claimed it a moment ago (and is talking to the mail server).
    Notification.objects.filter(pk=row.pk).update(
        state=State.SENDING, claimed_at=timezone.now(), attempts=1
    )
    assert delivery.deliver(row.pk) == delivery.NOT_CLAIMED
    assert mail.outbox == []
    # That worker died: after the claim timeout the row is taken again, with the same id.
    stale = timezone.now() - datetime.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT + 1)
    Notification.objects.filter(pk=row.pk).update(claimed_at=stale)
    assert delivery.deliver(row.pk) == delivery.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENT, 2)


def test_a_row_lost_too_often_is_marked_failed(
    proposal, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        partnership_transition(
            partnership=proposal.draft, user=proposal.representative, action="submit"
        )
    row = Notification.objects.order_by("pk").first()
    stale = timezone.now() - datetime.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_TIMEOUT + 1)
    Notification.objects.filter(pk=row.pk).update(
        state=State.SENDING, claimed_at=stale, attempts=settings.NOTIFICATIONS_MAX_ATTEMPTS
    )
    assert delivery.deliver(row.pk) == delivery.FAILED
    row.refresh_from_db()
    assert row.state == State.FAILED
    assert mail.outbox == [] or all(m.to != [row.email] for m in mail.outbox)


def test_failed_rows_are_listed_for_administrators(client, proposal):
    row = Notification.objects.create(
        kind=Kind.PROPOSAL_SUBMITTED, recipient=proposal.coordinators[0],
        email="anna@oslo.example.org", subject="Ny: Leksehjelp", body="...",
        message_id="<x@example.org>", state=State.FAILED, attempts=8, last_error="timed out",
    )  # fmt: skip
    client.force_login(admin_user())
    url = reverse("admin:notifications_notification_changelist")
    response = client.get(url, {"state__exact": "failed"})
    assert response.status_code == 200
    assert "anna@oslo.example.org" in response.content.decode()
    assert (
        client.get(reverse("admin:notifications_notification_change", args=[row.pk])).status_code
        == 200
    )


def test_a_user_who_turned_email_off_gets_the_in_app_item_only(
    proposal, django_capture_on_commit_callbacks
):
    anna = proposal.coordinators[0]
    EmailPreference.objects.create(user=anna, kind=Kind.PROPOSAL_SUBMITTED, email=False)
    submit(proposal, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == proposal.addresses[1:]
    row = Notification.objects.get(recipient=anna)
    assert row.state == State.SKIPPED and row.read_at is None


def test_the_notifications_page_lists_marks_read_and_saves_email_choices(
    client, proposal, django_capture_on_commit_callbacks
):
    submit(proposal, django_capture_on_commit_callbacks)
    anna = proposal.coordinators[0]
    client.force_login(anna)
    page = client.get(reverse("notification-list")).content.decode()
    assert "New proposal: Leksehjelp på Tøyen" in page
    assert "1 unread" in page
    # The header: the count inside the link text.
    assert re.search(
        r'href="/notifications/"[^>]*>Notifications <span class="count">1<span '
        r'class="visually-hidden"> unread</span></span>',
        page,
    )
    row = Notification.objects.get(recipient=anna)
    response = client.get(reverse("notification-open", args=[row.pk]))
    assert response.status_code == 302
    assert response.url == reverse("partnership-detail", args=[proposal.draft.pk])
    row.refresh_from_db()
    assert row.read_at is not None
    page = client.get(reverse("notification-list")).content.decode()
    assert 'Notifications <span class="count">' not in page
    # Someone else's item is not found.
    other = Notification.objects.exclude(recipient=anna).first()
    assert client.get(reverse("notification-open", args=[other.pk])).status_code == 404

    response = client.post(
        reverse("notification-preferences"),
        {kind: "on" for kind in (Kind.PROPOSAL_ANSWERED, Kind.LINK_REQUESTED)},
    )
    assert response.status_code == 302
    off = set(EmailPreference.objects.filter(user=anna, email=False).values_list("kind", flat=True))
    assert off == {Kind.PROPOSAL_SUBMITTED, Kind.LINK_ANSWERED, Kind.VERIFICATION_REQUESTED}


def test_mark_all_read(client, proposal, django_capture_on_commit_callbacks):
    submit(proposal, django_capture_on_commit_callbacks)
    anna = proposal.coordinators[0]
    client.force_login(anna)
    assert client.post(reverse("notification-mark-all-read")).status_code == 302
    assert not Notification.objects.filter(recipient=anna, read_at__isnull=True).exists()


def test_the_navigation_shows_what_waits(client, proposal, django_capture_on_commit_callbacks):
    submit(proposal, django_capture_on_commit_callbacks)
    client.force_login(proposal.coordinators[0])
    page = client.get("/").content.decode()
    assert re.search(
        r'href="/partnerships/inbox/"[^>]*>Inbox <span class="count">1<span '
        r'class="visually-hidden"> waiting</span></span>',
        page,
    )

    coordinator = proposal.coordinators[0]
    with django_capture_on_commit_callbacks(execute=True):
        partnership_transition(
            partnership=proposal.draft, user=coordinator, action="request_changes",
            comment="Hvem har ansvar?",
        )  # fmt: skip
    client.force_login(proposal.representative)
    page = client.get("/").content.decode()
    assert re.search(
        r'href="/partnerships/mine/"[^>]*>Our proposals <span class="count">1<span '
        r'class="visually-hidden"> waiting</span></span>',
        page,
    )
    assert 'Notifications <span class="count">1' in page


def test_the_header_counts_take_few_queries(
    client, proposal, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    submit(proposal, django_capture_on_commit_callbacks)
    coordinator = proposal.coordinators[0]
    client.force_login(coordinator)
    client.get("/")  # warm up
    from registry.context_processors import notification_counts

    class Request:
        user = coordinator

    with django_assert_max_num_queries(5):
        counts = notification_counts(Request())
    assert counts["nav_unread"] == 1 and counts["nav_inbox_count"] == 1


def test_the_invitation_key_exists_only_in_the_email(django_capture_on_commit_callbacks):
    from tests.factories import MunicipalityFactory

    oslo = MunicipalityFactory(name="Oslo")
    kari = coordinator_of(oslo, first_name="Kari", last_name="Holm")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            actor=kari, email="ny@oslo.kommune.no", role="coordinator", municipality=oslo
        )
    assert [m.to for m in mail.outbox] == [["ny@oslo.kommune.no"]]
    key = re.search(r"/accounts/invitations/([A-Za-z0-9_-]+)/", mail.outbox[0].body)[1]
    invitation.refresh_from_db()
    assert invitation.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert invitation.sent_at is not None
    row = Notification.objects.get(invitation=invitation)
    assert row.state == State.SENT and row.recipient is None
    # Delivered: the key is gone from the stored text.
    assert key not in row.body and key not in row.link
    assert not Notification.objects.filter(body__contains=key).exists()


def test_a_revoked_invitation_is_not_sent(django_capture_on_commit_callbacks):
    from accounts.services import invitation_revoke
    from tests.factories import MunicipalityFactory

    oslo = MunicipalityFactory()
    kari = coordinator_of(oslo)
    with django_capture_on_commit_callbacks(execute=False):
        invitation = invitation_create(
            actor=kari, email="ny@oslo.kommune.no", role="coordinator", municipality=oslo
        )
        invitation_revoke(invitation=invitation, actor=kari)
    call_command("deliver_notifications")
    assert mail.outbox == []
    row = Notification.objects.get(invitation=invitation)
    assert row.state == State.SKIPPED and "/accounts/invitations/" not in row.body
    assert Invitation.objects.get(pk=invitation.pk).sent_at is None


def test_a_link_request_reaches_the_asked_party(django_capture_on_commit_callbacks):
    from partnerships.services import partnership_update
    from tests.factories import MunicipalityFactory, OrganisationFactory

    oslo, bergen = MunicipalityFactory(name="Oslo"), MunicipalityFactory(name="Bergen")
    coordinator = coordinator_of(oslo)
    bergen_coordinator = coordinator_of(bergen, email="bergen@example.org")
    organisation = OrganisationFactory()
    representative_of(organisation, email="org@example.org")
    partnership = PartnershipFactory(
        links__municipalities=[oslo], links__organisations={organisation: "lead"}
    )

    with django_capture_on_commit_callbacks(execute=True):
        partnership_update(
            partnership=partnership, user=coordinator,
            data={"municipalities": [oslo, bergen]},
        )  # fmt: skip
    assert ["bergen@example.org"] in [m.to for m in mail.outbox]
    row = Notification.objects.get(recipient=bergen_coordinator)
    assert row.kind == Kind.LINK_REQUESTED


def test_check_deploy_warns_without_a_broker(settings):
    settings.DEBUG = False
    settings.CELERY_BROKER_CONFIGURED = False
    ids = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "notifications.W001" in ids
    settings.CELERY_BROKER_CONFIGURED = True
    ids = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "notifications.W001" not in ids
    assert settings.SITE_URL  # the e-mails' links come from here


def test_an_administrator_sends_failed_messages_again(
    client, proposal, django_capture_on_commit_callbacks
):
    row = Notification.objects.create(
        kind=Kind.PROPOSAL_SUBMITTED, recipient=proposal.coordinators[0],
        email="anna@oslo.example.org", subject="Ny: Leksehjelp", body="...",
        message_id="<y@example.org>", state=State.FAILED, attempts=8, last_error="timed out",
    )  # fmt: skip
    client.force_login(admin_user())
    url = reverse("admin:notifications_notification_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "send_again", "_selected_action": [row.pk]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == State.SENT
    assert [m.to for m in mail.outbox] == [["anna@oslo.example.org"]]
