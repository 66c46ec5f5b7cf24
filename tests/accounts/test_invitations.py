"""Invitations are offers, not attachments.

An invitation sends a single-use, expiring link to an address; the role takes effect only
when the owner of that address accepts it, signed in with it (or signing up through the
link). The answer never tells whether the address has an account; the e-mail's words are
the registry's own; each inviter sends a limited number.
"""

import datetime
import hashlib
import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.choices import MembershipRole
from accounts.emails import has_confirmed_email
from accounts.models import Invitation, Membership, User
from accounts.services import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
)
from notifications.delivery import NOT_CLAIMED, SENT, deliver, deliver_due
from notifications.models import Notification
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    MunicipalityFactory,
    OrganisationFactory,
    UserFactory,
    admin_user,
    analyst,
    coordinator_of,
    representative_of,
)
from tests.utils import wait_for

MEMBERSHIPS = "/api/v1/memberships/"
INVITATIONS = "/api/v1/invitations/"
LINK = re.compile(
    re.escape(settings.SITE_URL) + r"(?P<path>/accounts/invitations/(?P<key>[A-Za-z0-9_-]+)/)"
)
UNUSABLE = "This invitation link has expired or was already used."
UNUSABLE_PAGE = "This invitation link has expired or was already used"


def send(invitation: Invitation) -> str:
    """Deliver the e-mail of ``invitation`` from the outbox here and now; the key from its
    link (the tests run without the commit, so the delivery after it is done here)."""
    assert deliver(Notification.objects.get(invitation=invitation).pk) == SENT
    return LINK.search(mail.outbox[-1].body)["key"]


@pytest.fixture
def oslo():
    return MunicipalityFactory(name="Oslo")


@pytest.fixture
def kari(oslo):
    """The real coordinator of Oslo."""
    return coordinator_of(
        oslo, username="kari", email="kari@oslo.kommune.no", first_name="Kari", last_name="Holm"
    )


def invite(actor, email: str, municipality) -> Invitation:
    return invitation_create(
        actor=actor, role=MembershipRole.COORDINATOR, email=email, municipality=municipality
    )


# --- the attack from the issue --------------------------------------------------------------


