"""The API's own views: its root, its schema, and the JSON 404 below it."""

from functools import cache

from django.http import JsonResponse
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from registry.api.schema import SCHEMA_LANGUAGE


@csrf_exempt
def not_found(request, *args, **kwargs):
    """A JSON 404 for a path under /api/v1/ that names no resource (e.g. ``users/0.5/``)."""
    return JsonResponse({"detail": _("Not found.")}, status=404)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, the same document in every language (English: see
    ``registry.api.schema.SchemaGenerator``), and labelled so."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Language"] = SCHEMA_LANGUAGE
        return response


_REGEX_SIGNS = set("\\()[]{}*+?.|")


def _literal(pattern) -> str | None:
    """The fixed text a URL pattern matches, or None if it takes parameters."""
    if isinstance(pattern, RoutePattern):
        return None if pattern.converters else str(pattern)
    text = str(pattern).removeprefix("^").removesuffix("$")
    return None if _REGEX_SIGNS & set(text) else text


def _endpoints(patterns, prefix: str = ""):
    for pattern in patterns:
        literal = _literal(pattern.pattern)
        if literal is None:
            continue
        if isinstance(pattern, URLResolver):
            yield from _endpoints(pattern.url_patterns, prefix + literal)
        elif isinstance(pattern, URLPattern) and prefix + literal:
            yield prefix + literal


@cache
def endpoint_paths() -> tuple[tuple[str, str], ...]:
    """(name, path below ``/api/v1/``) of every endpoint that takes no parameter in its path,
    the name being the path without its slashes (``partnerships``, ``stats/fields``,
    ``auth/token``). Read once from the URLconf: it is the same for everyone."""
    from registry.api import urls

    paths = {path.strip("/"): path for path in _endpoints(urls.urlpatterns)}
    return tuple(sorted(paths.items()))


class ApiRootView(APIView):
    """``GET /api/v1/``: every endpoint's name and absolute URL, like DRF's router root but
    for every app."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="The API's endpoints",
        description=(
            "Every endpoint that takes no id, by name (its path below `/api/v1/`), with its "
            "absolute URL. Records are below their list: `partnerships/{id}/`."
        ),
        operation_id="api_root",
        tags=["root"],
        auth=[],
        responses={
            200: OpenApiResponse(
                response={
                    "type": "object",
                    "additionalProperties": {"type": "string", "format": "uri"},
                    "example": {
                        "partnerships": "https://registry.example.no/api/v1/partnerships/",
                        "stats/fields": "https://registry.example.no/api/v1/stats/fields/",
                    },
                },
                description="Each endpoint's name and absolute URL.",
            )
        },
    )
    def get(self, request, *args, **kwargs):
        root = reverse("api-root", request=request)
        return Response({name: root + path for name, path in endpoint_paths()})
