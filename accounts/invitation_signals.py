"""An account created through an invitation link, with the invited address, is accepted.

The invitation page keeps the key in the session (``accounts.invitation_views``). When
allauth has created the account (``user_signed_up``, sent before allauth decides whether
the address must be confirmed by a link), an account made with the invited address counts
as confirmed, because the link was sent to that address: the invitation is accepted and the
user signed in at once. With any other address, allauth's normal confirmation applies.
"""

from allauth.account.signals import user_signed_up
from django.core.exceptions import ValidationError
from django.dispatch import receiver

from accounts.emails import normalise


@receiver(user_signed_up, dispatch_uid="accounts.accept_invitation_on_sign_up")
def accept_invitation_on_sign_up(sender, request=None, user=None, **kwargs) -> None:
    from accounts.invitation_views import SESSION_INVITATION_KEY, find_invitation
    from accounts.services import invitation_accept

    if request is None or user is None or not hasattr(request, "session"):
        return
    key = request.session.get(SESSION_INVITATION_KEY)
    if not key:
        return
    invitation = find_invitation(key)
    if invitation is None or not invitation.is_pending:
        request.session.pop(SESSION_INVITATION_KEY, None)
        return
    if normalise(user.email) != invitation.email:
        return  # another address: confirmed the usual way; the invitation stays open
    try:
        invitation_accept(key=key, user=user)
    except ValidationError:
        return
    request.session.pop(SESSION_INVITATION_KEY, None)
