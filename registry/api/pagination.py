from rest_framework.pagination import CursorPagination, PageNumberPagination


class Pagination(PageNumberPagination):
    """Page-number pagination for the small registries (counties, municipalities)."""

    page_size_query_param = "page_size"
    max_page_size = 500


class IdCursorPagination(CursorPagination):
    """Cursor pagination for the large lists: stays fast at a million rows, since it
    never counts the rows nor skips an OFFSET."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
