"""My page: the start page after signing in, at ``/accounts/me/``.

It brings together what every app has for the user (their municipalities and
organisations, the proposals waiting for them, the invitation of a colleague), so it lives
in the project package, not in ``accounts``, which imports no domain app. Sign-in,
sign-out, sign-up, e-mail confirmation and the password pages are django-allauth's
(templates in ``templates/account/``); the account page is ``accounts.account_views``.
Colleagues are invited by ``accounts.services.invitation_create``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import InviteForm
from accounts.models import Invitation
from accounts.permissions import (
    coordinated_municipality_ids,
    is_admin,
    is_analyst,
    represented_organisation_ids,
)
from accounts.services import invitation_create
from municipalities.models import Municipality
from organisations.models import Organisation
from organisations.permissions import can_create_organisation
from partnerships.choices import PROPOSAL_STATUSES
from partnerships.selectors import organisation_partnerships, proposals_to_answer

#: How many of a representative's proposals my page lists.
PROPOSALS_SHOWN = 5


# --- My page --------------------------------------------------------------------------------


@login_required
def my_page(request):
    """The start page after signing in: what the user's roles let them do, and the
    invitation of a colleague to their municipality or organisation."""
    user = request.user
    municipality_ids = coordinated_municipality_ids(user)
    organisation_ids = represented_organisation_ids(user)
    municipalities = list(Municipality.objects.filter(pk__in=municipality_ids).order_by("name"))
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids).order_by("name"))
    invite_form = InviteForm(
        request.POST or None,
        user=user,
        municipalities=municipalities,
        organisations=organisations,
    )
    if request.method == "POST":
        if not invite_form.has_targets:
            raise PermissionDenied
        if invite_form.is_valid():
            try:
                invitation = invitation_create(actor=user, **invite_form.membership_data())
            except ValidationError as error:
                invite_form.add_service_errors(error)
            else:
                # The same words for every address: whether it has an account is not told.
                messages.success(
                    request,
                    _("An invitation is on its way to %(email)s.") % {"email": invitation.email},
                )
                return redirect("my-page")

    context = {
        "municipalities": municipalities,
        "organisations": organisations,
        "is_admin": is_admin(user),
        "is_analyst": is_analyst(user),
        "can_create_organisation": can_create_organisation(user),
        "invite_form": invite_form,
        "pending_invitations": (
            Invitation.objects.pending()
            .filter(
                Q(municipality_id__in=municipality_ids) | Q(organisation_id__in=organisation_ids)
            )
            .select_related("municipality", "organisation")
            .order_by("email", "pk")
            if invite_form.has_targets
            else []
        ),
    }
    if municipality_ids:
        context["waiting_count"] = proposals_to_answer(user=user).count()
    if organisation_ids:
        proposals = organisation_partnerships(user=user, statuses=PROPOSAL_STATUSES)
        context["proposals"] = proposals[:PROPOSALS_SHOWN]
        context["proposal_count"] = proposals.count()
    return render(request, "accounts/my_page.html", context)
