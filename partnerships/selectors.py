"""Reads of partnerships for the web pages: scoped querysets and the workflow's state.

Every queryset starts from ``Partnership.objects.visible_to(user)``, the scope the API
uses too; the permission questions are answered by ``accounts.permissions``.
"""

from django.db.models import Max, Prefetch, Q, QuerySet

from accounts import permissions
from partnerships.choices import Status
from partnerships.models import (
    Partnership,
    PartnershipEvent,
    PartnershipMunicipality,
    PartnershipOrganisation,
)


def with_links(queryset: QuerySet) -> QuerySet:
    """Municipalities, organisations, fields and forms in four queries, whatever the rows."""
    return queryset.prefetch_related(
        Prefetch(
            "municipality_links",
            queryset=PartnershipMunicipality.objects.select_related("municipality").order_by(
                "municipality__name"
            ),
        ),
        Prefetch(
            "organisation_links",
            queryset=PartnershipOrganisation.objects.select_related("organisation").order_by(
                "organisation__name"
            ),
        ),
        "field_tags",
        "form_tags",
    )


def partnership_list(*, user) -> QuerySet:
    """The public list: what ``user`` may see, with its links prefetched."""
    return with_links(Partnership.objects.visible_to(user))


def partnership_detail(*, user, pk: int) -> Partnership:
    """One partnership ``user`` may see (``Partnership.DoesNotExist`` otherwise, as in the API)."""
    return (
        with_links(Partnership.objects.visible_to(user))
        .select_related("created_by")
        .prefetch_related(
            Prefetch("events", queryset=PartnershipEvent.objects.select_related("actor"))
        )
        .get(pk=pk)
    )


def last_change_request(partnership: Partnership) -> PartnershipEvent | None:
    """The coordinator's request for changes the organisation has not answered yet.

    A proposal is back with the organisation (``proposed``) and its latest workflow event
    is a request for changes. Uses prefetched ``events`` when there are any.
    """
    if partnership.status != Status.PROPOSED:
        return None
    events = list(partnership.events.all())
    if events and events[-1].action == "request_changes":
        return events[-1]
    return None


def last_event(partnership: Partnership) -> PartnershipEvent | None:
    events = list(partnership.events.all())
    return events[-1] if events else None


# --- the coordinator's inbox ----------------------------------------------------------------


def _in_coordinated_municipalities(user, queryset: QuerySet) -> QuerySet:
    if permissions.is_admin(user):
        return queryset
    return queryset.filter(
        pk__in=PartnershipMunicipality.objects.filter(
            municipality_id__in=permissions.coordinated_municipality_ids(user)
        ).values("partnership_id")
    )


def _with_events(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        Prefetch("events", queryset=PartnershipEvent.objects.select_related("actor"))
    )


def proposals_to_answer(*, user) -> QuerySet:
    """Proposals under review in the municipalities ``user`` coordinates, newest first."""
    queryset = _in_coordinated_municipalities(
        user, Partnership.objects.visible_to(user).filter(status=Status.UNDER_REVIEW)
    ).annotate(submitted_at=Max("events__created_at", filter=Q(events__action="submit")))
    return _with_events(with_links(queryset)).order_by("-submitted_at", "-created_at", "-id")


def proposals_in_rework(*, user) -> QuerySet:
    """Proposals back with (or not yet sent by) the organisations, newest change first."""
    queryset = _in_coordinated_municipalities(
        user, Partnership.objects.visible_to(user).filter(status=Status.PROPOSED)
    )
    return _with_events(with_links(queryset)).order_by("-updated_at", "-id")


# --- a representative's own partnerships ----------------------------------------------------


def organisation_partnerships(*, user, statuses) -> QuerySet:
    """The partnerships in ``statuses`` of the organisations ``user`` represents, most
    recently changed first."""
    queryset = (
        Partnership.objects.visible_to(user)
        .filter(status__in=statuses)
        .filter(
            pk__in=PartnershipOrganisation.objects.filter(
                organisation_id__in=permissions.represented_organisation_ids(user)
            ).values("partnership_id")
        )
    )
    return _with_events(with_links(queryset)).order_by("-updated_at", "-id")
