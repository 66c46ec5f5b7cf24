"""Shared pieces of the OpenAPI description: the one error body every endpoint returns.

Use ``ERROR_RESPONSES[code]`` (or ``error_responses(400, 403, ...)``) in ``extend_schema``'s
``responses`` so every error is described by the same ``Error`` component.
"""

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
