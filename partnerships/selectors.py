"""Reads of partnerships for the web pages: scoped querysets and the workflow's state.

Every queryset starts from ``Partnership.objects.visible_to(user)``, the scope the API
uses too; the permission questions are answered by ``partnerships.permissions``.
"""

from django.db.models import Max, Prefetch, Q, QuerySet

from partnerships import permissions
from partnerships.choices import ESTABLISHED_STATUSES, LinkState, OrganisationRole, Status
from partnerships.models import (
    Partnership,
    PartnershipEvent,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
    is_listed,
    listed_link_q,
)
from registry.exports import group_by_first

#: The organisations' roles in the order a partnership lists them (the lead first).
ROLE_ORDER = {role: i for i, role in enumerate(OrganisationRole.values)}


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


def attach_listed_links(records: list[Partnership]) -> None:
    """For a chunk of partnerships read in bulk (the downloads, the open data files): the
    parties each is listed under (``is_listed``) and its fields and forms, in four queries,
    as plain tuples (model instances cost more than the rest at a million rows).

    Sets on each partnership ``listed_municipalities`` (by name: ``state``,
    ``municipality__name``, ``__code``, ``__country``, ``__org_number``,
    ``__county__name``), ``listed_organisations`` (the lead first, then by name:
    ``state``, ``role``, ``organisation_id``, ``organisation__name``, ``__country``,
    ``__org_number``), ``listed_fields`` and ``listed_forms`` (their values).
    """
    ids = [p.pk for p in records]
    municipalities = group_by_first(
        PartnershipMunicipality.objects.filter(partnership_id__in=ids)
        .order_by("municipality__name", "municipality_id")
        .values_list(
            "partnership_id", "state", "municipality__name", "municipality__code",
            "municipality__country", "municipality__org_number", "municipality__county__name",
            named=True,
        )
    )  # fmt: skip
    organisations = group_by_first(
        PartnershipOrganisation.objects.filter(partnership_id__in=ids)
        .order_by("organisation__name", "organisation_id")
        .values_list(
            "partnership_id", "state", "role", "organisation_id", "organisation__name",
            "organisation__country", "organisation__org_number", named=True,
        )
    )  # fmt: skip
    fields = group_by_first(
        PartnershipField.objects.filter(partnership_id__in=ids).values_list(
            "partnership_id", "field"
        )
    )
    forms = group_by_first(
        PartnershipForm.objects.filter(partnership_id__in=ids).values_list("partnership_id", "form")
    )
    last = len(ROLE_ORDER)
    for partnership in records:
        pk = partnership.pk
        partnership.listed_municipalities = [
            link for link in municipalities.get(pk, ()) if is_listed(partnership, link)
        ]
        partnership.listed_organisations = sorted(
            (link for link in organisations.get(pk, ()) if is_listed(partnership, link)),
            key=lambda link: ROLE_ORDER.get(link.role, last),
        )
        partnership.listed_fields = [value for _pk, value in fields.get(pk, ())]
        partnership.listed_forms = [value for _pk, value in forms.get(pk, ())]


def for_list_page(queryset: QuerySet) -> QuerySet:
    """``queryset`` (a ``partnership_list``) as the list page's rows need it: the linked
    municipalities' and organisations' names, not their whole rows (policies, addresses),
    and the fields; not the forms, which the table does not show. Same rows, same order."""
    return queryset.prefetch_related(None).prefetch_related(
        Prefetch(
            "municipality_links",
            queryset=PartnershipMunicipality.objects.select_related("municipality")
            .only("partnership_id", "state", "municipality_id", "municipality__name")
            .order_by("municipality__name"),
        ),
        Prefetch(
            "organisation_links",
            queryset=PartnershipOrganisation.objects.select_related("organisation")
            .only("partnership_id", "state", "organisation_id", "organisation__name")
            .order_by("organisation__name"),
        ),
        "field_tags",
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
            Prefetch(
                "events",
                queryset=PartnershipEvent.objects.select_related(
                    "actor", "municipality", "organisation"
                ),
            )
        )
        .get(pk=pk)
    )


def last_change_request(partnership: Partnership) -> PartnershipEvent | None:
    """The coordinator's request for changes the organisation has not answered yet.

    A proposal is back with the organisation (``changes_requested``); its latest request
    for changes carries the comment. Uses prefetched ``events`` when there are any.
    """
    if partnership.status != Status.CHANGES_REQUESTED:
        return None
    requests = [event for event in partnership.events.all() if event.action == "request_changes"]
    return requests[-1] if requests else None


def last_event(partnership: Partnership) -> PartnershipEvent | None:
    """The latest workflow step (a link's consent is not one)."""
    events = [event for event in partnership.events.all() if not event.action.startswith("link_")]
    return events[-1] if events else None


# --- the coordinator's inbox ----------------------------------------------------------------


def _with_events(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(
        Prefetch(
            "events",
            queryset=PartnershipEvent.objects.select_related(
                "actor", "municipality", "organisation"
            ),
        )
    )


def proposals_to_answer(*, user) -> QuerySet:
    """Proposals under review in the municipalities ``user`` coordinates (those ``user`` may
    accept), newest first."""
    queryset = Partnership.objects.restrict(user, "accept").annotate(
        submitted_at=Max("events__created_at", filter=Q(events__action="submit"))
    )
    return _with_events(with_links(queryset)).order_by("-submitted_at", "-created_at", "-id")


def proposals_in_rework(*, user) -> QuerySet:
    """Proposals sent back to the organisations for changes, newest change first (drafts the
    organisations have not sent are theirs alone)."""
    queryset = Partnership.objects.restrict(user, "review").filter(status=Status.CHANGES_REQUESTED)
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
                listed_link_q(), organisation_id__in=permissions.represented_organisation_ids(user)
            ).values("partnership_id")
        )
    )
    return _with_events(with_links(queryset)).order_by("-updated_at", "-id")


# --- links awaiting confirmation ------------------------------------------------------------


def link_requests(*, user, limit: int | None = None, partnership=None) -> list:
    """Links the municipalities and organisations ``user`` acts for are asked to answer,
    newest partnership first: links awaiting their confirmation (a municipality answers
    on established partnerships: a proposal it answers by accepting or declining it; no
    one answers on a draft), and an organisation's links a coordinator vouched for, which
    its representatives may dispute. A list of ``PartnershipMunicipality`` and
    ``PartnershipOrganisation`` rows with their partnership. Two queries."""
    municipality_ids = permissions.coordinated_municipality_ids(user)
    organisation_ids = permissions.represented_organisation_ids(user)
    municipality_links = PartnershipMunicipality.objects.filter(
        municipality_id__in=municipality_ids,
        state=LinkState.PENDING,
        partnership__status__in=ESTABLISHED_STATUSES,
    ).select_related("partnership", "municipality")
    organisation_links = PartnershipOrganisation.objects.filter(
        Q(state=LinkState.PENDING) & ~Q(partnership__status=Status.DRAFT)
        | Q(state=LinkState.CONFIRMED, vouched=True),
        organisation_id__in=organisation_ids,
    ).select_related("partnership", "organisation")
    if partnership is not None:
        municipality_links = municipality_links.filter(partnership=partnership)
        organisation_links = organisation_links.filter(partnership=partnership)
    if limit is not None:
        municipality_links = municipality_links.order_by("-partnership_id")[:limit]
        organisation_links = organisation_links.order_by("-partnership_id")[:limit]
    if not (municipality_ids or organisation_ids):
        return []
    rows = [*municipality_links, *organisation_links]
    rows.sort(key=lambda link: -link.partnership_id)
    return rows[:limit] if limit is not None else rows
