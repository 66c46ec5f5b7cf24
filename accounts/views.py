"""My page, and the page where an invited user chooses a first password.

Sign-in, sign-out, sign-up, e-mail confirmation and the password pages are django-allauth's
(templates in ``templates/account/``); the account page is ``accounts.account_views``.
Colleagues are invited by ``accounts.services.invitation_create``.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from accounts.forms import InviteForm, password_help
from accounts.models import Invitation
from accounts.permissions import (
    can_create_organisation,
    coordinated_municipality_ids,
    is_admin,
    is_analyst,
    represented_organisation_ids,
)
from accounts.services import invitation_create
from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships.choices import PROPOSAL_STATUSES, Status
from partnerships.models import Partnership, PartnershipMunicipality, PartnershipOrganisation

#: How many of a representative's proposals my page lists.
PROPOSALS_SHOWN = 5


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Where invited users choose their first password (``accounts.tasks``' link); they are
    signed in when it is set. (Forgotten passwords are reset through allauth's pages.)"""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # Plain text: Django's HTML list would not fit in the help paragraph.
        form.fields["new_password1"].help_text = password_help()
        return form


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
        context["waiting_count"] = Partnership.objects.filter(
            status=Status.UNDER_REVIEW,
            pk__in=PartnershipMunicipality.objects.filter(
                municipality_id__in=municipality_ids
            ).values("partnership_id"),
        ).count()
    if organisation_ids:
        proposals = (
            Partnership.objects.visible_to(user)
            .filter(
                status__in=PROPOSAL_STATUSES,
                pk__in=PartnershipOrganisation.objects.filter(
                    organisation_id__in=organisation_ids
                ).values("partnership_id"),
            )
            .prefetch_related("municipalities")
            .order_by("-updated_at", "-pk")
        )
        context["proposals"] = proposals[:PROPOSALS_SHOWN]
        context["proposal_count"] = proposals.count()
    return render(request, "accounts/my_page.html", context)
