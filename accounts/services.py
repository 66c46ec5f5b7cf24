"""Writes to user accounts, memberships and invitations.

Each function checks the caller's (``actor``'s) rights with ``accounts.permissions``,
raising ``PermissionDenied``, validates (``ValidationError`` naming each bad field) and
writes in one transaction. E-mail goes out from a Celery task queued on commit.
"""

import math
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.choices import MembershipRole
from accounts.emails import confirmed_owner, mark_confirmed, normalise
from accounts.models import Invitation, Membership, User, hash_invitation_key
from accounts.permissions import (
    can_manage_invitation,
    can_manage_users,
    forget_roles,
    membership_creation_refusal,
    membership_removal_refusal,
)
from accounts.tasks import queue_invitation

#: What an administrator edits on an account (``password`` is handled apart).
USER_FIELDS = ("username", "email", "first_name", "last_name", "is_active", "is_analyst")


# --- user accounts (administrators) ---------------------------------------------------------


def _require_user_manager(actor) -> None:
    if not can_manage_users(actor):
        raise PermissionDenied(_("Only registry administrators manage user accounts."))


def _email_taken_message(user: User) -> str | None:
    if not user.email:
        return None
    if User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).exists():
        return _("Another user already has this e-mail address.")
    return None


def _validate_user(user: User, password: str | None) -> None:
    errors: dict[str, list] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if "email" not in errors and (message := _email_taken_message(user)):
        errors["email"] = [message]
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_active: bool = True,
    is_analyst: bool = False,
    password: str | None = None,
) -> User:
    """Create an account. Without a password it cannot sign in until one is set (by an
    administrator, or by the user through "forgotten password")."""
    _require_user_manager(actor)
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        first_name=first_name,
        last_name=last_name,
        is_active=is_active,
        is_analyst=is_analyst,
    )
    _validate_user(user, password)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _save_user(user)
    return user


@transaction.atomic
def user_update(*, user: User, actor, data: Mapping[str, Any]) -> User:
    """Change an account; ``data`` holds any of ``USER_FIELDS`` and ``password``."""
    _require_user_manager(actor)
    if unknown := set(data) - {*USER_FIELDS, "password"}:
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    if data.get("is_active") is False and user.pk == actor.pk:
        raise ValidationError({"is_active": [_("You cannot deactivate your own account.")]})
    for name in USER_FIELDS:
        if name in data:
            setattr(user, name, data[name])
    if "email" in data:
        user.email = User.objects.normalize_email(user.email)
    password = data.get("password")
    _validate_user(user, password)
    if password:
        user.set_password(password)
    _save_user(user)
    return user


