"""The list pages' paginator: page numbers, but never a count or an ``OFFSET`` of the whole
table.

At a million rows ``COUNT(*)`` reads every row and page 2,000 makes the database read
and throw away 50,000 rows first. The lists count up to ``COUNT_CAP`` rows and no further
("more than 10,000 matches"), and page only through those: page numbers stop
``COUNT_CAP`` rows deep, where the page says to narrow the filters. Both costs are then
bounded by the cap, whatever the table's size.
"""

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

#: How far the list pages count, and how deep their pages go (rows).
COUNT_CAP = 10_000

#: From this many rows deep, a page finds its rows' ids first (``CappedPaginator.page``).
DEFERRED_FROM = 500


def _queryset_of(object_list) -> QuerySet | None:
    """The queryset under django-tables2's rows (``BoundRows`` → ``TableData`` → queryset),
    or ``object_list`` itself."""
    for candidate in (object_list, getattr(object_list, "data", None)):
        if isinstance(candidate, QuerySet):
            return candidate
        data = getattr(candidate, "data", None)
        if isinstance(data, QuerySet):
            return data
    return None


class CappedPaginator(Paginator):
    """A ``Paginator`` whose ``count`` is exact up to ``cap`` and stops there (``more`` then
    says there are more); its pages reach no deeper than ``cap`` rows."""

    def __init__(
        self,
        object_list,
        per_page,
        *args,
        cap: int | None = None,
        known_count: int | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        #: The number of rows when the view knows it already (from summary tables): no count.
        self.known_count = known_count
        #: True when a page beyond the cap was asked for (and the last one shown instead).
        self.beyond_cap = False

    @cached_property
    def _counted(self) -> int:
        """The rows, counted up to one past the cap: ``SELECT COUNT(*) FROM (… LIMIT cap + 1)``."""
        if self.known_count is not None:
            return min(self.known_count, self.cap + 1)
        queryset = _queryset_of(self.object_list)
        if queryset is not None:
            # Only the ids, unsorted: the annotations a page shows (counts per row) and
            # its sort cost nothing here.
            return queryset.order_by().values("pk")[: self.cap + 1].count()
        return min(len(self.object_list), self.cap + 1)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def more(self) -> bool:
        """More rows match than the pages reach."""
        return self._counted > self.cap

    def page(self, number) -> Page:
        """The page ``number``; deep in the list its rows are found in two steps: the ids
        (``SELECT id … OFFSET n LIMIT 25``, read from the ordering's index alone), then those
        rows with everything the table shows. One ``OFFSET`` over whole rows reads every row
        it skips from the table (50 ms at 10,000 deep on a million, against 3 ms)."""
        page = super().page(number)
        bottom = (page.number - 1) * self.per_page
        queryset = _queryset_of(self.object_list)
        rows = page.object_list
        if bottom >= DEFERRED_FROM and queryset is not None and hasattr(rows, "pinned_data"):
            ids = list(queryset.values_list("pk", flat=True)[bottom : bottom + self.per_page])
            # The same queryset (order, prefetches, annotations), narrowed to those ids.
            page.object_list = type(rows)(
                data=queryset.filter(pk__in=ids), table=rows.table, pinned_data=rows.pinned_data
            )
        return page

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            if self.more and int(number) > self.num_pages:
                self.beyond_cap = True
            raise
