from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def not_found(request, *args, **kwargs):
    """A JSON 404 for a path under /api/v1/ that names no resource (e.g. ``users/0.5/``)."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
