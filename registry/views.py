from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from dashboards.front_page import front_page_numbers
from partnerships.models import Partnership


def home(request):
    """The front page: what the registry is, for whom, and its headline numbers."""
    context = {
        **front_page_numbers(),
        "latest": Partnership.objects.established()
        .filter(start_date__isnull=False)
        .order_by("-start_date", "-id")
        .prefetch_related("municipality_links__municipality", "field_tags")[:5],
    }
    return render(request, "home.html", context)


def healthz(request):
    """Liveness and database check for the container health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
