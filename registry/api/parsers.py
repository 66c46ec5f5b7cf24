"""The API's one request format: JSON, read with a limit a hostile client cannot get past.

Nesting deeper than ``MAX_DEPTH`` answers 400 — before Python's parser would recurse itself
into a ``RecursionError`` (a 500). (A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is
refused by Django while DRF reads it; ``registry.api.exceptions`` turns that into a JSON 413.)
"""

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

#: No request of the registry nests deeper than a few levels.
MAX_DEPTH = 32


def _too_deep(text: str, limit: int) -> bool:
    """Whether the JSON text nests arrays or objects deeper than ``limit`` (strings skipped)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(
                _("The body is not valid %(encoding)s.") % {"encoding": encoding}
            ) from error
        if _too_deep(text, MAX_DEPTH):
            raise exceptions.ParseError(
                _("The JSON body is nested too deeply (at most %(depth)s levels).")
                % {"depth": MAX_DEPTH}
            )
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from error


def body_fields(request) -> dict:
    """The request body's fields when it is a JSON object, else none: for code that reads a
    field or two before the serializer validates the body (a list or a number is a body
    too, and the serializer names it as wrong)."""
    data = request.data
    return data if isinstance(data, dict) else {}
