"""Everything under /api/v1/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from registry.api import schema  # noqa: F401  (registers the schema extensions)
from registry.api.views import not_found

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("municipalities.api.urls")),
    path("", include("registry.municipality_api")),
    path("", include("organisations.api.urls")),
    path("", include("partnerships.api.urls")),
    path("stats/", include("partnerships.api.stats_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI inside the site's layout, its start-up script served as a file (the Content
    # Security Policy allows no inline script).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/docs.html"),
        name="api-docs",
    ),
    # Anything else under the API answers a JSON 404, like every other API error.
    re_path(r"^.*$", not_found),
]
