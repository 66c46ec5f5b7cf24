"""The page an invitation link opens, and revoking an invitation from my page.

The rules are ``accounts.services``' (``invitation_accept``, ``invitation_revoke``): these
views only show the invitation and pass the key on. The key is kept in the session while
the visitor signs in or creates an account, so that an account made through the link to
the invited address is accepted at once (``accounts.invitation_signals``).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Invitation, hash_invitation_key
from accounts.services import holds_address, invitation_accept, invitation_revoke
from accounts.tasks import inviter_description, role_in

#: The session key holding the key of the invitation the visitor opened.
SESSION_INVITATION_KEY = "invitation_key"


def find_invitation(key: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("municipality", "organisation", "invited_by")
        .filter(key_hash=hash_invitation_key(key))
        .first()
    )


def invitation_detail(request, key: str):
    """What the invitation is (place, role, who invited, until when), and how to accept it:
    signed in with the invited address, an "Accept" button; anonymous, "Sign in with
    <address>" and "Create an account" (the address filled in)."""
    invitation = find_invitation(key)
    user = request.user
    if invitation is not None and user.is_authenticated and invitation.accepted_by_id == user.pk:
        request.session.pop(SESSION_INVITATION_KEY, None)
        messages.info(request, _("You have accepted this invitation."))
        return redirect("my-page")
    if invitation is None or not invitation.is_pending:
        request.session.pop(SESSION_INVITATION_KEY, None)
        return render(
            request,
            "accounts/invitations/unusable.html",
            status=404 if invitation is None else 410,
        )
    request.session[SESSION_INVITATION_KEY] = key
    errors: list[str] = []
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        try:
            membership = invitation_accept(key=key, user=user)
        except ValidationError as error:
            errors = error.messages
        else:
            request.session.pop(SESSION_INVITATION_KEY, None)
            messages.success(
                request,
                _("Welcome: you are now %(what)s.")
                % {"what": role_in(membership.role, invitation.place)},
            )
            return redirect("my-page")
    inviter, inviter_role = inviter_description(invitation)
    return render(
        request,
        "accounts/invitations/detail.html",
        {
            "invitation": invitation,
            "inviter": inviter,
            "inviter_role": inviter_role,
            "what": role_in(invitation.role, invitation.place),
            "holds_address": holds_address(user, invitation.email),
            "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
            "signup_url": f"{reverse('account_signup')}?{urlencode({'email': invitation.email})}",
            "errors": errors,
        },
    )


@login_required
@require_POST
def invitation_revoke_view(request, pk: int):
    """Withdraw a pending invitation (my page's "Revoke" button)."""
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    try:
        invitation_revoke(invitation=invitation, actor=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is revoked: its link no longer works.")
            % {"email": invitation.email},
        )
    return redirect("my-page")
