"""Shared pieces of the OpenAPI description: the one error body every endpoint returns.

Use ``ERROR_RESPONSES[code]`` (or ``error_responses(400, 403, ...)``) in ``extend_schema``'s
``responses`` so every error is described by the same ``Error`` component.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every error response (see ``registry/api/exceptions.py``)."""

    detail = serializers.CharField(help_text="What went wrong, in a sentence.")
    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=(
            "Only on 400: each bad field named, with its messages (a list of strings; for a "
            "list of values or objects, the messages of each bad item keyed by its position). "
            "Errors not tied to one field are under `non_field_errors`."
        ),
    )

    class Meta:
        ref_name = "Error"


_DESCRIPTIONS = {
    400: "Bad input: `errors` names each bad field.",
    401: (
        "No credentials, or invalid ones: sign in, or send `Authorization: Token <key>` "
        "(from `POST /api/v1/auth/token/`)."
    ),
    403: "Signed in, but not allowed to do this.",
    404: "No such record.",
    409: "The request conflicts with the record's current state.",
}

ERROR_RESPONSES: dict[int, OpenApiResponse] = {
    code: OpenApiResponse(response=ErrorSerializer, description=description)
    for code, description in _DESCRIPTIONS.items()
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """``responses`` entries for ``extend_schema``: ``{200: ..., **error_responses(400, 403)}``."""
    return {code: ERROR_RESPONSES[code] for code in codes}


def _blankable(field, formatted: dict) -> dict:
    if field.allow_blank or field.read_only:
        # A model field with blank=True gives "" when nothing is recorded.
        formatted = {"anyOf": [formatted, {"type": "string", "maxLength": 0}]}
    if field.allow_null:
        formatted = {**formatted, "nullable": True}
    return formatted


class BlankableURLFieldExtension(OpenApiSerializerFieldExtension):
    """A URL that may be empty is described as "a URL or empty"."""

    target_class = "rest_framework.fields.URLField"

    def map_serializer_field(self, auto_schema, direction):
        return _blankable(self.target, {"type": "string", "format": "uri"})


class BlankableEmailFieldExtension(OpenApiSerializerFieldExtension):
    """An e-mail address that may be empty is described as "an address or empty"."""

    target_class = "rest_framework.fields.EmailField"

    def map_serializer_field(self, auto_schema, direction):
        return _blankable(self.target, {"type": "string", "format": "email"})


# Every operation can answer these: a bad parameter (400), a bad token (401), a right it
# lacks (403), an unknown id or page (404). Described once here instead of on each view.
COMMON_ERRORS = (400, 401, 403, 404)


def add_common_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: document the shared error body everywhere."""
    ref = {"$ref": "#/components/schemas/Error"}
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "Error",
        {
            "type": "object",
            "properties": {
                "detail": {"type": "string"},
                "errors": {"type": "object", "additionalProperties": {}},
            },
            "required": ["detail"],
        },
    )
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code in COMMON_ERRORS:
                responses.setdefault(
                    str(code),
                    {
                        "content": {"application/json": {"schema": ref}},
                        "description": _DESCRIPTIONS[code],
                    },
                )
    return result
