"""The statistics computed live from the base tables, with ``GROUP BY`` over the links.

The reference the pre-aggregated statistics (``dashboards.statistics``) must always equal:
the tests compare them on random data (``tests/dashboards/test_tallies.py``). The
statistics also use it where it is cheap whatever the registry's size: a single
municipality's partnerships. The contract of each function is documented on its
counterpart in ``dashboards.statistics``.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear

from dashboards.measures import FORMAL_AGREEMENTS
from dashboards.research import RESEARCH_FIELD_SHARES
from dashboards.scope import (
    DEFAULT_WINDOW_YEARS,
    DENOMINATOR_ALL,
    DENOMINATOR_REPORTING,
    DENOMINATORS,
    StatsScope,
    _share,
    window_start,
)
from municipalities.models import County, Municipality
from partnerships.choices import (
    ESTABLISHED_STATUSES,
    Agreement,
    CoCreationType,
    CollaborationForm,
    Currency,
    Field,
    HinderingFactor,
    Initiator,
    LinkState,
    PromotingFactor,
)
from partnerships.models import Partnership, PartnershipField, PartnershipMunicipality


def _established_links(scope: StatsScope) -> QuerySet[PartnershipMunicipality]:
    """Links from an established partnership to a municipality in the place scope."""
    return PartnershipMunicipality.objects.filter(
        scope.place_q("municipality__"),
        partnership__status__in=ESTABLISHED_STATUSES,
        state=LinkState.CONFIRMED,
    ).order_by()


def _established_partnerships(scope: StatsScope) -> QuerySet[Partnership]:
    """Established partnerships in scope, each once (the filters are ``EXISTS`` subqueries,
    so no join multiplies the rows)."""
    partnerships = Partnership.objects.filter(status__in=ESTABLISHED_STATUSES).order_by()
    if scope.has_place:
        partnerships = partnerships.filter(
            Exists(
                PartnershipMunicipality.objects.filter(
                    scope.place_q("municipality__"),
                    partnership=OuterRef("pk"),
                    state=LinkState.CONFIRMED,
                )
            )
        )
    if scope.field:
        partnerships = partnerships.filter(
            Exists(PartnershipField.objects.filter(partnership=OuterRef("pk"), field=scope.field))
        )
    if scope.start_date_after:
        partnerships = partnerships.filter(start_date__gte=scope.start_date_after)
    if scope.start_date_before:
        partnerships = partnerships.filter(start_date__lte=scope.start_date_before)
    return partnerships


def _counted_municipalities_q(*, window: Q, prefix: str = "") -> Q:
    """The municipalities the ``all`` denominator counts: every current one, plus any
    no-longer-current one with an established partnership in the window."""
    return Q(**{f"{prefix}is_current": True}) | window


def stats_fields(
    *,
    scope: StatsScope,
    as_of: datetime.date,
    years: int = DEFAULT_WINDOW_YEARS,
    denominator: str = DENOMINATOR_REPORTING,
) -> dict:
    """For every field, how many municipalities in scope established a partnership in it
    in the ``years`` before ``as_of``, and that number's share of the denominator.

    The window is ``as_of − years < start_date ≤ as_of`` (years subtracted by calendar).
    A partnership counts for each of its municipalities in scope and each of its fields.

    Denominators (``municipalities_total``):

    - ``"reporting"``: municipalities in scope with at least one established partnership
      starting on or before ``as_of`` — those that report to the registry at all;
    - ``"all"``: every *current* municipality in scope (``is_current=True``), plus any
      no-longer-current one that has an established partnership in the window (so a
      merged-away municipality's recent partnerships never give a share above 1).

    Every ``Field`` appears, in enum order, zeros included; ``research`` is the
    reference figure from ``RESEARCH_FIELD_SHARES`` or ``None``. ``scope.field`` and the
    start-date range are ignored. One query, two with ``denominator="all"``.
    """
    if denominator not in DENOMINATORS:
        raise ValueError(f"Unknown denominator {denominator!r}; use one of {DENOMINATORS}.")
    if years < 1:
        raise ValueError("years must be at least 1.")
    since = window_start(as_of, years)
    in_window = Q(partnership__start_date__gt=since)
    aggregates = {"reporting": Count("municipality", distinct=True)}
    for index, field in enumerate(Field):
        aggregates[f"field_{index}"] = Count(
            "municipality",
            distinct=True,
            filter=in_window & Q(partnership__field_tags__field=field.value),
        )
    counts = (
        _established_links(scope).filter(partnership__start_date__lte=as_of).aggregate(**aggregates)
    )

    if denominator == DENOMINATOR_ALL:
        established_in_window = PartnershipMunicipality.objects.filter(
            municipality=OuterRef("pk"),
            state=LinkState.CONFIRMED,
            partnership__status__in=ESTABLISHED_STATUSES,
            partnership__start_date__gt=since,
            partnership__start_date__lte=as_of,
        )
        total = (
            Municipality.objects.filter(scope.place_q())
            .filter(_counted_municipalities_q(window=Q(Exists(established_in_window))))
            .count()
        )
    else:
        total = counts["reporting"]

    results = []
    for index, field in enumerate(Field):
        municipalities = counts[f"field_{index}"]
        research = RESEARCH_FIELD_SHARES.get(field.value)
        results.append(
            {
                "field": field.value,
                "municipalities": municipalities,
                "share": _share(municipalities, total),
                "research": research.as_dict() if research else None,
            }
        )
    return {
        "as_of": as_of,
        "years": years,
        "denominator": denominator,
        "municipalities_total": total,
        "results": results,
    }


def stats_co_creation(*, scope: StatsScope) -> dict:
    """Established partnerships in scope by declared co-creation type, by the type derived
    from practice (``derived_co_creation_type``), and the declared × derived matrix.

    The matrix shows the gap between declared and practised co-creation: e.g. declared
    ``equal`` but derived ``municipality_led``. Every type is a key of ``declared`` and
    ``derived``; all nine matrix cells are present, zeros included, declared type first,
    in enum order. One query.
    """
    types = list(CoCreationType)
    aggregates = {"total": Count("pk", distinct=True)}
    for i, kind in enumerate(types):
        aggregates[f"declared_{i}"] = Count(
            "pk", distinct=True, filter=Q(co_creation_type=kind.value)
        )
        aggregates[f"derived_{i}"] = Count(
            "pk", distinct=True, filter=Q(derived_co_creation_type=kind.value)
        )
        for j, derived in enumerate(types):
            aggregates[f"cell_{i}_{j}"] = Count(
                "pk",
                distinct=True,
                filter=Q(co_creation_type=kind.value, derived_co_creation_type=derived.value),
            )
    counts = _established_partnerships(scope).aggregate(**aggregates)
    return {
        "total": counts["total"],
        "declared": {t.value: counts[f"declared_{i}"] for i, t in enumerate(types)},
        "derived": {t.value: counts[f"derived_{i}"] for i, t in enumerate(types)},
        "matrix": [
            {"declared": declared.value, "derived": derived.value, "count": counts[f"cell_{i}_{j}"]}
            for i, declared in enumerate(types)
            for j, derived in enumerate(types)
        ],
    }


def _choice_counts(*, scope: StatsScope, lookup: str, choices, extra: dict | None = None) -> dict:
    """Established partnerships in scope per value of ``lookup``, every choice in enum
    order, with the share of all established partnerships in scope; ``extra`` aggregates
    are added to the result under their names. One query."""
    aggregates = {"total": Count("pk", distinct=True), **(extra or {})}
    for index, choice in enumerate(choices):
        aggregates[f"value_{index}"] = Count(
            "pk", distinct=True, filter=Q(**{lookup: choice.value})
        )
    counts = _established_partnerships(scope).aggregate(**aggregates)
    total = counts["total"]
    return {
        "total": total,
        **{name: counts[name] for name in extra or {}},
        "results": [
            {
                "value": choice.value,
                "count": counts[f"value_{index}"],
                "share": _share(counts[f"value_{index}"], total),
            }
            for index, choice in enumerate(choices)
        ],
    }


def stats_initiators(*, scope: StatsScope) -> dict:
    """Established partnerships in scope by who took the initiative (``Initiator``), every
    choice in enum order with its count and share of ``total``. One query."""
    return _choice_counts(scope=scope, lookup="initiator", choices=Initiator)


def stats_agreements(*, scope: StatsScope) -> dict:
    """Established partnerships in scope by kind of agreement (``Agreement``), every choice
    in enum order with its count and share of ``total``. One query."""
    return _choice_counts(scope=scope, lookup="agreement", choices=Agreement)


def stats_forms(*, scope: StatsScope) -> dict:
    """Established partnerships in scope per form of collaboration (``CollaborationForm``).

    Forms are multi-valued: a partnership counts once for *each* form it has, and each
    share is partnerships with that form / all established partnerships in scope
    (``total``), so the shares may sum to more than 1. ``without_form`` counts the
    partnerships that have no form recorded. One query.
    """
    return _choice_counts(
        scope=scope,
        lookup="form_tags__form",
        choices=CollaborationForm,
        extra={"without_form": Count("pk", distinct=True, filter=Q(form_tags__isnull=True))},
    )


def stats_trend(
    *, scope: StatsScope, year_from: int | None = None, year_to: int | None = None
) -> dict:
    """Established partnerships started each year, per field, in scope.

    ``results`` has a row per year and field — every year from ``year_from`` (default:
    the first year with data) to ``year_to`` (default: the last), every field in enum
    order (only ``scope.field`` when given), zeros included — with the number of
    partnerships (each once) and of distinct municipalities in scope. A partnership in
    several fields counts in each field's row; ``totals`` counts each once per year.
    Years come from the database (``ExtractYear``). Two queries.
    """
    links = _established_links(scope)
    if scope.field:
        links = links.filter(
            Exists(
                PartnershipField.objects.filter(
                    partnership=OuterRef("partnership"), field=scope.field
                )
            )
        )
    if scope.start_date_after:
        links = links.filter(partnership__start_date__gte=scope.start_date_after)
    if scope.start_date_before:
        links = links.filter(partnership__start_date__lte=scope.start_date_before)
    if year_from is not None:
        links = links.filter(partnership__start_date__year__gte=year_from)
    if year_to is not None:
        links = links.filter(partnership__start_date__year__lte=year_to)
    links = links.filter(partnership__start_date__isnull=False)

    year = ExtractYear("partnership__start_date")
    per_field = (
        links.values(year=year, field=F("partnership__field_tags__field"))
        .annotate(
            partnerships=Count("partnership", distinct=True),
            municipalities=Count("municipality", distinct=True),
        )
        .order_by()
    )
    if scope.field:
        per_field = per_field.filter(field=scope.field)
    per_year = (
        links.values(year=year)
        .annotate(
            partnerships=Count("partnership", distinct=True),
            municipalities=Count("municipality", distinct=True),
        )
        .order_by()
    )
    by_year = {row["year"]: row for row in per_year}
    by_year_field = {(row["year"], row["field"]): row for row in per_field}

    first = year_from if year_from is not None else min(by_year, default=None)
    last = year_to if year_to is not None else max(by_year, default=None)
    if first is None or last is None:
        return {"year_from": year_from, "year_to": year_to, "results": [], "totals": []}
    fields = [scope.field] if scope.field else Field.values
    years = range(first, last + 1)
    zero = {"partnerships": 0, "municipalities": 0}
    return {
        "year_from": first,
        "year_to": last,
        "results": [
            {
                "year": y,
                "field": field,
                "partnerships": by_year_field.get((y, field), zero)["partnerships"],
                "municipalities": by_year_field.get((y, field), zero)["municipalities"],
            }
            for y in years
            for field in fields
        ],
        "totals": [
            {
                "year": y,
                "partnerships": by_year.get(y, zero)["partnerships"],
                "municipalities": by_year.get(y, zero)["municipalities"],
            }
            for y in years
        ],
    }


def stats_by_county(
    *, country: str | None, as_of: datetime.date, years: int = DEFAULT_WINDOW_YEARS
) -> dict:
    """Per county (of ``country``, or all): municipalities, those with an established
    partnership started in the window ``as_of − years < start_date ≤ as_of``, their
    share, and the number of such partnerships (each once per county; a partnership
    across counties counts in each).

    ``municipalities_total`` follows the ``"all"`` denominator of ``stats_fields``:
    current municipalities plus no-longer-current ones with a partnership in the window.
    No-longer-current counties appear only when they have such municipalities. Ordered
    by country and county code. One query.
    """
    if years < 1:
        raise ValueError("years must be at least 1.")
    since = window_start(as_of, years)
    prefix = "municipalities__partnership_links__partnership__"
    in_window = Q(
        **{
            "municipalities__partnership_links__state": LinkState.CONFIRMED,
            f"{prefix}status__in": ESTABLISHED_STATUSES,
            f"{prefix}start_date__gt": since,
            f"{prefix}start_date__lte": as_of,
        }
    )
    counties = County.objects.all()
    if country:
        counties = counties.filter(country=country)
    rows = (
        counties.annotate(
            municipalities_total=Count(
                "municipalities",
                distinct=True,
                filter=_counted_municipalities_q(window=in_window, prefix="municipalities__"),
            ),
            municipalities_with_partnerships=Count(
                "municipalities", distinct=True, filter=in_window
            ),
            partnerships=Count(f"{prefix.removesuffix('__')}", distinct=True, filter=in_window),
        )
        .filter(Q(is_current=True) | Q(municipalities_total__gt=0))
        .order_by("country", "code")
        .values(
            "id",
            "country",
            "code",
            "name",
            "is_current",
            "municipalities_total",
            "municipalities_with_partnerships",
            "partnerships",
        )
    )
    return {
        "as_of": as_of,
        "years": years,
        "country": country,
        "results": [
            {
                "county": row["id"],
                "country": row["country"],
                "code": row["code"],
                "name": row["name"],
                "is_current": row["is_current"],
                "municipalities_total": row["municipalities_total"],
                "municipalities_with_partnerships": row["municipalities_with_partnerships"],
                "share": _share(
                    row["municipalities_with_partnerships"], row["municipalities_total"]
                ),
                "partnerships": row["partnerships"],
            }
            for row in rows
        ],
    }


def stats_headline(*, scope: StatsScope) -> dict:
    """The headline numbers of established partnerships in scope (place, field and
    start-date range as for ``stats_co_creation``):

    - ``partnerships``: how many, each once;
    - ``municipalities``: distinct municipalities *in the place scope* taking part in them
      (a partnership across counties counts only its municipalities in the county shown);
    - ``organisations``: distinct organisations taking part in them;
    - ``formal_agreements`` and ``formal_agreement_share``: those with a written agreement
      or a partnership agreement (``FORMAL_AGREEMENTS``), and their share of
      ``partnerships``.

    One query (the link tables are joined and counted ``distinct``).
    """
    place = scope.place_q("municipality_links__municipality__")
    counts = _established_partnerships(scope).aggregate(
        partnerships=Count("pk", distinct=True),
        municipalities=Count(
            "municipality_links__municipality",
            distinct=True,
            filter=place & Q(municipality_links__state=LinkState.CONFIRMED),
        ),
        organisations=Count(
            "organisation_links__organisation",
            distinct=True,
            filter=Q(organisation_links__state=LinkState.CONFIRMED),
        ),
        formal_agreements=Count("pk", distinct=True, filter=Q(agreement__in=FORMAL_AGREEMENTS)),
    )
    return {
        **counts,
        "formal_agreement_share": _share(counts["formal_agreements"], counts["partnerships"]),
    }


def stats_factors(*, scope: StatsScope) -> dict:
    """What helped and what hindered the established partnerships in scope. Counted in
    Python over the partnerships' lists (the reference, not a fast path)."""
    rows = list(
        _established_partnerships(scope).values_list("promoting_factors", "hindering_factors")
    )

    def kind(position: int, choices) -> dict:
        named = [set(row[position]) & set(choices.values) for row in rows]
        reporting = sum(1 for values in named if values)
        return {
            "reporting": reporting,
            "results": [
                {
                    "value": value,
                    "count": sum(1 for values in named if value in values),
                    "share": _share(sum(1 for values in named if value in values), reporting),
                }
                for value in choices.values
            ],
        }

    return {
        "total": len(rows),
        "promoting": kind(0, PromotingFactor),
        "hindering": kind(1, HinderingFactor),
    }


def _outcomes(rows: list[tuple]) -> dict:
    """``rows``: ``(volunteer_hours, people_reached, municipal_contribution, currency)``."""

    def amount(position: int) -> dict:
        values = [row[position] for row in rows if row[position] is not None]
        return {"sum": sum(values), "reported": len(values)}

    money = []
    for currency in Currency.values:
        values = [row[2] for row in rows if row[2] is not None and row[3] == currency]
        money.append(
            {
                "currency": currency,
                "sum": sum(values, Decimal(0)).quantize(Decimal("0.01")),
                "reported": len(values),
            }
        )
    return {
        "volunteer_hours": amount(0),
        "people_reached": amount(1),
        "municipal_contribution": money,
    }


def stats_outcomes(*, scope: StatsScope) -> dict:
    """The outcomes the established partnerships in scope report, in total and per field.
    Summed in Python over the partnerships (the reference, not a fast path)."""
    columns = ("volunteer_hours", "people_reached", "municipal_contribution", "currency")
    partnerships = _established_partnerships(scope)
    rows = list(partnerships.values_list("pk", *columns))
    tags: dict[int, set[str]] = {}
    for pk, field in PartnershipField.objects.filter(
        partnership__in=partnerships.values("pk")
    ).values_list("partnership_id", "field"):
        tags.setdefault(pk, set()).add(field)
    fields = [scope.field] if scope.field else Field.values
    return {
        "total": len(rows),
        **_outcomes([row[1:] for row in rows]),
        "by_field": [
            {
                "field": field,
                "partnerships": sum(1 for row in rows if field in tags.get(row[0], ())),
                **_outcomes([row[1:] for row in rows if field in tags.get(row[0], ())]),
            }
            for field in fields
        ],
    }
