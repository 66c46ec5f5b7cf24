"""Reads of the municipalities app's own data: querysets, counts and scoping.

The list annotations are correlated subqueries in the one list query (no join that
multiplies rows, no ``GROUP BY`` over every column, no query per row). Figures that come
from higher apps (a municipality's partnerships, the organisations operating there) are
added by the pages that compose them, in ``registry.municipality_pages``.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from municipalities.models import County, Municipality, VolunteerCentre


def count_per_municipality(queryset: QuerySet, key: str) -> Coalesce:
    """The number of rows of ``queryset`` whose ``key`` is the outer municipality (or
    county: whatever model the annotated queryset is of)."""
    counted = (
        queryset.filter(**{key: OuterRef("pk")})
        .order_by()
        .values(key)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def municipality_list(*, queryset: QuerySet[Municipality] | None = None) -> QuerySet[Municipality]:
    """Municipalities with their county and ``volunteer_centre_count``. One query."""
    if queryset is None:
        queryset = Municipality.objects.all()
    return queryset.select_related("county").annotate(
        volunteer_centre_count=count_per_municipality(
            VolunteerCentre.objects.all(), "municipality"
        ),
    )


def with_volunteer_centres(queryset: QuerySet[Municipality]) -> QuerySet[Municipality]:
    """``queryset`` with each municipality's volunteer centres (and their organisations)
    prefetched, by name."""
    centres = VolunteerCentre.objects.select_related("organisation").order_by("name")
    return queryset.prefetch_related(Prefetch("volunteer_centres", queryset=centres))


def volunteer_centre_organisation_ids(*, municipality: Municipality) -> QuerySet:
    """The ids of the organisations already linked to one of ``municipality``'s centres."""
    return VolunteerCentre.objects.filter(
        municipality=municipality, organisation__isnull=False
    ).values("organisation_id")


def county_municipalities(*, county: County) -> QuerySet[Municipality]:
    """The county's municipalities, with the municipality list's own counts."""
    return municipality_list(queryset=county.municipalities.all()).order_by("name")


def county_summary(*, county: County) -> dict[str, int]:
    """Headline figures of a county from this app's data: current municipalities and
    those with a volunteer policy."""
    current = county.municipalities.filter(is_current=True)
    return {
        "municipalities": current.count(),
        "with_policy": current.filter(volunteer_policy_adopted=True).count(),
    }
