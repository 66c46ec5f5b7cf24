from django.contrib import admin
from django.urls import include, path

from registry import my_page, statements, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", statements.accessibility, name="accessibility"),
    path("privacy/", statements.privacy, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("registry.api.urls")),
    path("accounts/me/", my_page.my_page, name="my-page"),
    path("accounts/", include("accounts.urls")),
    path("accounts/invitations/", include("accounts.invitation_urls")),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("partnerships/", include("partnerships.urls")),
    path("organisations/", include("organisations.urls")),
    path("organisations/", include("registry.organisation_pages")),
    path("municipalities/", include("registry.municipality_pages")),
    path("notifications/", include("notifications.urls")),
    path("open-data/", include("opendata.urls")),
    path("downloads/", include("downloads.urls")),
]

# An unexpected error: JSON in the API's error shape under /api/, else templates/500.html.
handler500 = "registry.errors.server_error"