@pytest.mark.django_db
def test_the_takeover_stops_at_the_first_step_that_needs_proof(
    api_client, client, oslo, kari, django_capture_on_commit_callbacks
):
    # 1. An impostor signs up with the address of a future colleague (not confirmed: they
    #    do not own the mailbox).
    impostor = UserFactory(
        username="impostor", email="kari.nordmann@oslo.kommune.no", email_confirmed=False
    )

    # 2. The real coordinator invites that address.
    api_client.force_login(kari)
    with django_capture_on_commit_callbacks() as callbacks:
        response = api_client.post(
            MEMBERSHIPS,
            {"role": "coordinator", "municipality": oslo.pk, "email": impostor.email},
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert set(body) == {
        "id", "email", "role", "municipality", "organisation", "status", "expires_at",
    }  # fmt: skip
    assert "impostor" not in response.content.decode()
    # Nothing is attached to the impostor's account.
    assert not impostor.memberships.exists()
    assert len(callbacks) == 1  # the e-mail, to the mailbox, after the commit

    # 3. The impostor can neither read Oslo's memberships nor remove the real coordinator.
    api_client.force_login(impostor)
    assert api_client.get(MEMBERSHIPS).json()["results"] == []
    assert api_client.delete(f"{MEMBERSHIPS}{kari.memberships.get().pk}/").status_code == 404
    # Nor accept without the key from the e-mail.
    response = api_client.post(f"{INVITATIONS}accept/", {"key": "guessed-" + "x" * 40})
    assert response.status_code == 400
    assert not impostor.memberships.exists()

    # Only the link from the e-mail, followed while signed in to an account holding that
    # address, makes a coordinator: whoever holds the link holds the mailbox.
    key = send(Invitation.objects.get())
    stranger = UserFactory(email="someone@else.example.org")
    client.force_login(stranger)
    response = client.post(reverse("invitation-detail", args=[key]))
    assert "your account does not have that address" in response.content.decode()
    assert not stranger.memberships.exists()


@pytest.mark.django_db
def test_an_invitation_to_an_existing_account_changes_nothing_until_accepted(oslo, kari):
    colleague = UserFactory(email="kollega@oslo.kommune.no")

    invitation = invite(kari, "Kollega@Oslo.kommune.no", oslo)

    assert invitation.email == "kollega@oslo.kommune.no"  # normalised
    assert invitation.status == "pending"
    assert not colleague.memberships.exists()
    assert Membership.objects.count() == 1  # only Kari's

    key = send(invitation)
    membership = invitation_accept(key=key, user=colleague)

    assert (membership.user, membership.municipality, membership.role) == (
        colleague, oslo, MembershipRole.COORDINATOR,
    )  # fmt: skip
    assert membership.invited_by == kari
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_by == colleague


@pytest.mark.django_db
def test_known_and_unknown_addresses_get_the_same_answer(api_client, oslo, kari):
    UserFactory(email="known@oslo.kommune.no")
    api_client.force_login(kari)

    def answer(email: str) -> tuple[int, dict]:
        response = api_client.post(
            MEMBERSHIPS, {"role": "coordinator", "municipality": oslo.pk, "email": email}
        )
        return response.status_code, response.json()

    known_status, known = answer("known@oslo.kommune.no")
    unknown_status, unknown = answer("nobody@oslo.kommune.no")

    assert known_status == unknown_status == 202
    varying = {"id", "email", "expires_at"}
    assert {k: v for k, v in known.items() if k not in varying} == {
        k: v for k, v in unknown.items() if k not in varying
    }
    assert set(known) == set(unknown)
    assert type(known["id"]) is type(unknown["id"]) is int
    assert not User.objects.filter(email="nobody@oslo.kommune.no").exists()


@pytest.mark.django_db
def test_the_invited_owner_of_an_unconfirmed_address_confirms_it_by_accepting(oslo, kari):
    newcomer = UserFactory(email="ny@oslo.kommune.no", email_confirmed=False)
    key = send(invite(kari, "ny@oslo.kommune.no", oslo))

    invitation_accept(key=key, user=newcomer)

    assert has_confirmed_email(newcomer, "ny@oslo.kommune.no")
    assert newcomer.memberships.get().municipality == oslo


@pytest.mark.django_db
def test_an_account_without_the_address_cannot_accept(oslo, kari):
    key = send(invite(kari, "ny@oslo.kommune.no", oslo))
    other = UserFactory(email="other@example.org")

    with pytest.raises(ValidationError) as error:
        invitation_accept(key=key, user=other)

    assert "sent to ny@oslo.kommune.no" in error.value.message_dict["key"][0]
    assert "Sign in with the account that has it" in error.value.message_dict["key"][0]
    assert not other.memberships.exists()
    assert Invitation.objects.get().status == "pending"  # still there for its owner


@pytest.mark.django_db
def test_an_address_another_account_confirmed_is_not_taken_over(oslo, kari):
    UserFactory(username="owner", email="ny@oslo.kommune.no")  # confirmed it
    # Another account that also lists the address, unconfirmed.
    squatter = UserFactory(username="squatter", email="squatter@example.org")
    EmailAddress.objects.create(user=squatter, email="ny@oslo.kommune.no", verified=False)
    key = send(invite(kari, "ny@oslo.kommune.no", oslo))

    with pytest.raises(ValidationError):
        invitation_accept(key=key, user=squatter)
    assert not squatter.memberships.exists()


@pytest.mark.django_db
def test_an_invitation_is_single_use(oslo, kari):
    colleague = UserFactory(email="kollega@oslo.kommune.no")
    key = send(invite(kari, colleague.email, oslo))
    first = invitation_accept(key=key, user=colleague)

    # A double click by the same user: the same membership, nothing new.
    assert invitation_accept(key=key, user=colleague) == first
    assert Membership.objects.filter(user=colleague).count() == 1

    # Anyone else: the link is used up.
    with pytest.raises(ValidationError) as error:
        invitation_accept(key=key, user=UserFactory(email="x@example.org"))
    assert error.value.message_dict["key"] == [UNUSABLE]


@pytest.mark.django_db
def test_an_invitation_expires(oslo, kari, settings):
    settings.INVITATION_EXPIRY_DAYS = 3
    invitation = invite(kari, "ny@oslo.kommune.no", oslo)
    expected = timezone.now() + datetime.timedelta(days=3)
    assert abs((invitation.expires_at - expected).total_seconds()) < 60
    key = send(invitation)

    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    with pytest.raises(ValidationError) as error:
        invitation_accept(key=key, user=UserFactory(email="ny@oslo.kommune.no"))
    assert error.value.message_dict["key"] == [UNUSABLE]
    assert Invitation.objects.get().status == "expired"


@pytest.mark.django_db
def test_the_default_expiry_is_seven_days(oslo, kari):
    invitation = invite(kari, "ny@oslo.kommune.no", oslo)
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        datetime.timedelta(days=7), abs=datetime.timedelta(seconds=5)
    )


