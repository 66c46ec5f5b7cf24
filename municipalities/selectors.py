"""Reads for the municipality and county pages: querysets, counts and scoping.

The list annotations are correlated subqueries in the one list query (no join that
multiplies rows, no ``GROUP BY`` over every column, no query per row).
"""

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from municipalities.models import County, Municipality, VolunteerCentre
from organisations.models import Organisation
from partnerships.choices import ESTABLISHED_STATUSES, LinkState, Status
from partnerships.models import (
    Partnership,
    PartnershipMunicipality,
    PartnershipOrganisation,
    listed_link_q,
)


def _count(queryset: QuerySet, key: str) -> Coalesce:
    """The number of rows of ``queryset`` whose ``key`` is the outer municipality."""
    counted = (
        queryset.filter(**{key: OuterRef("pk")})
        .order_by()
        .values(key)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def municipality_list(*, queryset: QuerySet[Municipality] | None = None) -> QuerySet[Municipality]:
    """Municipalities with ``volunteer_centre_count`` and ``established_partnership_count``
    (partnerships with status in ``ESTABLISHED_STATUSES``, public to everyone). One query."""
    if queryset is None:
        queryset = Municipality.objects.all()
    return queryset.select_related("county").annotate(
        volunteer_centre_count=_count(VolunteerCentre.objects.all(), "municipality"),
        established_partnership_count=_count(
            PartnershipMunicipality.objects.filter(
                partnership__status__in=ESTABLISHED_STATUSES, state=LinkState.CONFIRMED
            ),
            "municipality",
        ),
    )


def municipality_detail(*, pk: int) -> Municipality:
    """One municipality with its county, the list's counts, and its volunteer centres
    (with their organisations)."""
    centres = VolunteerCentre.objects.select_related("organisation").order_by("name")
    return (
        municipality_list()
        .prefetch_related(Prefetch("volunteer_centres", queryset=centres))
        .get(pk=pk)
    )


def municipality_partnerships(*, municipality: Municipality, user) -> QuerySet[Partnership]:
    """The partnerships of ``municipality`` that ``user`` may read, newest first.

    Newest is by start date; proposals, which have none yet, come before the rest. Listed
    only through a confirmed link (or, for a proposal, the link it is addressed through).
    """
    links = PartnershipMunicipality.objects.filter(listed_link_q(), municipality=municipality)
    return (
        Partnership.objects.visible_to(user)
        .filter(pk__in=links.values("partnership_id"))
        .prefetch_related(
            Prefetch(
                "organisation_links",
                queryset=PartnershipOrganisation.objects.filter(listed_link_q())
                .select_related("organisation")
                .order_by("organisation__name"),
            )
        )
        .order_by(F("start_date").desc(nulls_first=True), "-id")
    )


def proposals_waiting_count(*, municipality: Municipality) -> int:
    """Proposals submitted to ``municipality`` that its coordinators have not answered."""
    links = PartnershipMunicipality.objects.filter(listed_link_q(), municipality=municipality)
    return Partnership.objects.filter(
        status=Status.UNDER_REVIEW, pk__in=links.values("partnership_id")
    ).count()


def municipality_organisations(*, municipality: Municipality) -> QuerySet[Organisation]:
    """Organisations that operate in ``municipality``: verified ones first, then by name."""
    links = Organisation.municipalities.through.objects.filter(municipality_id=municipality.pk)
    return Organisation.objects.filter(pk__in=links.values("organisation_id")).order_by(
        "-verified", "name", "id"
    )


def volunteer_centre_organisation_choices(*, municipality: Municipality) -> QuerySet[Organisation]:
    """Organisations a volunteer centre of ``municipality`` may be linked to on the edit page:
    those operating there, and any already linked to one of its centres."""
    operating = Organisation.municipalities.through.objects.filter(
        municipality_id=municipality.pk
    ).values("organisation_id")
    linked = VolunteerCentre.objects.filter(
        municipality=municipality, organisation__isnull=False
    ).values("organisation_id")
    return Organisation.objects.filter(Q(pk__in=operating) | Q(pk__in=linked)).order_by(
        "name", "id"
    )


def county_municipalities(*, county: County) -> QuerySet[Municipality]:
    """The county's municipalities, with the same counts as the municipality list."""
    return municipality_list(queryset=county.municipalities.all()).order_by("name")


def county_summary(*, county: County) -> dict[str, int]:
    """Headline figures of a county: current municipalities, those with a volunteer policy,
    and established partnerships with a municipality there (each partnership once)."""
    current = county.municipalities.filter(is_current=True)
    links = PartnershipMunicipality.objects.filter(
        municipality__county=county, state=LinkState.CONFIRMED
    )
    return {
        "municipalities": current.count(),
        "with_policy": current.filter(volunteer_policy_adopted=True).count(),
        "partnerships": Partnership.objects.established()
        .filter(pk__in=links.values("partnership_id"))
        .count(),
    }
