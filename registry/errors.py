"""The site's handler for unexpected errors (``handler500`` in ``registry.urls``).

A failure inside the API answers in the API's error shape (``{"detail": "..."}``, as
``registry.api.exceptions`` does for every other error) instead of the HTML page; everywhere
else, and on the API's one HTML page (its documentation), Django's ``500.html``, which renders
without a request context and without the database.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"
# The API's pages meant for a browser: they get the site's HTML page, not JSON.
API_HTML_PAGES = frozenset({"api-docs"})


def is_api_request(request: HttpRequest) -> bool:
    if not request.path_info.startswith(API_PREFIX):
        return False
    match = getattr(request, "resolver_match", None)
    return match is None or match.url_name not in API_HTML_PAGES


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    if is_api_request(request):
        # DRF's own wording (it is translated in DRF's catalogues as well).
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return defaults.server_error(request, template_name=template_name)