@pytest.mark.django_db
def test_a_revoked_invitation_cannot_be_accepted(oslo, kari):
    invitation = invite(kari, "ny@oslo.kommune.no", oslo)
    key = send(invitation)

    with pytest.raises(PermissionDenied):
        invitation_revoke(invitation=invitation, actor=coordinator_of(MunicipalityFactory()))
    invitation_revoke(invitation=invitation, actor=kari)

    invitation.refresh_from_db()
    assert invitation.status == "revoked" and invitation.revoked_by == kari
    newcomer = UserFactory(email="ny@oslo.kommune.no")
    with pytest.raises(ValidationError):
        invitation_accept(key=key, user=newcomer)
    assert not newcomer.memberships.exists()


@pytest.mark.django_db
def test_an_accepted_invitation_cannot_be_revoked(oslo, kari):
    invitation = invite(kari, "ny@oslo.kommune.no", oslo)
    invitation_accept(key=send(invitation), user=UserFactory(email="ny@oslo.kommune.no"))
    with pytest.raises(ValidationError):
        invitation_revoke(invitation=invitation, actor=kari)


@pytest.mark.django_db
def test_inviting_again_renews_the_open_invitation(oslo, kari):
    first = invite(kari, "ny@oslo.kommune.no", oslo)
    old_key = send(first)
    second = invite(kari, "NY@oslo.kommune.no", oslo)
    new_key = send(second)

    assert len(mail.outbox) == 2 and old_key != new_key
    assert list(Invitation.objects.pending()) == [second]
    first.refresh_from_db()
    assert first.status == "revoked"
    newcomer = UserFactory(email="ny@oslo.kommune.no")
    with pytest.raises(ValidationError):
        invitation_accept(key=old_key, user=newcomer)
    assert invitation_accept(key=new_key, user=newcomer).municipality == oslo


@pytest.mark.django_db
def test_a_member_is_not_invited_again_but_the_answer_is_the_same(
    api_client, oslo, kari, django_capture_on_commit_callbacks
):
    MembershipFactory(user=UserFactory(email="kollega@oslo.kommune.no"), municipality=oslo)
    api_client.force_login(kari)
    with django_capture_on_commit_callbacks() as callbacks:
        response = api_client.post(
            MEMBERSHIPS,
            {"role": "coordinator", "municipality": oslo.pk, "email": "kollega@oslo.kommune.no"},
        )
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert not Invitation.objects.exists()
    assert callbacks == []


@pytest.mark.django_db
def test_only_the_hash_of_the_key_is_stored(oslo, kari):
    invitation = invite(kari, "ny@oslo.kommune.no", oslo)
    key = send(invitation)
    invitation.refresh_from_db()
    assert invitation.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert len(key) >= 40
    stored = [str(value) for value in Invitation.objects.values().get().values()]
    assert key not in stored
    # The outbox held it until the e-mail went out, and no longer.
    assert not Notification.objects.filter(body__contains=key).exists()
    assert not Notification.objects.filter(link__contains=key).exists()


# --- who may invite -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unverified_organisation_cannot_invite(api_client):
    club = OrganisationFactory(name="Røde Kors Oslo (offisiell)", verified=False)
    api_client.force_login(representative_of(club))

    response = api_client.post(
        MEMBERSHIPS,
        {"role": "representative", "organisation": club.pk, "email": "ny@example.org"},
    )

    assert response.status_code == 400
    assert "not verified yet" in response.json()["errors"]["organisation"][0]
    assert not Invitation.objects.exists()
    # Not even an administrator: the e-mail would carry a name nobody checked.
    with pytest.raises(ValidationError):
        invitation_create(
            actor=admin_user(),
            role=MembershipRole.REPRESENTATIVE,
            organisation=club,
            email="ny@example.org",
        )


@pytest.mark.django_db
def test_a_verified_organisation_invites(api_client):
    club = OrganisationFactory(name="Tøyen leksehjelp", verified=True)
    api_client.force_login(representative_of(club))
    response = api_client.post(
        MEMBERSHIPS,
        {"role": "representative", "organisation": club.pk, "email": "ny@example.org"},
    )
    assert response.status_code == 202
    assert Invitation.objects.get().organisation == club


