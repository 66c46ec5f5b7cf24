"""The account page: name, e-mail addresses, password, two-factor authentication and the API
token. Addresses, password and two-factor authentication are managed on django-allauth's
pages; the token is renewed and revoked through ``accounts.tokens``."""

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.account.views import LoginView as AllauthLoginView
from allauth.core.internal.ratelimit import parse_rates
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


class LoginView(AllauthLoginView):
    """allauth's sign-in page, answering 429 with ``Retry-After`` once the failed attempts
    for an account (or from an address) reach ``ACCOUNT_RATE_LIMITS["login_failed"]``: the
    page still says so in words, and a client that reads status codes sees it too."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        codes = {error.code for errors in form.errors.as_data().values() for error in errors}
        if "too_many_login_attempts" in codes:
            rates = parse_rates(allauth_settings.RATE_LIMITS.get("login_failed"))
            response.status_code = 429
            response["Retry-After"] = str(int(max((r.duration for r in rates), default=300)))
        return response
