"""Reactions to account events sent by django-allauth."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.dispatch import receiver

from accounts.tokens import token_revoke


@receiver(password_changed, dispatch_uid="accounts.revoke_token_on_password_changed")
@receiver(password_set, dispatch_uid="accounts.revoke_token_on_password_set")
@receiver(password_reset, dispatch_uid="accounts.revoke_token_on_password_reset")
def revoke_api_token(sender, request=None, user=None, **kwargs) -> None:
    """A new password revokes the API token: whoever learnt the old password and fetched a
    token with it loses that token too."""
    if user is not None:
        token_revoke(user)