@pytest.mark.django_db
def test_analysts_never_invite(oslo):
    person = analyst()
    MembershipFactory(user=person, municipality=oslo)  # even with a membership
    with pytest.raises(PermissionDenied):
        invite(person, "ny@oslo.kommune.no", oslo)


# --- the rate limit -------------------------------------------------------------------------


@pytest.mark.django_db
def test_invitations_are_rate_limited_per_inviter(api_client, oslo, kari, settings):
    settings.INVITATION_RATE_LIMIT = 3
    api_client.force_login(kari)
    # An old one no longer counts.
    old = InvitationFactory(municipality=oslo, invited_by=kari)
    Invitation.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )

    def post(email: str):
        return api_client.post(
            MEMBERSHIPS, {"role": "coordinator", "municipality": oslo.pk, "email": email}
        )

    for n in range(3):
        assert post(f"ny{n}@oslo.kommune.no").status_code == 202
    # Renewing counts too (it is a new e-mail).
    response = post("ny0@oslo.kommune.no")

    assert response.status_code == 429
    assert 23 * 3600 < int(response["Retry-After"]) <= 24 * 3600
    assert "3 invitations within 24 hours" in response.json()["detail"]
    assert Invitation.objects.filter(invited_by=kari).count() == 4  # 3 + the old one

    # Another inviter has a limit of his own.
    api_client.force_login(coordinator_of(oslo))
    assert post("ny9@oslo.kommune.no").status_code == 202


@pytest.mark.django_db
def test_the_rate_limit_on_my_page(client, oslo, kari, settings):
    settings.INVITATION_RATE_LIMIT = 1
    client.force_login(kari)
    target = f"municipality:{oslo.pk}"
    client.post(reverse("my-page"), {"email": "a@oslo.kommune.no", "target": target})
    response = client.post(reverse("my-page"), {"email": "b@oslo.kommune.no", "target": target})
    assert response.status_code == 200
    assert "1 invitation within 24 hours" in response.content.decode()
    assert Invitation.objects.count() == 1


# --- the e-mail -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_mail_is_in_the_registrys_own_words(api_client, oslo, kari):
    api_client.force_login(kari)
    api_client.post(
        MEMBERSHIPS,
        {
            "role": "coordinator",
            "municipality": oslo.pk,
            "email": "ny@oslo.kommune.no",
            # Free text an attacker would like to see in an official e-mail: ignored.
            "name": "Oslo kommune (offisiell)",
            "message": "Klikk her: https://evil.example/",
            "first_name": "Statsministeren",
        },
    )
    key = send(Invitation.objects.get())
    message = mail.outbox[-1]

    assert message.to == ["ny@oslo.kommune.no"]
    body = message.body
    assert (
        "Kari Holm (volunteer coordinator of Oslo) invites you to be volunteer coordinator of Oslo"
        in (body)
    )
    assert f"{settings.SITE_URL}/accounts/invitations/{key}/" in body
    expires = Invitation.objects.get().expires_at
    assert str(timezone.localtime(expires).year) in body
    assert "If you did not expect this invitation, ignore this e-mail" in body
    for free_text in ("offisiell", "evil.example", "Statsministeren", "Klikk"):
        assert free_text not in body and free_text not in message.subject
    assert "&amp;" not in body  # plain text, not HTML-escaped


@pytest.mark.django_db
def test_an_administrator_is_named_as_one(oslo):
    admin = admin_user(first_name="Anne", last_name="Admin")
    send(invite(admin, "ny@oslo.kommune.no", oslo))
    assert "Anne Admin (registry administrator) invites you" in mail.outbox[-1].body


def test_the_invitation_is_sent_once_after_the_commit(task_runner, api_client, oslo, kari):
    api_client.force_login(kari)
    response = api_client.post(
        MEMBERSHIPS,
        {"role": "coordinator", "municipality": oslo.pk, "email": "ny@oslo.kommune.no"},
    )
    assert response.status_code == 202

    wait_for(lambda: len(mail.outbox) == 1)
    wait_for(lambda: Invitation.objects.get().sent_at is not None)
    # Delivering again (a redelivered task, the sweep) sends nothing.
    row = Notification.objects.get(invitation_id=response.json()["id"])
    assert deliver(row.pk) == NOT_CLAIMED
    assert deliver_due(due_only=False) == {}
    assert len(mail.outbox) == 1


