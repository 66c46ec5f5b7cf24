from django.contrib import admin
from django.urls import include, path

from dashboards import iop
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
    # Sweden's IOP register reads the statistics (dashboards), above the partnerships app.
    path("partnerships/iop/", iop.IopRegisterView.as_view(), name="iop-register"),
    path("partnerships/iop/municipalities.csv", iop.iop_register_csv, name="iop-register-csv"),
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
