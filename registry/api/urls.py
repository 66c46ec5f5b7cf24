"""Everything under /api/v1/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from registry.api import schema  # noqa: F401  (registers the schema extensions)
from registry.api.views import not_found

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("municipalities.api.urls")),
    path("", include("organisations.api.urls")),
    path("", include("partnerships.api.urls")),
    path("stats/", include("partnerships.api.stats_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    # Anything else under the API answers a JSON 404, like every other API error.
    re_path(r"^.*$", not_found),
]
