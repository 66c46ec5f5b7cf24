"""The API token, sent as ``Authorization: Token <key>`` or ``Authorization: Bearer <key>``.

DRF's ``TokenAuthentication`` knows one keyword, ``Token``; generated OpenAPI clients (and
most HTTP tools) send ``Bearer``. Both name the same key (``POST /api/v1/auth/token/``).
The schema describes both (``registry.api.schema.TokenScheme``).
"""

from rest_framework import authentication
from rest_framework.authentication import get_authorization_header


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication with ``Bearer`` accepted as well as ``Token``.

    A 401 still names ``Token`` in ``WWW-Authenticate`` (the scheme the README shows).
    """

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if parts and parts[0].lower() == b"bearer":
            # DRF's own checks and messages, with the other keyword.
            return _BearerTokenAuthentication().authenticate(request)
        return super().authenticate(request)


class _BearerTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Bearer"
