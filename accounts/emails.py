"""Who owns which e-mail address: the facts every rule about identity asks.

An address is *confirmed* when its owner followed a link sent to it (allauth's
``EmailAddress.verified``), or followed an invitation link sent to it. Only an account with a
confirmed address may hold a role, register an organisation or propose a partnership.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction


def normalise(email: str) -> str:
    return (email or "").strip().lower()


def has_confirmed_email(user, email: str | None = None) -> bool:
    """Whether ``user`` has confirmed ``email`` (any address, when ``email`` is None)."""
    if not (user and user.is_authenticated):
        return False
    addresses = EmailAddress.objects.filter(user=user, verified=True)
    if email is not None:
        addresses = addresses.filter(email__iexact=normalise(email))
    return addresses.exists()


def confirmed_owner(email: str):
    """The account that has confirmed ``email``, or None."""
    address = (
        EmailAddress.objects.filter(email__iexact=normalise(email), verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


@transaction.atomic
def mark_confirmed(user, email: str | None = None) -> EmailAddress:
    """Record that ``user`` owns ``email`` (their account address by default): for accounts
    made by trusted code (demo data, an administrator's command) and for an address proven by
    following an invitation link sent to it. The address becomes primary if the user has none.
    """
    email = normalise(email or user.email)
    address, _created = EmailAddress.objects.get_or_create(
        user=user, email__iexact=email, defaults={"email": email}
    )
    changed = []
    if not address.verified:
        address.verified = True
        changed.append("verified")
    if (
        not address.primary
        and not EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).exists()
    ):
        address.primary = True
        changed.append("primary")
    if changed:
        address.save(update_fields=changed)
    if address.primary and normalise(user.email) != email:
        user.email = email
        user.save(update_fields=["email"])
    return address
