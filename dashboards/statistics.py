"""Selectors for the statistics the dashboards and the stats API show.

Public, aggregate figures only: they count *established* partnerships (status in
``ESTABLISHED_STATUSES``: active, completed, discontinued) and never return personal data.
A partnership counts for a municipality or an organisation only through a *confirmed* link
(``LinkState.CONFIRMED``): links awaiting confirmation, or declined, count nowhere.

Counting rules:

- counting *municipalities*, a partnership with several municipalities counts for each
  of them (that are in scope);
- counting *partnerships*, each partnership counts once, however many municipalities,
  fields or forms it has;
- a place scope (country, county, municipality) keeps the partnerships with at least
  one municipality in that place.

How they stay fast at any size: the numbers are read from summary tables
(``dashboards.models``, kept current by ``dashboards.tallies``) rather than grouped from
every partnership:

- partnership counts are sums of ``PlaceTally`` rows (per place, field and start month);
  the partial months at the edges of a day-exact date range are sums of ``PlaceDayTally``
  rows (the same per start day): a few dozen rows a figure, whatever the size;
- distinct municipalities and organisations are counted by probing, for each municipality
  (or organisation) of the place, whether it has a ``MunicipalityTally`` (or
  ``OrganisationTally``) row in the range: one index lookup each, so the cost grows with
  the number of municipalities (organisations), never with the number of partnerships; the
  organisation count is cached until the summary tables change;
- a municipality has its own rows in the place tallies (``m<id>``), and its
  municipality counts are its own per-year rows; only its headline (its distinct
  organisations) is computed live (``dashboards.live``), from its own partnerships.

``dashboards.live`` is the reference implementation; the tests check on random data that
every selector here always gives exactly its answer.
"""

import calendar
import datetime
import hashlib
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from dashboards import live, measures
from dashboards.measures import FORMAL_AGREEMENTS, MEASURES, agreement, form, initiator
from dashboards.measures import cell as cell_measure
from dashboards.measures import declared as declared_measure
from dashboards.measures import derived as derived_measure
from dashboards.models import (
    MunicipalityTally,
    MunicipalityYearCount,
    OrganisationTally,
    PlaceDayTally,
    PlaceTally,
)
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
from dashboards.tallies import (
    ANY_FIELD,
    ANY_MUNICIPALITY,
    EVERYWHERE,
    PRESENCE_DAY,
    county_place,
    day_number,
    ensure_current,
    municipality_place,
    version,
)
from municipalities.models import County, Municipality
from partnerships.choices import (
    Agreement,
    CoCreationType,
    CollaborationForm,
    Currency,
    Field,
    HinderingFactor,
    Initiator,
    PromotingFactor,
)

__all__ = [
    "DEFAULT_WINDOW_YEARS",
    "DENOMINATORS",
    "DENOMINATOR_ALL",
    "DENOMINATOR_REPORTING",
    "FORMAL_AGREEMENTS",
    "StatsScope",
    "agreement_counts",
    "stats_agreements",
    "stats_by_county",
    "stats_co_creation",
    "stats_factors",
    "stats_fields",
    "stats_forms",
    "stats_headline",
    "stats_initiators",
    "stats_outcomes",
    "stats_trend",
    "window_start",
]

_reading: ContextVar[dict | None] = ContextVar("statistics_reading", default=None)


@contextmanager
def one_reading():
    """Within it, pending writes are folded in once (not by every selector) and the
    partnership counts of a scope are read once, however many figures show them."""
    token = _reading.set({})
    try:
        yield
    finally:
        _reading.reset(token)


def _current() -> None:
    reading = _reading.get()
    if reading is None:
        ensure_current()
    elif not reading.get("current"):
        ensure_current()
        reading["current"] = True


def _version() -> int:
    """The summary tables' version (read once per reading)."""
    reading = _reading.get()
    if reading is None:
        return version()
    if "version" not in reading:
        reading["version"] = version()
    return reading["version"]


