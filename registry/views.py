from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships.choices import LinkState
from partnerships.models import Partnership, PartnershipMunicipality
from partnerships.research import RESEARCH_FIELD_SHARES


def home(request):
    """The front page: what the registry is, for whom, and its headline numbers."""
    established = Partnership.objects.established()
    context = {
        "municipality_count": Municipality.objects.filter(is_current=True).count(),
        "reporting_count": PartnershipMunicipality.objects.filter(
            partnership__in=established, state=LinkState.CONFIRMED
        )
        .values("municipality")
        .distinct()
        .count(),
        "organisation_count": Organisation.objects.count(),
        "partnership_count": established.count(),
        "latest": established.filter(start_date__isnull=False)
        .order_by("-start_date", "-id")
        .prefetch_related("municipality_links__municipality", "field_tags")[:5],
        "research": RESEARCH_FIELD_SHARES,
    }
    return render(request, "home.html", context)


def healthz(request):
    """Liveness and database check for the container health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
