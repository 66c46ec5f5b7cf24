"""The API's two page styles. Each describes its real shape in the schema: every key is always
present (``next`` and ``previous`` are null at the ends), with how a client follows it."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

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
    """Cursor pagination for the large lists: stays fast at a million rows, since it
    never counts the rows nor skips an OFFSET."""

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
                    _EXAMPLE.format(path="partnerships", query="cursor=cD0xMjM%3D"),
                ),
                "previous": _link(
                    "The previous page's URL; null on the first page.",
                    _EXAMPLE.format(path="partnerships", query="cursor=cj0xJnA9MTI0"),
                ),
                "results": schema,
            },
        }

    invalid_cursor_message = _(
        "Invalid cursor: use the “next” or “previous” link of an earlier page as it is."
    )

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor whose position does not fit the ordering's field (a word where an id or a
        # date belongs) fails when the position is compared: a bad request, not a 500.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, DjangoValidationError):
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None
