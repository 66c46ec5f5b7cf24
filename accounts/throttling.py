"""Throttling of the API token endpoint: failed attempts are counted, successes are not.

Failures are counted in the cache per login (the account the username or e-mail address
names, or the text itself when it names none) and per client address, each in a sliding
window (``settings.API_TOKEN_FAILURE_LIMITS``). Once a count reaches its limit every attempt
for that login or from that address is refused, even one with the right password, until the
oldest failure in the window is old enough; DRF then answers 429 with ``Retry-After``.

The client address is allauth's (``ALLAUTH_TRUSTED_PROXY_COUNT`` /
``ALLAUTH_TRUSTED_CLIENT_IP_HEADER``), so the API and the login page count the same client.
"""

from __future__ import annotations

import math
import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from rest_framework.throttling import BaseThrottle

from accounts.emails import normalise
from registry.api.parsers import body_fields

CACHE_PREFIX = "api-token-failures"


def login_identity(login: str) -> str:
    """One counter per account, whichever of its username or addresses is typed."""
    from allauth.account.models import EmailAddress

    from accounts.models import User

    text = (login or "").strip()
    if not text:
        return "login:"
    user_id = (
        User.objects.filter(Q(username=text) | Q(email__iexact=text))
        .values_list("pk", flat=True)
        .first()
    )
    if user_id is None:
        user_id = (
            EmailAddress.objects.filter(email__iexact=normalise(text))
            .values_list("user_id", flat=True)
            .first()
        )
    return f"user:{user_id}" if user_id is not None else f"login:{normalise(text)}"


class TokenFailureThrottle(BaseThrottle):
    """Refuses a token request once its login or client address has failed too often.

    The view calls :meth:`record_failure` after a failed attempt; ``allow_request`` only
    reads the counters. (Two concurrent failures may both read the same history and count
    once: good enough for a throttle, and the login page's limits are allauth's.)
    """

    def __init__(self) -> None:
        self._wait: float | None = None
        self._keys: list[tuple[str, int, int]] | None = None

    def keys(self, request) -> list[tuple[str, int, int]]:
        """(cache key, limit, window in seconds) of each counter this request touches."""
        if self._keys is None:
            limits = settings.API_TOKEN_FAILURE_LIMITS
            login = body_fields(request).get("username", "")
            login = login if isinstance(login, str) else ""
            ip = get_adapter().get_client_ip(request)  # DRF's Request passes META on
            login_limit, login_window = limits["login"]
            ip_limit, ip_window = limits["ip"]
            self._keys = [
                (f"{CACHE_PREFIX}:{login_identity(login)}", login_limit, login_window),
                (f"{CACHE_PREFIX}:ip:{ip}", ip_limit, ip_window),
            ]
        return self._keys

    def allow_request(self, request, view) -> bool:
        now = time.time()
        waits = []
        for key, limit, window in self.keys(request):
            history = [moment for moment in cache.get(key, []) if moment > now - window]
            if len(history) >= limit:
                # Allowed again when all but limit - 1 of the failures have left the window.
                waits.append(history[-limit] + window - now)
        self._wait = max(waits) if waits else None
        return self._wait is None

    def wait(self) -> float | None:
        return math.ceil(self._wait) if self._wait is not None else None

    def record_failure(self, request) -> None:
        now = time.time()
        for key, _limit, window in self.keys(request):
            history = [moment for moment in cache.get(key, []) if moment > now - window]
            history.append(now)
            cache.set(key, history, timeout=window)
