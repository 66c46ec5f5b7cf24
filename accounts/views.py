"""The account pages: sign in and out, passwords, "Register your organisation" and my page.

Sign-in and the password pages are Django's own views with the registry's templates. The
others are thin: accounts are validated and saved by ``accounts.services``, the
organisation registered by ``organisations.services.organisation_create`` and colleagues
invited by ``accounts.services.membership_create``.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from accounts.forms import InviteForm, SignupAccountForm, password_help
from accounts.permissions import (
    can_create_organisation,
    coordinated_municipality_ids,
    is_admin,
    is_analyst,
    represented_organisation_ids,
)
from accounts.services import membership_create, user_register
from municipalities.models import Municipality
from organisations.forms import OrganisationForm
from organisations.models import Organisation
from organisations.services import organisation_create
from partnerships.choices import PROPOSAL_STATUSES, Status
from partnerships.models import Partnership, PartnershipMunicipality, PartnershipOrganisation

#: How many of a representative's proposals my page lists.
PROPOSALS_SHOWN = 5


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    next_page = "my-page"  # unless ?next= says where to go


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are signed out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.html"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Also where invited users choose their first password (``accounts.tasks``' link);
    they are signed in when it is set."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # Plain text: Django's HTML list would not fit in the help paragraph.
        form.fields["new_password1"].help_text = password_help()
        return form


# --- Register your organisation -------------------------------------------------------------


def signup(request):
    """A new account and its organisation, in one transaction; then signed in."""
    if request.user.is_authenticated:
        return redirect("organisation-create")
    account_form = SignupAccountForm(request.POST or None)
    organisation_form = OrganisationForm(request.POST or None)
    if request.method == "POST":
        # Both forms are checked so every error shows at once.
        forms_valid = [account_form.is_valid(), organisation_form.is_valid()]
        if all(forms_valid):
            user, organisation = _register(account_form, organisation_form)
            if organisation is not None:
                login(request, user)
                messages.success(
                    request,
                    _(
                        "Welcome! %(name)s is registered, with you as its representative. It "
                        "awaits verification by a volunteer coordinator of a municipality "
                        "where it operates."
                    )
                    % {"name": organisation.name},
                )
                return redirect("organisation-detail", pk=organisation.pk)
    return render(
        request,
        "accounts/signup.html",
        {
            "account_form": account_form,
            "form": organisation_form,
            "forms": [account_form, organisation_form],
            "has_errors": bool(account_form.errors or organisation_form.errors),
        },
    )


def _register(account_form: SignupAccountForm, organisation_form: OrganisationForm):
    """Create the account, then the organisation through its service; any error rolls both
    back and lands beside its field. Returns (user, organisation) or (None, None)."""
    try:
        with transaction.atomic():
            try:
                user = user_register(
                    **account_form.user_data(), password=account_form.cleaned_data["password1"]
                )
            except ValidationError as error:
                account_form.add_service_errors(error)
                raise
            try:
                organisation = organisation_create(user=user, **organisation_form.service_data())
            except ValidationError as error:
                organisation_form.add_service_errors(error)
                raise
    except ValidationError:
        return None, None
    return user, organisation


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
                membership = membership_create(
                    actor=user,
                    site_url=request.build_absolute_uri("/"),
                    **invite_form.membership_data(),
                )
            except ValidationError as error:
                invite_form.add_service_errors(error)
            else:
                messages.success(request, _invited_message(membership))
                return redirect("my-page")

    context = {
        "municipalities": municipalities,
        "organisations": organisations,
        "is_admin": is_admin(user),
        "is_analyst": is_analyst(user),
        "can_create_organisation": can_create_organisation(user),
        "invite_form": invite_form,
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


def _invited_message(membership) -> str:
    place = membership.municipality or membership.organisation
    if membership.user.has_usable_password():
        return _("%(email)s already has an account and now has access to %(place)s.") % {
            "email": membership.user.email,
            "place": place,
        }
    return _("An invitation to %(place)s is on its way to %(email)s.") % {
        "email": membership.user.email,
        "place": place,
    }
