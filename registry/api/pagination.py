from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
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