def _save_user(user: User) -> None:
    """Save; a username taken meanwhile by a concurrent request is a 400, not a 500."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError(
            {"username": [_("A user with that username already exists.")]}
        ) from None


@transaction.atomic
def user_deactivate(*, user: User, actor) -> User:
    """Stop an account from signing in; it is kept, since records name it."""
    return user_update(user=user, actor=actor, data={"is_active": False})


# --- places: memberships and invitations ---------------------------------------------------


def _target_errors(role: str, municipality, organisation) -> dict[str, list[str]]:
    """A coordinator belongs to a municipality, a representative to an organisation."""
    if role == MembershipRole.COORDINATOR:
        if municipality is None:
            return {"municipality": [_("A coordinator needs a municipality.")]}
        if organisation is not None:
            return {"organisation": [_("A coordinator belongs to a municipality only.")]}
    elif role == MembershipRole.REPRESENTATIVE:
        if organisation is None:
            return {"organisation": [_("A representative needs an organisation.")]}
        if municipality is not None:
            return {"municipality": [_("A representative belongs to an organisation only.")]}
    else:
        return {"role": [_("Unknown role.")]}
    return {}


def holds_address(user, email: str) -> bool:
    """Whether ``user``'s account has ``email``, confirmed or not (its account address or one
    of its allauth addresses). Following a link sent to that address proves the rest."""
    if not (user and user.is_authenticated):
        return False
    email = normalise(email)
    return (
        normalise(user.email) == email
        or EmailAddress.objects.filter(user=user, email__iexact=email).exists()
    )


def _is_member(email: str, *, municipality, organisation) -> bool:
    """Whether an account that has ``email`` already holds a role in the place."""
    holders = User.objects.filter(
        Q(email__iexact=email)
        | Q(pk__in=EmailAddress.objects.filter(email__iexact=email).values("user_id"))
    )
    return Membership.objects.filter(
        user__in=holders, municipality=municipality, organisation=organisation
    ).exists()


# --- invitations ----------------------------------------------------------------------------

#: The window of ``INVITATION_RATE_LIMIT`` (invitations per inviter).
INVITATION_RATE_WINDOW = timedelta(hours=24)

INVITATION_UNUSABLE = _lazy("This invitation link has expired or was already used.")


class InvitationRateLimited(ValidationError):
    """An inviter sent ``INVITATION_RATE_LIMIT`` invitations within 24 hours; the next one is
    possible in ``retry_after`` seconds. The API answers 429 with ``Retry-After``."""

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message, code="throttled")
        self.retry_after = retry_after


def invitation_rate_limit() -> int:
    return getattr(settings, "INVITATION_RATE_LIMIT", 20)


def _check_invitation_rate(actor) -> None:
    """At most ``INVITATION_RATE_LIMIT`` invitations per inviter within 24 hours, counted from
    the invitations themselves (renewals included: each is a new invitation)."""
    limit = invitation_rate_limit()
    now = timezone.now()
    # One inviter's invitations are counted and written one request at a time.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    recent = list(
        Invitation.objects.filter(invited_by=actor, created_at__gt=now - INVITATION_RATE_WINDOW)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        retry_after = max(1, math.ceil((recent[-1] + INVITATION_RATE_WINDOW - now).total_seconds()))
        raise InvitationRateLimited(
            ngettext(
                "You have sent %(count)d invitation within 24 hours, the most allowed. "
                "Try again later.",
                "You have sent %(count)d invitations within 24 hours, the most allowed. "
                "Try again later.",
                limit,
            )
            % {"count": limit},
            retry_after=retry_after,
        )


@transaction.atomic
def invitation_create(
    *,
    actor,
    role: str,
    email: str,
    municipality=None,
    organisation=None,
) -> Invitation:
    """Invite ``email`` to be a coordinator of ``municipality`` or a representative of
    ``organisation``: an offer, sent by e-mail, that attaches nothing to any account until
    the owner of the address accepts it (``invitation_accept``).

    Administrators invite anywhere; a coordinator invites coordinators to his own
    municipality, a representative representatives to his own organisation, which must be
    verified (the e-mail names it); analysts invite no one. Each inviter sends at most
    ``INVITATION_RATE_LIMIT`` invitations within 24 hours (``InvitationRateLimited``).

    The answer is the same whether or not the address has an account:

    - an open invitation for the same address and place is *renewed*: it is closed and a new
      one (new key, new expiry, new e-mail) takes its place;
    - an address that already belongs to a member of the place gets nothing (no invitation
      recorded, no e-mail), and the caller gets an unsaved invitation (``pk`` is ``None``)
      with the same fields as a sent one, so a page can answer the same way.

    The e-mail is written to the outbox in this transaction (``accounts.tasks.
    queue_invitation``) and goes out after the commit, in the inviter's current language.
    """
    if errors := _target_errors(role, municipality, organisation):
        raise ValidationError(errors)
    if refusal := membership_creation_refusal(
        actor, role=role, municipality=municipality, organisation=organisation
    ):
        raise PermissionDenied(refusal)
    email = normalise(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    if organisation is not None and not organisation.verified:
        raise ValidationError(
            {
                "organisation": [
                    _(
                        "%(organisation)s is not verified yet. Colleagues can be invited once a "
                        "volunteer coordinator of a municipality where it operates has verified it."
                    )
                    % {"organisation": organisation}
                ]
            }
        )
    _check_invitation_rate(actor)
    invitation = Invitation(
        email=email,
        role=role,
        municipality=municipality,
        organisation=organisation,
        invited_by=actor,
    )
    if _is_member(email, municipality=municipality, organisation=organisation):
        return invitation  # nothing to send; the same answer as a sent invitation
    now = timezone.now()
    Invitation.objects.open().filter(
        email=email, municipality=municipality, organisation=organisation
    ).update(revoked_at=now, revoked_by=actor)
    key = invitation.new_key()  # only its hash is stored; the key goes into the e-mail
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        # The same invitation, sent twice at once: the other one goes out.
        raise ValidationError(
            {"email": [_("An invitation to this address is being sent already.")]}
        ) from None
    queue_invitation(invitation, key, language=get_language())
    return invitation


@transaction.atomic
def invitation_accept(*, key: str, user) -> Membership:
    """The owner of the invited address accepts: the membership takes effect.

    ``key`` must be the key of a pending invitation (else "This invitation link has expired
    or was already used"). ``user`` must own the invited address: their account has it,
    confirmed or not (having the link proves the mailbox, so an unconfirmed address becomes
    confirmed); an account without that address is refused, and so is one when another
    account has confirmed it. Single use; a second call by the same user with the key they
    accepted (a double click) changes nothing and returns the membership.
    """
    if not (user and user.is_authenticated):
        raise PermissionDenied(_("Sign in to accept the invitation."))
    invitation = (
        Invitation.objects.select_for_update().filter(key_hash=hash_invitation_key(key)).first()
        if key
        else None
    )
    if invitation is not None and invitation.accepted_by_id == user.pk:
        membership = Membership.objects.filter(
            user=user,
            municipality_id=invitation.municipality_id,
            organisation_id=invitation.organisation_id,
        ).first()
        if membership is not None:
            return membership
    if invitation is None or not invitation.is_pending:
        raise ValidationError({"key": [str(INVITATION_UNUSABLE)]})
    owner = confirmed_owner(invitation.email)
    if not holds_address(user, invitation.email) or (owner is not None and owner != user):
        raise ValidationError(
            {
                "key": [
                    _(
                        "This invitation was sent to %(email)s, and your account does not have "
                        "that address. Sign in with the account that has it, or create an "
                        "account with it from the invitation link."
                    )
                    % {"email": invitation.email}
                ]
            }
        )
    mark_confirmed(user, invitation.email)
    membership = Membership.objects.filter(
        user=user,
        municipality_id=invitation.municipality_id,
        organisation_id=invitation.organisation_id,
    ).first()
    if membership is None:
        membership = Membership.objects.create(
            user=user,
            role=invitation.role,
            municipality_id=invitation.municipality_id,
            organisation_id=invitation.organisation_id,
            invited_by_id=invitation.invited_by_id,
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_roles(user)
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    """Withdraw an invitation that has not been accepted: its link stops working. Those who
    may send it may revoke it (``can_manage_invitation``)."""
    if not can_manage_invitation(actor, invitation):
        raise PermissionDenied(
            _("Only the coordinators or representatives of the same place may revoke it.")
        )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has been accepted already."))
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = actor
        invitation.save(update_fields=["revoked_at", "revoked_by"])
    return invitation


# --- memberships ----------------------------------------------------------------------------


@transaction.atomic
def membership_delete(*, membership: Membership, actor) -> None:
    """End a membership (the user account is kept).

    Administrators remove anyone. Anyone else removes only themselves, and not when they are
    the last coordinator of their municipality (or the last representative of their
    organisation): see ``accounts.permissions.membership_removal_refusal``.
    """
    # Two last colleagues leaving at once: the second waits, then counts one.
    list(
        Membership.objects.select_for_update()
        .filter(
            role=membership.role,
            municipality_id=membership.municipality_id,
            organisation_id=membership.organisation_id,
        )
        .values_list("pk", flat=True)
    )
    if refusal := membership_removal_refusal(actor, membership):
        raise PermissionDenied(refusal)
    user = membership.user
    membership.delete()
    forget_roles(user)
