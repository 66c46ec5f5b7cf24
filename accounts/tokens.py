"""The user's API token (DRF's ``Token``): one per user, renewed or revoked by its owner on the
account page, and revoked whenever the password changes or is reset (``accounts.signals``)."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token


def token_for(user) -> Token | None:
    """The user's current token, or None."""
    return Token.objects.filter(user=user).first()


def token_get(user) -> Token:
    """The user's token, created if there is none (the token endpoint's contract: the same
    token until it is renewed or revoked)."""
    token, _created = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def token_renew(user) -> Token:
    """Replace the user's token by a new one (create it if there is none): the old key stops
    working at once."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def token_revoke(user) -> bool:
    """Delete the user's token; True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
