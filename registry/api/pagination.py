"""The API's two page styles. Each describes its real shape in the schema: every key is always
present (``next`` and ``previous`` are null at the ends), with how a client follows it."""

import json
from base64 import urlsafe_b64decode, urlsafe_b64encode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from registry.keyset import Key, keys_for, rows_after

_EXAMPLE = "https://registry.example.no/api/v1/{path}/?{query}"
_PAGE_SIZE_DESCRIPTION = "Number of results per page (at most 500)."


def _link(description: str, example: str) -> dict:
    return {
        "type": "string",
        "format": "uri",
        "nullable": True,
        "description": description,
        "example": example,
    }


class Pagination(PageNumberPagination):
    """Page-number pagination for the small registries (counties, municipalities)."""

    page_size_query_param = "page_size"
    page_size_query_description = _PAGE_SIZE_DESCRIPTION
    max_page_size = 500

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "description": (
                "A page of a list numbered by page: `count` results in all; ask for a page "
                "with `page` (from 1), or follow `next` and `previous`."
            ),
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "description": "The number of results on all pages together.",
                    "example": 123,
                },
                "next": _link(
                    "The next page's URL; null on the last page.",
                    _EXAMPLE.format(path="municipalities", query="page=3"),
                ),
                "previous": _link(
                    "The previous page's URL; null on the first page.",
                    _EXAMPLE.format(path="municipalities", query="page=1"),
                ),
                "results": schema,
            },
        }


class IdCursorPagination(CursorPagination):
    """Keyset cursor pagination for the large lists: stays fast at a million rows, since it
    never counts the rows nor skips an OFFSET.

    The list is ordered by the requested field and then by id (``registry.keyset``), so
    every row has one place; a cursor names the row a page ended on (its ordering values
    and its id) and the next page is the rows after it: one range of the index on
    ``(field, id)``, however deep. Rows with equal values never straddle a page boundary
    ambiguously, and missing values (a proposal's start date) come after the others in
    both directions, so walking the pages either way reads every row exactly once.
    """

    ordering = "-id"
    page_size_query_param = "page_size"
    page_size_query_description = _PAGE_SIZE_DESCRIPTION
    cursor_query_description = (
        "Where the page starts: take it from an earlier page's `next` or `previous` link; "
        "leave it out for the first page."
    )
    max_page_size = 500

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "description": (
                "A page of a list read by cursor: follow `next` (and `previous`) as it is, "
                "until it is null. There is no total and no page number."
            ),
            "required": ["next", "previous", "results"],
            "properties": {
                "next": _link(
                    "The next page's URL, to follow as it is; null on the last page.",
                    _EXAMPLE.format(
                        path="partnerships", query="cursor=eyJvIjoiLWlkIiwicCI6WzEyM119"
                    ),
                ),
                "previous": _link(
                    "The previous page's URL; null on the first page.",
                    _EXAMPLE.format(
                        path="partnerships", query="cursor=eyJvIjoiLWlkIiwicCI6WzE3NF0sInIiOjF9"
                    ),
                ),
                "results": schema,
            },
        }

    invalid_cursor_message = _(
        "Invalid cursor: use the “next” or “previous” link of an earlier page as it is."
    )

    def _invalid(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})

    # --- the cursor: {"o": ordering, "p": [values of the row, ..., id], "r": 1 if backwards}

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        try:
            data = json.loads(urlsafe_b64decode(encoded.encode("ascii")))
            if not isinstance(data, dict) or data.get("o") != self._ordering_name:
                raise ValueError("a cursor of another ordering")
            reverse = data.get("r", 0)
            if reverse not in (0, 1):
                raise ValueError("direction")
            position = data.get("p")
            if position is not None:
                if not isinstance(position, list) or len(position) != len(self.keys):
                    raise ValueError("position")
                position = tuple(
                    key.parse(value) for key, value in zip(self.keys, position, strict=True)
                )
        except (ValueError, TypeError, UnicodeError, DjangoValidationError):
            raise self._invalid() from None
        return Cursor(offset=0, reverse=bool(reverse), position=position)

    def encode_cursor(self, cursor):
        data = {"o": self._ordering_name}
        if cursor.position is not None:
            data["p"] = [Key.dump(value) for value in cursor.position]
        if cursor.reverse:
            data["r"] = 1
        encoded = urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def _position(self, instance) -> tuple:
        return tuple(key.value_of(instance) for key in self.keys)

    # --- the page

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        self._ordering_name = ",".join(self.ordering)
        self.keys = keys_for(queryset.model, self.ordering)
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        position = self.cursor.position if self.cursor else None
        keys = [key.reversed() for key in self.keys] if reverse else self.keys

        # One more row than the page holds tells whether another page follows.
        wanted = self.page_size + 1
        rows: list = []
        try:
            for part in rows_after(queryset, keys, position):
                rows += part[: wanted - len(rows)]
                if len(rows) == wanted:
                    break
        except (ValueError, TypeError, DjangoValidationError):
            raise self._invalid() from None
        more = len(rows) == wanted
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = position is not None, more
        else:
            self.has_next, self.has_previous = more, position is not None
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def get_next_link(self):
        if not self.has_next:
            return None
        if not self.page:
            # Walking back found nothing before the cursor: the list starts there.
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self.encode_cursor(Cursor(0, False, self._position(self.page[-1])))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        # On an empty page (its rows deleted since), the previous page is the list's end.
        position = self._position(self.page[0]) if self.page else None
        return self.encode_cursor(Cursor(0, True, position))
