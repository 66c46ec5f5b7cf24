"""The site's URLs with test-only views that fail, for the error-page tests
(``settings.ROOT_URLCONF = "tests.registry.error_urls"``)."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from registry.urls import handler500  # noqa: F401  (the site's handler, for these URLs too)
from registry.urls import urlpatterns as site_urlpatterns


def server_error(request):
    raise RuntimeError("A test-only failure")


def bad_request(request):
    raise SuspiciousOperation("A test-only bad request")


def forbidden(request):
    raise PermissionDenied


def forbidden_with_reason(request):
    raise PermissionDenied("Only this municipality's coordinators may do this.")


def database_error(request):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_anywhere")


@api_view(["GET", "POST"])
@permission_classes([AllowAny])
def api_server_error(request):
    raise RuntimeError("A test-only failure inside the API")


urlpatterns = [
    path("api/v1/test-only/500/", api_server_error),
    path("test-only/500/", server_error),
    path("test-only/400/", bad_request),
    path("test-only/403/", forbidden),
    path("test-only/403-reason/", forbidden_with_reason),
    path("test-only/database-error/", database_error),
    *site_urlpatterns,
]
