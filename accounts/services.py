"""Writes to user accounts and memberships: administration and invitations.

Each function checks the caller's (``actor``'s) rights with ``accounts.permissions``,
raising ``PermissionDenied``, validates (``ValidationError`` naming each bad field) and
writes in one transaction. E-mail goes out from a Celery task queued on commit.
"""

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.choices import MembershipRole
from accounts.models import Membership, User
from accounts.permissions import (
    can_create_membership,
    can_delete_membership,
    can_manage_users,
    forget_roles,
)
from accounts.tasks import send_invitation

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
    """Create an account. Without a password it cannot sign in until one is set (an
    administrator sets it, or the user follows an invitation)."""
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
def user_register(
    *, username: str, email: str, first_name: str, last_name: str, password: str
) -> User:
    """A person registers themselves (sign-up): the same account rules as ``user_create``
    (unique username and e-mail, the password validators), but no administrator is needed,
    a password is required, and the account gets no special role."""
    user = User(
        username=username,
        email=User.objects.normalize_email(email),
        first_name=first_name,
        last_name=last_name,
    )
    if not password:
        raise ValidationError({"password": [_("Choose a password.")]})
    _validate_user(user, password)
    user.set_password(password)
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


# --- memberships ----------------------------------------------------------------------------


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


def _already_member_message(email: str, municipality, organisation) -> str:
    return _("%(user)s is already a member of %(target)s.") % {
        "user": email,
        "target": municipality or organisation,
    }


@transaction.atomic
def membership_create(
    *,
    actor,
    role: str,
    email: str,
    municipality=None,
    organisation=None,
    site_url: str,
) -> Membership:
    """Make the user with ``email`` a coordinator of ``municipality`` or a representative
    of ``organisation``.

    Administrators may add anyone anywhere; a coordinator invites colleagues to his own
    municipality, a representative to his own organisation. A user unknown by that e-mail
    address is created (username = e-mail, no password yet). A user without a password
    (new, or invited before and not yet signed up) is sent an invitation to set one, with
    a link under ``site_url`` (the site's address, e.g. ``https://registry.example.no/``),
    once the transaction has committed.
    """
    if errors := _target_errors(role, municipality, organisation):
        raise ValidationError(errors)
    if not can_create_membership(
        actor, role=role, municipality=municipality, organisation=organisation
    ):
        raise PermissionDenied(
            _(
                "You may invite coordinators only to a municipality you coordinate, and "
                "representatives only to an organisation you represent."
            )
        )
    email = User.objects.normalize_email(email.strip())
    matches = list(User.objects.filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise ValidationError(
            {"email": [_("Several users have this e-mail address; ask a registry administrator.")]}
        )
    if matches:
        user = matches[0]
        if Membership.objects.filter(
            user=user, municipality=municipality, organisation=organisation
        ).exists():
            raise ValidationError(
                {"email": [_already_member_message(email, municipality, organisation)]}
            )
    else:
        user = User(username=email, email=email, is_active=True)
        user.set_unusable_password()
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as error:
            raise ValidationError({"email": error.messages}) from None
        user.save()
    membership = Membership(
        user=user,
        role=role,
        municipality=municipality,
        organisation=organisation,
        invited_by=actor,
    )
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        # The same invitation, sent twice at once.
        raise ValidationError(
            {"email": [_already_member_message(email, municipality, organisation)]}
        ) from None
    forget_roles(user)
    if not user.has_usable_password():
        membership_id, language = membership.pk, get_language()
        transaction.on_commit(
            lambda: send_invitation.delay(membership_id, site_url=site_url, language=language),
            robust=True,
        )
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership, actor) -> None:
    """End a membership: administrators, and the coordinators or representatives of the same
    municipality or organisation."""
    if not can_delete_membership(actor, membership):
        raise PermissionDenied(
            _("Only the coordinators or representatives of the same place may remove members.")
        )
    user = membership.user
    membership.delete()
    forget_roles(user)
