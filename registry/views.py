from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships.choices import ESTABLISHED_STATUSES
from partnerships.models import Partnership


def home(request):
    """The front page: what the registry is, and its headline numbers."""
    context = {
        "municipality_count": Municipality.objects.filter(is_current=True).count(),
        "organisation_count": Organisation.objects.count(),
        "partnership_count": Partnership.objects.filter(status__in=ESTABLISHED_STATUSES).count(),
    }
    return render(request, "home.html", context)


def healthz(request):
    """Liveness and database check for the container health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