def _municipalities_state() -> tuple:
    """A fingerprint of the municipalities the counts probe (read once per reading)."""
    reading = _reading.get() or {}
    if "municipalities" not in reading:
        reading["municipalities"] = tuple(
            Municipality.objects.aggregate(
                n=Count("pk"),
                current=Count("pk", filter=Q(is_current=True)),
                ids=Sum("pk"),
                counties=Sum("county_id"),
                moved=Sum(F("pk") * F("county_id")),
            ).values()
        )
    return reading["municipalities"]


NOWHERE = "-"  # a place key no row has: a country and a county that do not match
LAST_MONTH = 999912


# --- ranges of days as whole months and edges -----------------------------------------------


def _month(date: datetime.date) -> int:
    return date.year * 100 + date.month


def _month_end(date: datetime.date) -> datetime.date:
    return date.replace(day=calendar.monthrange(date.year, date.month)[1])


def _next_month(month: int) -> int:
    return month + 1 if month % 100 < 12 else (month // 100 + 1) * 100 + 1


def _previous_month(month: int) -> int:
    return month - 1 if month % 100 > 1 else (month // 100 - 1) * 100 + 12


@dataclass(frozen=True)
class Span:
    """A start-date range as the whole months ``first``–``last`` (``yyyymm``, inclusive;
    none when ``first > last``) read from the summary tables, plus the ``edges``: day ranges
    of partial months counted live. ``undated`` (no bound at all) includes the partnerships
    without a start date."""

    first: int
    last: int
    edges: tuple[tuple[datetime.date, datetime.date], ...]
    undated: bool

    @classmethod
    def of(cls, lo: datetime.date | None, hi: datetime.date | None) -> "Span":
        if lo is None and hi is None:
            return cls(first=0, last=LAST_MONTH, edges=(), undated=True)
        if lo is not None and hi is not None and lo > hi:
            return cls(first=1, last=0, edges=(), undated=False)
        edges = []
        first, last = 1, LAST_MONTH
        if lo is not None:
            if lo.day == 1:
                first = _month(lo)
            else:
                first = _next_month(_month(lo))
                edges.append((lo, min(_month_end(lo), hi) if hi else _month_end(lo)))
        if hi is not None:
            if hi == _month_end(hi):
                last = _month(hi)
            else:
                last = _previous_month(_month(hi))
                edge = (max(hi.replace(day=1), lo) if lo else hi.replace(day=1), hi)
                if edge not in edges:
                    edges.append(edge)
        return cls(first=first, last=last, edges=tuple(edges), undated=False)

    def months_q(self) -> Q:
        return Q(month__gte=self.first, month__lte=self.last)


def _day_q(lo: datetime.date | None, hi: datetime.date | None, *, prefix: str = "") -> Q:
    """The ``day`` condition of a tally row for the range (any day, undated included,
    when there is no bound)."""
    if lo is None and hi is None:
        return Q(**{f"{prefix}day__gte": 0})
    return Q(**{f"{prefix}day__gte": day_number(lo) if lo else 1}) & (
        Q(**{f"{prefix}day__lte": day_number(hi)}) if hi else Q()
    )


# --- places -----------------------------------------------------------------------------------


def _place_key(scope: StatsScope, *, linked: bool) -> str:
    """The summary tables' key of a scope's place (a municipality's only in ``PlaceTally``
    and ``PlaceDayTally``). ``linked``: with no place, only partnerships with a confirmed
    municipality count."""
    if scope.municipality is not None:
        if (scope.country or scope.county is not None) and not Municipality.objects.filter(
            scope.place_q()
        ).exists():
            return NOWHERE  # a municipality outside the country or county asked for
        return municipality_place(scope.municipality)
    if scope.county is not None:
        county = County.objects.filter(pk=scope.county, country=scope.country)
        if scope.country and not county.exists():
            return NOWHERE
        return county_place(scope.county)
    if scope.country:
        return scope.country
    return ANY_MUNICIPALITY if linked else EVERYWHERE


def _edge_rows(place: str, lo: datetime.date, hi: datetime.date):
    """The day rows of a place for the partnerships starting in ``lo``–``hi``: the partial
    months at the edges of a date range (at most a month of days each)."""
    return PlaceDayTally.objects.filter(
        place=place, day__gte=day_number(lo), day__lte=day_number(hi)
    ).order_by()


def _vector(scope: StatsScope) -> dict[str, int]:
    """Every measure (``MEASURES``) for the established partnerships in a place scope,
    field and start-date range: summary rows plus the edges."""
    return _vectors(scope, [scope.field or ANY_FIELD])[scope.field or ANY_FIELD]


def _vectors(scope: StatsScope, fields: list[str]) -> dict[str, dict[str, int]]:
    """``_vector`` for each of ``fields`` (``ANY_FIELD`` for all) of the scope's place and
    start-date range, read together (one query, and one per edge of the range)."""
    reading = _reading.get()
    if reading is None:
        return _read_vectors(scope, fields)

    def key(field: str) -> tuple:
        return ("vector", replace(scope, field=field or None))

    if any(key(field) not in reading for field in fields):
        # Every field at once: the rows of a place are grouped by field in the same query,
        # and the other figures of the page (outcomes per field) need them too.
        wanted = {*fields, ANY_FIELD, *Field.values}
        missing = sorted(field for field in wanted if key(field) not in reading)
        for field, vector in _read_vectors(scope, missing).items():
            reading[key(field)] = vector
    return {field: reading[key(field)] for field in fields}


def _sums(rows) -> dict[str, dict[str, int]]:
    """Every measure of tally rows, per field (one query)."""
    found = {}
    for row in rows.values("field").annotate(**{name: Sum(name) for name in MEASURES}):
        # Sums of the big integer columns come back as decimals on PostgreSQL.
        found[row["field"]] = {name: int(row[name] or 0) for name in MEASURES}
    return found


def _read_vectors(scope: StatsScope, fields: list[str]) -> dict[str, dict[str, int]]:
    place = _place_key(scope, linked=False)
    span = Span.of(scope.start_date_after, scope.start_date_before)
    vectors = {field: dict.fromkeys(MEASURES, 0) for field in fields}
    parts = [PlaceTally.objects.filter(span.months_q(), place=place, field__in=fields)]
    if place != NOWHERE:
        parts += [_edge_rows(place, lo, hi).filter(field__in=fields) for lo, hi in span.edges]
    for rows in parts:
        for field, sums in _sums(rows.order_by()).items():
            vector = vectors[field]
            for name, value in sums.items():
                vector[name] += value
    return vectors


def _municipality_probe(field: str, day: Q) -> Exists:
    """Whether the municipality of the outer query has a tally row for ``field`` on a day
    matching ``day`` (one index lookup)."""
    return Exists(
        MunicipalityTally.objects.filter(day, municipality_id=OuterRef("pk"), field=field)
    )


# --- the statistics ---------------------------------------------------------------------------


def _probed(what: tuple, count: Callable[[], Any]) -> Any:
    """The result of ``count()``, a count of municipalities by probing each of a place's
    municipalities (one index lookup per municipality and field: ~4,000 for Norway and
    every field), kept in the cache until the summary tables next change (``version()``,
    bumped by every fold-in and rebuild). ``what`` names the count and all it depends on."""
    current = _version()
    if not current:  # no version yet (a new or flushed database): nothing to key it on
        return count()
    # The municipalities themselves (a new one, one no longer current, one moved to another
    # county) change the counts without a write to any partnership.
    digest = hashlib.sha256(repr((what, _municipalities_state())).encode()).hexdigest()[:32]
    key = f"stats:municipalities:{current}:{digest}"
    found = cache.get(key)
    if found is None:
        found = count()
        cache.set(key, found, timeout=24 * 3600)
    return found


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
    start-date range are ignored. One query on the summary tables (a probe per
    municipality in scope and field).
    """
    if denominator not in DENOMINATORS:
        raise ValueError(f"Unknown denominator {denominator!r}; use one of {DENOMINATORS}.")
    if years < 1:
        raise ValueError("years must be at least 1.")
    _current()
    since = window_start(as_of, years)
    window = Q(day__gt=day_number(since), day__lte=day_number(as_of))
    aggregates = {
        "reporting": Count(
            "pk",
            filter=Q(_municipality_probe(ANY_FIELD, Q(day__gte=1, day__lte=day_number(as_of)))),
        )
    }
    for index, field in enumerate(Field):
        aggregates[f"field_{index}"] = Count(
            "pk", filter=Q(_municipality_probe(field.value, window))
        )
    if denominator == DENOMINATOR_ALL:
        aggregates["all"] = Count(
            "pk", filter=Q(is_current=True) | Q(_municipality_probe(ANY_FIELD, window))
        )
    counts = _probed(
        ("fields", scope.country, scope.county, scope.municipality, as_of, years, denominator),
        lambda: Municipality.objects.filter(scope.place_q()).order_by().aggregate(**aggregates),
    )
    total = counts["all"] if denominator == DENOMINATOR_ALL else counts["reporting"]
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
    in enum order.
    """
    _current()
    v = _vector(scope)
    types = CoCreationType.values
    return {
        "total": v["total"],
        "declared": {t: v[declared_measure(t)] for t in types},
        "derived": {t: v[derived_measure(t)] for t in types},
        "matrix": [
            {"declared": a, "derived": b, "count": v[cell_measure(a, b)]}
            for a in types
            for b in types
        ],
    }


def _choice_counts(v: dict, measure, choices, extra: tuple[str, ...] = ()) -> dict:
    total = v["total"]
    return {
        "total": total,
        **{name: v[name] for name in extra},
        "results": [
            {
                "value": value,
                "count": v[measure(value)],
                "share": _share(v[measure(value)], total),
            }
            for value in choices.values
        ],
    }


def stats_initiators(*, scope: StatsScope) -> dict:
    """Established partnerships in scope by who took the initiative (``Initiator``), every
    choice in enum order with its count and share of ``total``."""
    _current()
    return _choice_counts(_vector(scope), initiator, Initiator)


def stats_agreements(*, scope: StatsScope) -> dict:
    """Established partnerships in scope by kind of agreement (``Agreement``), every choice
    in enum order with its count and share of ``total``."""
    _current()
    return _choice_counts(_vector(scope), agreement, Agreement)


def stats_factors(*, scope: StatsScope) -> dict:
    """What helped and what hindered the established partnerships in scope: for each
    promoting factor (``PromotingFactor``) and hindering factor (``HinderingFactor``), the
    partnerships that name it, in enum order, zeros included.

    A partnership may name several factors, or none. ``reporting`` counts those that name
    at least one factor of the kind, and each ``share`` is of them (the shares may sum to
    more than 1); ``total`` counts every established partnership in scope.
    """
    _current()
    v = _vector(scope)

    def kind(measure, choices, reporting: str) -> dict:
        return {
            "reporting": v[reporting],
            "results": [
                {
                    "value": value,
                    "count": v[measure(value)],
                    "share": _share(v[measure(value)], v[reporting]),
                }
                for value in choices.values
            ],
        }

    return {
        "total": v["total"],
        "promoting": kind(measures.promoting, PromotingFactor, "with_promoting"),
        "hindering": kind(measures.hindering, HinderingFactor, "with_hindering"),
    }


CENT = Decimal("0.01")


def _outcomes(v: dict[str, int]) -> dict:
    def amount(name: str) -> dict:
        return {"sum": v[name], "reported": v[measures.reported(name)]}

    return {
        "volunteer_hours": amount(measures.HOURS),
        "people_reached": amount(measures.REACHED),
        "municipal_contribution": [
            {
                "currency": currency,
                "sum": (Decimal(v[measures.money(currency)]) / 100).quantize(CENT),
                "reported": v[measures.reported(measures.money(currency))],
            }
            for currency in Currency.values
        ],
    }


def stats_outcomes(*, scope: StatsScope) -> dict:
    """The outcomes the established partnerships in scope report: volunteer hours, people
    reached and the municipal contributions (per currency: NOK, DKK and SEK are never added
    together), summed, each with the number of partnerships that ``reported`` it (zero
    included; a partnership that left it empty adds nothing).

    ``by_field`` has the same per field, every field in enum order (only ``scope.field``
    when given), zeros included, with its ``partnerships``: a partnership in several fields
    counts in each. The totals count each partnership once.
    """
    _current()
    fields = [scope.field] if scope.field else Field.values
    vectors = _vectors(scope, sorted({scope.field or ANY_FIELD, *fields}))
    v = vectors[scope.field or ANY_FIELD]
    return {
        "total": v["total"],
        **_outcomes(v),
        "by_field": [
            {"field": field, "partnerships": vectors[field]["total"], **_outcomes(vectors[field])}
            for field in fields
        ],
    }


def agreement_counts(agreement_value: str, *, countries=(), counties=(), municipalities=()):
    """The established partnerships with ``agreement_value`` in each of many places at once,
    whatever their start date: for each place what ``stats_agreements`` answers for it with
    no date range (a partnership once per place, through a confirmed link). One query,
    whatever the number of partnerships. Returns ``{"countries": {code: n}, "counties":
    {id: n}, "municipalities": {id: n}}``, zeros included."""
    _current()
    keys = {
        **{code: ("countries", code) for code in countries},
        **{county_place(pk): ("counties", pk) for pk in counties},
        **{municipality_place(pk): ("municipalities", pk) for pk in municipalities},
    }
    span = Span.of(None, None)
    rows = (
        PlaceTally.objects.filter(span.months_q(), place__in=list(keys), field=ANY_FIELD)
        .values("place")
        .annotate(n=Sum(agreement(agreement_value)))
        .order_by()
    )
    found = {row["place"]: row["n"] or 0 for row in rows}
    counts: dict[str, dict] = {"countries": {}, "counties": {}, "municipalities": {}}
    for key, (kind, pk) in keys.items():
        counts[kind][pk] = found.get(key, 0)
    return counts


def stats_forms(*, scope: StatsScope) -> dict:
    """Established partnerships in scope per form of collaboration (``CollaborationForm``).

    Forms are multi-valued: a partnership counts once for *each* form it has, and each
    share is partnerships with that form / all established partnerships in scope
    (``total``), so the shares may sum to more than 1. ``without_form`` counts the
    partnerships that have no form recorded.
    """
    _current()
    return _choice_counts(_vector(scope), form, CollaborationForm, extra=("without_form",))


def stats_trend(
    *, scope: StatsScope, year_from: int | None = None, year_to: int | None = None
) -> dict:
    """Established partnerships started each year, per field, in scope.

    ``results`` has a row per year and field — every year from ``year_from`` (default:
    the first year with data) to ``year_to`` (default: the last), every field in enum
    order (only ``scope.field`` when given), zeros included — with the number of
    partnerships (each once) and of distinct municipalities in scope. A partnership in
    several fields counts in each field's row; ``totals`` counts each once per year.
    Only partnerships with a confirmed municipality (in scope) and a start date count.
    """
    _current()
    lo, hi = scope.start_date_after, scope.start_date_before
    if year_from is not None:
        lo = max(lo, datetime.date(year_from, 1, 1)) if lo else datetime.date(year_from, 1, 1)
    if year_to is not None:
        hi = min(hi, datetime.date(year_to, 12, 31)) if hi else datetime.date(year_to, 12, 31)
    place = _place_key(scope, linked=True)
    fields = [scope.field] if scope.field else Field.values
    total_key = scope.field or ANY_FIELD
    keys = sorted({*fields, total_key})

    partnerships: dict[tuple[int, str], int] = {}
    span = Span.of(lo, hi)
    rows = (
        PlaceTally.objects.filter(span.months_q(), place=place, field__in=keys, month__gte=1)
        .annotate(year=F("month") / 100)
        .values("year", "field")
        .annotate(n=Sum("total"))
        .order_by()
    )
    for row in rows:
        partnerships[(row["year"], row["field"])] = row["n"]
    if place != NOWHERE:
        for edge_lo, edge_hi in span.edges:
            edge = _edge_rows(place, edge_lo, edge_hi).filter(field__in=keys)
            for row in edge.values("field").annotate(n=Sum("total")):
                if row["n"]:
                    slot = (edge_lo.year, row["field"])
                    partnerships[slot] = partnerships.get(slot, 0) + row["n"]
    years_with_data = sorted({y for (y, key), n in partnerships.items() if key == total_key and n})
    first = (
        year_from if year_from is not None else (years_with_data[0] if years_with_data else None)
    )
    last = year_to if year_to is not None else (years_with_data[-1] if years_with_data else None)
    if first is None or last is None:
        return {"year_from": year_from, "year_to": year_to, "results": [], "totals": []}
    municipalities = _municipalities_per_year(scope, place, keys, lo, hi, years_with_data)
    years = range(first, last + 1)
    return {
        "year_from": first,
        "year_to": last,
        "results": [
            {
                "year": y,
                "field": field,
                "partnerships": partnerships.get((y, field), 0),
                "municipalities": municipalities.get((y, field), 0),
            }
            for y in years
            for field in fields
        ],
        "totals": [
            {
                "year": y,
                "partnerships": partnerships.get((y, total_key), 0),
                "municipalities": municipalities.get((y, total_key), 0),
            }
            for y in years
        ],
    }


def _municipalities_per_year(
    scope: StatsScope,
    place: str,
    keys: list[str],
    lo: datetime.date | None,
    hi: datetime.date | None,
    years: list[int],
) -> dict[tuple[int, str], int]:
    """Distinct municipalities in scope per (year, field key) with a partnership starting
    in that year and in ``lo``–``hi``: whole years from the per-year tally rows, years cut
    by the range by probing each municipality."""
    found: dict[tuple[int, str], int] = {}
    if not years:
        return found
    in_place = Municipality.objects.filter(scope.place_q()).order_by()
    whole, partial = [], []
    for y in years:
        start, end = datetime.date(y, 1, 1), datetime.date(y, 12, 31)
        cut_lo, cut_hi = max(start, lo) if lo else start, min(end, hi) if hi else end
        if (cut_lo, cut_hi) == (start, end):
            whole.append(y)
        elif cut_lo <= cut_hi:
            partial.append((y, cut_lo, cut_hi))
    if whole and scope.municipality is not None and place != NOWHERE:
        # One municipality: its own per-year rows say whether it counts that year.
        rows = MunicipalityTally.objects.filter(
            municipality_id=scope.municipality,
            field__in=keys,
            day__in=[-y for y in whole],
            partnerships__gt=0,
        )
        for day, field in rows.values_list("day", "field"):
            found[(-day, field)] = 1
    elif whole:
        rows = MunicipalityYearCount.objects.filter(place=place, field__in=keys, year__in=whole)
        for year, field, n in rows.values_list("year", "field", "municipalities"):
            found[(year, field)] = n
    for y, cut_lo, cut_hi in partial:
        days = _day_q(cut_lo, cut_hi)
        counts = _probed(
            ("year", place, scope.municipality, tuple(keys), cut_lo, cut_hi),
            lambda days=days: in_place.aggregate(
                **{
                    f"k_{key}": Count("pk", filter=Q(_municipality_probe(key, days)))
                    for key in keys
                }
            ),
        )
        for key in keys:
            found[(y, key)] = counts[f"k_{key}"]
    return found


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
    by country and county code.
    """
    if years < 1:
        raise ValueError("years must be at least 1.")
    _current()
    since = window_start(as_of, years)
    lo, hi = since + datetime.timedelta(days=1), as_of
    counties = County.objects.order_by("country", "code")
    if country:
        counties = counties.filter(country=country)
    counties = list(counties.values("id", "country", "code", "name", "is_current"))
    ids = [c["id"] for c in counties]
    window = Q(day__gt=day_number(since), day__lte=day_number(as_of))
    in_window = Q(_municipality_probe(ANY_FIELD, window))
    municipalities = _probed(
        ("counties", tuple(ids), since, as_of),
        lambda: {
            row["county"]: row
            for row in Municipality.objects.filter(county__in=ids)
            .values("county")
            .annotate(
                total=Count("pk", filter=Q(is_current=True) | in_window),
                active=Count("pk", filter=in_window),
            )
            .order_by()
        },
    )
    span = Span.of(lo, hi)
    partnerships = {
        row["place"]: row["n"]
        for row in PlaceTally.objects.filter(
            span.months_q(), place__in=[county_place(i) for i in ids], field=ANY_FIELD
        )
        .values("place")
        .annotate(n=Sum("total"))
        .order_by()
    }
    for edge_lo, edge_hi in span.edges:
        edge = PlaceDayTally.objects.filter(
            place__in=[county_place(i) for i in ids],
            field=ANY_FIELD,
            day__gte=day_number(edge_lo),
            day__lte=day_number(edge_hi),
        )
        for row in edge.values("place").annotate(n=Sum("total")).order_by():
            partnerships[row["place"]] = partnerships.get(row["place"], 0) + (row["n"] or 0)
    results = []
    for county in counties:
        counts = municipalities.get(county["id"], {"total": 0, "active": 0})
        if not county["is_current"] and not counts["total"]:
            continue
        results.append(
            {
                "county": county["id"],
                "country": county["country"],
                "code": county["code"],
                "name": county["name"],
                "is_current": county["is_current"],
                "municipalities_total": counts["total"],
                "municipalities_with_partnerships": counts["active"],
                "share": _share(counts["active"], counts["total"]),
                "partnerships": partnerships.get(county_place(county["id"]), 0),
            }
        )
    return {"as_of": as_of, "years": years, "country": country, "results": results}


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
    """
    _current()
    if scope.municipality is not None or scope.field:
        # The organisations are tallied neither per municipality nor per field: one query
        # over the municipality's (or the field's) partnerships.
        return live.stats_headline(scope=scope)
    v = _vector(scope)
    lo, hi = scope.start_date_after, scope.start_date_before
    municipalities = _probed(
        ("headline", scope.country, scope.county, lo, hi),
        lambda: (
            Municipality.objects.filter(scope.place_q())
            .filter(_municipality_probe(ANY_FIELD, _day_q(lo, hi)))
            .count()
        ),
    )
    return {
        "partnerships": v["total"],
        "municipalities": municipalities,
        "organisations": _organisations(_place_key(scope, linked=False), lo, hi),
        "formal_agreements": v["formal"],
        "formal_agreement_share": _share(v["formal"], v["total"]),
    }


def _organisations(place: str, lo: datetime.date | None, hi: datetime.date | None) -> int:
    """Distinct organisations of a place's partnerships starting in ``lo``–``hi``: each
    organisation present in the place is probed for a day in the range. The probes grow with
    the organisations of the place (≈ 0.3 s for 28,000), so the answer is cached until the
    summary tables next change."""
    key = f"stats:organisations:{_version()}:{place}:{lo}:{hi}"
    found = cache.get(key)
    if found is None:
        present = OrganisationTally.objects.filter(place=place, day=PRESENCE_DAY)
        if lo is not None or hi is not None:
            present = present.filter(
                Exists(
                    OrganisationTally.objects.filter(
                        _day_q(lo, hi), place=place, organisation_id=OuterRef("organisation_id")
                    )
                )
            )
        found = present.count()
        cache.set(key, found, timeout=24 * 3600)
    return found


def front_page_counts() -> dict:
    """Established partnerships, and the municipalities with at least one (any start
    date), from the summary tables."""
    _current()
    partnerships = PlaceTally.objects.filter(place=EVERYWHERE, field=ANY_FIELD).aggregate(
        n=Sum("total")
    )["n"]
    reporting = Municipality.objects.filter(_municipality_probe(ANY_FIELD, Q(day__gte=0))).count()
    return {"partnership_count": partnerships or 0, "reporting_count": reporting}