def test_no_invitation_when_the_transaction_rolls_back(task_runner, oslo):
    with pytest.raises(RuntimeError), transaction.atomic():
        invite(admin_user(), "ny@oslo.kommune.no", oslo)
        raise RuntimeError("something later in the same request failed")
    time.sleep(0.5)
    assert mail.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_a_revoked_invitation_is_not_sent(oslo, kari):
    invitation = invite(kari, "ny@oslo.kommune.no", oslo)
    invitation_revoke(invitation=invitation, actor=kari)
    assert deliver_due(due_only=False) == {"skipped": 1}
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failed_send_is_retried_and_not_marked_as_sent(settings, oslo, kari):
    from tests.notifications.smtp import free_port

    invitation = invite(kari, "ny@oslo.kommune.no", oslo)
    # The mail server is down: the e-mail stays in the outbox, the invitation is not sent.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    assert deliver_due(due_only=False) == {"retry": 1}
    invitation.refresh_from_db()
    assert invitation.sent_at is None
    # Back up: sent once, with the key whose hash the invitation keeps.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver_due(due_only=False) == {"sent": 1}
    assert deliver_due(due_only=False) == {}
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    key = LINK.search(mail.outbox[0].body)["key"]
    assert invitation.key_hash == hashlib.sha256(key.encode()).hexdigest()


# --- the invitation page --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_the_invitation_to_an_anonymous_visitor(client, oslo, kari):
    invitation = InvitationFactory(municipality=oslo, invited_by=kari, email="ny@oslo.kommune.no")
    url = reverse("invitation-detail", args=[invitation.key])

    response = client.get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "volunteer coordinator of Oslo" in body
    assert "Kari Holm (volunteer coordinator of Oslo)" in body
    assert "Sign in with ny@oslo.kommune.no" in body
    assert f'href="{reverse("account_login")}?next={url.replace("/", "%2F")}"' in body
    assert f'href="{reverse("account_signup")}?email=ny%40oslo.kommune.no"' in body
    assert client.session["invitation_key"] == invitation.key
    # Accepting needs a signed-in user.
    response = client.post(url)
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert not Membership.objects.filter(municipality=oslo).exclude(user=kari).exists()


@pytest.mark.django_db
def test_a_signed_in_owner_accepts_on_the_page(client, oslo, kari):
    invitation = InvitationFactory(municipality=oslo, invited_by=kari, email="ny@oslo.kommune.no")
    colleague = UserFactory(email="ny@oslo.kommune.no")
    client.force_login(colleague)
    url = reverse("invitation-detail", args=[invitation.key])

    body = client.get(url).content.decode()
    assert "Accept the invitation" in body
    response = client.post(url, follow=True)

    assert response.redirect_chain == [(reverse("my-page"), 302)]
    assert "Welcome: you are now volunteer coordinator of Oslo." in response.content.decode()
    assert colleague.memberships.get().municipality == oslo
    # The link again: already accepted, to my page.
    assert client.get(url).url == reverse("my-page")


@pytest.mark.django_db
def test_a_signed_in_user_without_the_address_is_told_so(client, oslo):
    invitation = InvitationFactory(municipality=oslo, email="ny@oslo.kommune.no")
    client.force_login(UserFactory(email="other@example.org"))
    body = client.get(reverse("invitation-detail", args=[invitation.key])).content.decode()
    assert "your account does not have that address" in body
    assert "Accept the invitation" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "status"),
    [
        ({"expires_at": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)}, 410),
        ({"revoked_at": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)}, 410),
        ({"accepted_at": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)}, 410),
    ],
)
def test_a_used_or_expired_link_gets_a_friendly_page(client, state, status):
    invitation = InvitationFactory(**state)
    response = client.get(reverse("invitation-detail", args=[invitation.key]))
    assert response.status_code == status
    assert UNUSABLE_PAGE in response.content.decode()
    response = client.get(reverse("invitation-detail", args=["no-such-key"]))
    assert response.status_code == 404
    assert UNUSABLE_PAGE in response.content.decode()


# --- signing up through the link ------------------------------------------------------------

SIGNUP = {
    "username": "ny",
    "first_name": "Nina",
    "last_name": "Nygård",
    "password1": "Frivillig-2026!",
    "password2": "Frivillig-2026!",
}


