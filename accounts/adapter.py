"""The registry's django-allauth adapter."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from accounts.throttling import login_identity


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Count failed sign-ins per account, whichever of its username or addresses is typed
        (allauth counts per typed text, so switching to the e-mail address would start a
        fresh count). Unknown logins count per text."""
        login = credentials.get("email", credentials.get("username", ""))
        return login_identity(login)
