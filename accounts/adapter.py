"""The registry's django-allauth adapter."""

from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from accounts.throttling import login_identity


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Count failed sign-ins per account, whichever of its username or addresses is typed
        (allauth counts per typed text, so switching to the e-mail address would start a
        fresh count). Unknown logins count per text."""
        login = credentials.get("email", credentials.get("username", ""))
        return login_identity(login)

    # Links in e-mails are built from the configured site address (SITE_URL), never from the
    # request's Host header: a forged Host must not put its own address into a reset link.

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's mails greet "from <current site>", which without the sites framework is
        # the request's host: name the registry by its configured address instead.
        super().send_mail(template_prefix, email, {"current_site": SiteAddress(), **context})

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class SiteAddress:
    """What allauth's mail templates ask of ``current_site``, from ``SITE_URL``."""

    @property
    def domain(self) -> str:
        return urlsplit(settings.SITE_URL).netloc

    name = domain
