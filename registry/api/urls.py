"""Everything under /api/v1/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from registry.api import schema  # noqa: F401  (registers the schema extensions)
from registry.api.views import ApiRootView, SchemaView, not_found

urlpatterns = [
    # The endpoints by name, with their URLs (only the root itself: unknown paths below it
    # still reach the JSON 404 at the end).
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("accounts.api.urls")),
    path("", include("municipalities.api.urls")),
    path("", include("registry.municipality_api")),
    path("", include("organisations.api.urls")),
    path("", include("partnerships.api.urls")),
    path("stats/", include("dashboards.api.urls")),
    # The schema is English whatever the caller's language (registry.api.schema).
    path("schema/", SchemaView.as_view(), name="schema"),
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
