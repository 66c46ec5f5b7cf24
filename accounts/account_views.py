"""The account page: name, e-mail addresses, password, two-factor authentication and the API
token. Addresses, password and two-factor authentication are managed on django-allauth's
pages; the token is renewed and revoked through ``accounts.tokens``."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.tokens import token_for, token_renew, token_revoke


@login_required
def account(request):
    user = request.user
    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    authenticator_types = set(
        Authenticator.objects.filter(user=user).values_list("type", flat=True)
    )
    return render(
        request,
        "accounts/account.html",
        {
            "addresses": addresses,
            "totp_active": Authenticator.Type.TOTP in authenticator_types,
            "recovery_codes_active": Authenticator.Type.RECOVERY_CODES in authenticator_types,
            "token": token_for(user),
        },
    )


@require_POST
@login_required
def token_renew_view(request):
    had_token = token_for(request.user) is not None
    token_renew(request.user)
    messages.success(
        request,
        _("Your API token is renewed: the old one no longer works.")
        if had_token
        else _("Your API token is created."),
    )
    return redirect("account")


@require_POST
@login_required
def token_revoke_view(request):
    if token_revoke(request.user):
        messages.success(request, _("Your API token is revoked: it no longer works."))
    return redirect("account")
