"""Rate limits of the API, with rates in settings (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``,
set from the environment) read on every request, so a deployment — or a test — can change
them without a restart of the class definitions. A limited request answers 429 with
``Retry-After`` and the registry's error body."""

from rest_framework import throttling
from rest_framework.settings import api_settings


class _RatesFromSettings:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    """Anonymous clients, per IP address."""


class UserRateThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    """Signed-in users, per account."""


class ScopedRateThrottle(_RatesFromSettings, throttling.ScopedRateThrottle):
    """Views that name a ``throttle_scope`` (token, invitations, exports) get its own rate,
    on top of the anonymous and user rates."""


class ExportThrottle(_RatesFromSettings, throttling.SimpleRateThrottle):
    """Whole-list CSV and Excel downloads of the pages (``registry.generic``): the "exports"
    rate, per account or, for anonymous visitors, per client address. Used outside DRF: it
    needs only ``request.user`` and ``request.META``."""

    scope = "exports"

    def get_cache_key(self, request, view):
        user = getattr(request, "user", None)
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
