"""Shared pieces of the OpenAPI description: the one error body every endpoint returns.

Use ``ERROR_RESPONSES[code]`` (or ``error_responses(400, 403, ...)``) in ``extend_schema``'s
``responses`` so every error is described by the same ``Error`` component.

The schema is for machines: it is generated in English whatever the caller's language
(``SchemaGenerator``), so that it is the same document for everyone and a generated client's
names do not depend on who fetched it. Error messages in responses stay translated.
"""

from django.utils import translation
from drf_spectacular import generators
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

#: The language of the schema: its descriptions, enum labels and names.
SCHEMA_LANGUAGE = "en"


class SchemaGenerator(generators.SchemaGenerator):
    """drf-spectacular's generator, always in English (``SPECTACULAR_SETTINGS``'s
    ``DEFAULT_GENERATOR_CLASS``: the served schema and ``manage.py spectacular`` alike).

    Every lazy string is resolved while the schema is built (drf-spectacular normalises the
    result), so the document leaves this method with no language left to apply.
    """

    def get_schema(self, request=None, public=False):
        with translation.override(SCHEMA_LANGUAGE):
            return super().get_schema(request=request, public=public)


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
        "No credentials, or invalid ones: sign in, or send `Authorization: Bearer <key>` "
        "or `Authorization: Token <key>` (the key from `POST /api/v1/auth/token/`)."
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


class TokenScheme(OpenApiAuthenticationExtension):
    """The token described twice, as alternatives: an HTTP bearer scheme (what generated
    clients send) and an API key in the ``Authorization`` header with the ``Token`` prefix."""

    target_class = "registry.api.authentication.TokenAuthentication"
    name = ["bearerAuth", "tokenAuth"]
    priority = 1

    def get_security_requirement(self, auto_schema):
        return [{"bearerAuth": []}, {"tokenAuth": []}]

    def get_security_definition(self, auto_schema):
        how = (
            "The key from `POST /api/v1/auth/token/` (or the account page). It is sent as "
            "`Authorization: Bearer <key>` or `Authorization: Token <key>`; both work."
        )
        return [
            {"type": "http", "scheme": "bearer", "description": how},
            {"type": "apiKey", "in": "header", "name": "Authorization", "description": how},
        ]


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
