"""Delivery against a real SMTP server (aiosmtpd, in this process) in the embedded default:
a recipient refused for good, the mail server down during a submit. Every environment."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications import delivery
from notifications.models import Notification, State
from partnerships.models import Partnership
from tests.notifications.smtp import SMTPServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("embedded")]


def submit_through_the_api(api_client, proposal, capture):
    api_client.force_authenticate(proposal.representative)
    with capture(execute=True):
        response = api_client.post(f"/api/v1/partnerships/{proposal.draft.pk}/submit/", {})
    return response


def test_a_recipient_refused_for_good_is_recorded_and_the_others_get_one_message(
    api_client, proposal, smtp, django_capture_on_commit_callbacks
):
    smtp.recorder.refuse = {"bjorn@oslo.example.org"}

    response = submit_through_the_api(api_client, proposal, django_capture_on_commit_callbacks)

    assert response.status_code == 200, response.content
    assert smtp.recorder.per_recipient() == {
        "anna@oslo.example.org": 1,
        "cecilie@oslo.example.org": 1,
    }
    refused = Notification.objects.get(email="bjorn@oslo.example.org")
    assert refused.state == State.REFUSED
    assert "550" in refused.last_error and refused.attempts == 1
    sent = Notification.objects.filter(state=State.SENT)
    assert {m["Message-ID"] for m in smtp.recorder.messages} == {r.message_id for r in sent}

    # Not retried: the sweep and the command leave it, and send nobody anything again.
    call_command("deliver_notifications")
    call_command("deliver_notifications")
    assert len(smtp.recorder.messages) == 2
    assert smtp.recorder.refused == ["bjorn@oslo.example.org"]


def test_a_submit_with_the_mail_server_down_succeeds_and_is_delivered_once_later(
    api_client, proposal, closed_port, settings, django_capture_on_commit_callbacks
):
    response = submit_through_the_api(api_client, proposal, django_capture_on_commit_callbacks)

    assert response.status_code == 200, response.content
    assert Partnership.objects.get(pk=proposal.draft.pk).status == "under_review"
    rows = Notification.objects.all()
    assert rows.count() == 3
    assert {r.state for r in rows} == {State.PENDING}
    assert all(r.last_error and r.next_attempt_at > timezone.now() for r in rows)

    with SMTPServer(port=closed_port) as server:
        call_command("deliver_notifications")
        assert server.recorder.per_recipient() == dict.fromkeys(proposal.addresses, 1)
        call_command("deliver_notifications")
        assert len(server.recorder.messages) == 3
    assert {r.state for r in Notification.objects.all()} == {State.SENT}


def test_a_temporary_refusal_is_retried_after_a_backoff(
    proposal, smtp, django_capture_on_commit_callbacks
):
    from partnerships.workflow import partnership_transition

    smtp.recorder.defer = {"anna@oslo.example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        partnership_transition(
            partnership=proposal.draft, user=proposal.representative, action="submit"
        )
    anna = Notification.objects.get(email="anna@oslo.example.org")
    assert (anna.state, anna.attempts) == (State.PENDING, 1)
    assert "451" in anna.last_error
    assert anna.next_attempt_at > timezone.now() + timedelta(seconds=30)
    # Not due yet: the periodic sweep leaves it.
    assert delivery.deliver_due() == {}
    smtp.recorder.defer = set()
    Notification.objects.filter(pk=anna.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver_due() == {delivery.SENT: 1}
    assert smtp.recorder.per_recipient() == dict.fromkeys(proposal.addresses, 1)