@pytest.mark.django_db
def test_an_account_made_through_the_link_is_confirmed_and_accepted(client, oslo, kari):
    invitation = InvitationFactory(municipality=oslo, invited_by=kari, email="ny@oslo.kommune.no")
    client.get(reverse("invitation-detail", args=[invitation.key]))
    signup_page = client.get(reverse("account_signup"), {"email": "ny@oslo.kommune.no"})
    assert 'value="ny@oslo.kommune.no"' in signup_page.content.decode()

    response = client.post(
        reverse("account_signup"), {**SIGNUP, "email": "Ny@oslo.kommune.no"}, follow=True
    )

    user = User.objects.get(username="ny")
    assert has_confirmed_email(user, "ny@oslo.kommune.no")
    assert user.memberships.get().municipality == oslo
    assert int(client.session[SESSION_KEY]) == user.pk  # signed in, no confirmation mail
    assert mail.outbox == []
    assert response.redirect_chain[-1][0] == reverse("my-page")
    assert Invitation.objects.get().accepted_by == user


@pytest.mark.django_db
def test_an_account_made_with_another_address_confirms_it_the_usual_way(client, oslo):
    invitation = InvitationFactory(municipality=oslo, email="ny@oslo.kommune.no")
    client.get(reverse("invitation-detail", args=[invitation.key]))

    client.post(reverse("account_signup"), {**SIGNUP, "email": "privat@example.org"})

    user = User.objects.get(username="ny")
    assert not has_confirmed_email(user)
    assert not user.memberships.exists()
    assert SESSION_KEY not in client.session
    assert [m.to for m in mail.outbox] == [["privat@example.org"]]  # the confirmation link
    assert Invitation.objects.get().status == "pending"


@pytest.mark.django_db
def test_a_sign_up_without_an_invitation_is_not_confirmed(client):
    client.post(reverse("account_signup"), {**SIGNUP, "email": "ny@oslo.kommune.no"})
    assert not has_confirmed_email(User.objects.get(username="ny"))


# --- my page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_page_says_the_same_for_every_address(client, oslo, kari):
    UserFactory(email="known@oslo.kommune.no")
    client.force_login(kari)
    messages = []
    for email in ("known@oslo.kommune.no", "unknown@oslo.kommune.no"):
        response = client.post(
            reverse("my-page"), {"email": email, "target": f"municipality:{oslo.pk}"}, follow=True
        )
        assert response.redirect_chain == [(reverse("my-page"), 302)]
        messages.append(
            next(str(m) for m in response.context["messages"]).replace(email, "<address>")
        )
    assert messages == ["An invitation is on its way to <address>."] * 2
    assert not Membership.objects.filter(user__email="known@oslo.kommune.no").exists()


@pytest.mark.django_db
def test_my_page_lists_pending_invitations_with_revoke(client, oslo, kari):
    pending = InvitationFactory(municipality=oslo, email="venter@oslo.kommune.no")
    InvitationFactory(municipality=oslo, email="gammel@oslo.kommune.no", expires_at=timezone.now())
    InvitationFactory(email="andre@bergen.kommune.no")  # another municipality
    client.force_login(kari)

    body = client.get(reverse("my-page")).content.decode()

    assert "venter@oslo.kommune.no" in body
    assert "gammel@oslo.kommune.no" not in body and "andre@bergen.kommune.no" not in body
    revoke = reverse("invitation-revoke", args=[pending.pk])
    assert f'action="{revoke}"' in body

    response = client.post(revoke, follow=True)
    assert "The invitation to venter@oslo.kommune.no is revoked" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "revoked"


@pytest.mark.django_db
def test_others_cannot_revoke_from_the_page(client, oslo):
    invitation = InvitationFactory(municipality=oslo)
    client.force_login(coordinator_of(MunicipalityFactory()))
    assert client.post(reverse("invitation-revoke", args=[invitation.pk])).status_code == 404
    assert client.get(reverse("invitation-revoke", args=[invitation.pk])).status_code == 405
    invitation.refresh_from_db()
    assert invitation.status == "pending"


@pytest.mark.django_db
def test_an_unverified_organisation_is_told_on_my_page(client):
    club = OrganisationFactory(name="Nytt lag", verified=False)
    client.force_login(representative_of(club))
    response = client.post(
        reverse("my-page"), {"email": "ny@example.org", "target": f"organisation:{club.pk}"}
    )
    assert response.status_code == 200
    assert "not verified yet" in " ".join(response.context["invite_form"].errors["target"])
    assert not Invitation.objects.exists()
