"""Only the accounts, municipalities and organisations API, to check their documentation."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("municipalities.api.urls")),
    path("api/v1/", include("registry.municipality_api")),
    path("api/v1/", include("organisations.api.urls")),
]
