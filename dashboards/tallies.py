"""Keeping the pre-aggregated statistics (``dashboards.models``) equal to the base tables.

How a write reaches the summary tables:

1. Any write to a partnership, its links, fields or forms marks the partnership in
   ``PendingTally``, in the write's own transaction (``mark``: Django's model signals, and
   ``partnerships.signals.partnerships_changed`` for the bulk writes those miss).
2. After the commit, ``apply_pending`` runs: as a Celery task when a broker is configured
   (``dashboards.tasks``), in-process otherwise. Every statistics read also calls
   ``ensure_current`` first, so a figure is exact as soon as the write has returned, even
   before the task has run (one indexed ``EXISTS`` when nothing is pending).
3. ``apply_pending`` subtracts what the partnership contributed when it was last tallied
   (``TalliedPartnership``) and adds what it contributes now, as increments (``UPDATE …
   SET n = n + delta``), so concurrent refreshes of different partnerships never lose a
   count; on PostgreSQL the pending rows are locked (``SKIP LOCKED``) so that one process
   folds in a given partnership at a time.

``rebuild_tallies`` recomputes everything from the base tables in a few set-based
statements (used after a bulk load and by ``manage.py rebuild_statistics``).
"""

import datetime
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from dashboards import measures
from dashboards.measures import AMOUNTS, MEASURES, contributions, minor_units
from dashboards.models import (
    MunicipalityTally,
    MunicipalityYearCount,
    OrganisationTally,
    PendingTally,
    PlaceDayTally,
    PlaceTally,
    TalliedPartnership,
    TallyVersion,
)
from municipalities.models import Municipality
from partnerships.choices import (
    ESTABLISHED_STATUSES,
    Agreement,
    Currency,
    HinderingFactor,
    LinkState,
    PromotingFactor,
)
from partnerships.models import (
    Partnership,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)

logger = logging.getLogger(__name__)

EVERYWHERE = ""
ANY_MUNICIPALITY = "*"
ANY_FIELD = ""
PRESENCE_DAY = -1
BATCH = 500
SUMMARY_MODELS = (
    TalliedPartnership,
    PlaceTally,
    PlaceDayTally,
    MunicipalityTally,
    MunicipalityYearCount,
    OrganisationTally,
)


def county_place(county_id: int) -> str:
    return f"c{county_id}"


def municipality_place(municipality_id: int) -> str:
    """One municipality's key in ``PlaceTally`` and ``PlaceDayTally`` (not in
    ``OrganisationTally``, whose places are the wider ones)."""
    return f"m{municipality_id}"


def _wide(places: set[str]) -> set[str]:
    """The places ``OrganisationTally`` counts in: not "any municipality", not one."""
    return {p for p in places if p != ANY_MUNICIPALITY and not p.startswith("m")}


def day_number(date: datetime.date | None) -> int:
    """``yyyymmdd`` as an integer; 0 for no date."""
    return date.year * 10000 + date.month * 100 + date.day if date else 0


def year_row(day: int) -> int:
    """The ``MunicipalityTally.day`` of the per-year row of a dated ``day``."""
    return -(day // 10000)


def wrap(values) -> str:
    """``",a,b,"`` (sorted; ``""`` for none): what ``TalliedPartnership``'s list columns
    hold, so that ``contains=",a,"`` finds one value exactly."""
    return f",{','.join(str(v) for v in sorted(values))}," if values else ""


@dataclass(frozen=True)
class State:
    """What the statistics need of one established partnership."""

    day: int
    co_creation: str
    derived: str
    initiator: str
    agreement: str
    fields: frozenset[str]
    forms: frozenset[str]
    municipalities: frozenset[int]
    organisations: frozenset[int]
    promoting: frozenset[str] = frozenset()
    hindering: frozenset[str] = frozenset()
    hours: int | None = None
    reached: int | None = None
    money: int | None = None  # in the currency's minor unit
    currency: str = ""

    @classmethod
    def from_tallied(cls, row: TalliedPartnership) -> "State":
        def ids(text: str) -> frozenset[int]:
            return frozenset(int(v) for v in text.split(",") if v)

        def words(text: str) -> frozenset[str]:
            return frozenset(v for v in text.split(",") if v)

        return cls(
            day=row.day,
            co_creation=row.co_creation,
            derived=row.derived,
            initiator=row.initiator,
            agreement=row.agreement,
            fields=words(row.fields),
            forms=words(row.forms),
            municipalities=ids(row.municipalities),
            organisations=ids(row.organisations),
            promoting=words(row.promoting),
            hindering=words(row.hindering),
            hours=row.hours,
            reached=row.reached,
            money=row.money,
            currency=row.currency,
        )

    def contributions(self) -> dict[str, int]:
        """What the partnership adds to each measure."""
        return contributions(
            co_creation=self.co_creation,
            derived_type=self.derived,
            initiator_value=self.initiator,
            agreement_value=self.agreement,
            forms=self.forms,
            promoting_factors=self.promoting,
            hindering_factors=self.hindering,
            hours=self.hours,
            reached=self.reached,
            money_minor=self.money,
            currency=self.currency,
        )

    def places(self, geography: dict[int, tuple[str, int]]) -> set[str]:
        """The place keys the partnership counts in (``geography``: municipality id →
        country, county id)."""
        places = {EVERYWHERE}
        for municipality in self.municipalities:
            places.update(municipality_places(*geography[municipality]))
            places.add(municipality_place(municipality))
        return places

    def as_tallied(self, partnership_id: int, places: set[str]) -> TalliedPartnership:
        return TalliedPartnership(
            partnership_id=partnership_id,
            places=wrap(places - {EVERYWHERE}),
            day=self.day,
            co_creation=self.co_creation,
            derived=self.derived,
            initiator=self.initiator,
            agreement=self.agreement,
            fields=wrap(self.fields),
            forms=wrap(self.forms),
            municipalities=wrap(self.municipalities),
            organisations=wrap(self.organisations),
            promoting=wrap(self.promoting),
            hindering=wrap(self.hindering),
            hours=self.hours,
            reached=self.reached,
            money=self.money,
            currency=self.currency,
        )


def bump_version() -> None:
    """Make whatever was cached from the summary tables stale. The new number is random,
    not the next one: a bump in a transaction that is rolled back (and whatever was cached
    under it, from data that never committed) must not come back with the next bump."""
    number = secrets.randbits(62)
    if not TallyVersion.objects.update(number=number):
        TallyVersion.objects.create(number=number)


def version() -> int:
    return TallyVersion.objects.values_list("number", flat=True).first() or 0


# --- marking ---------------------------------------------------------------------------------


def mark(ids: Iterable[int]) -> None:
    """Mark partnerships as written (in the caller's transaction) and fold them in after
    the commit."""
    ids = {int(i) for i in ids if i is not None}
    if not ids:
        return
    PendingTally.objects.bulk_create(
        [PendingTally(partnership_id=i) for i in sorted(ids)], ignore_conflicts=True
    )
    transaction.on_commit(_after_commit, robust=True)


def _after_commit() -> None:
    """Queue the fold-in. Never raises and never waits for a broker that is down: the
    pending rows stay for the next statistics read or the periodic task."""
    from kombu.exceptions import OperationalError

    from dashboards.tasks import apply_pending_tallies

    try:
        apply_pending_tallies.apply_async(retry=False)
    except (OperationalError, OSError):
        logger.warning(
            "The broker is unreachable: written partnerships wait in PendingTally for the "
            "next statistics read or the periodic task.",
            exc_info=True,
        )
    except Exception:
        logger.exception("Folding written partnerships into the statistics failed; they wait.")


def ensure_current() -> None:
    """Fold in every pending write (nothing to do, and one query, when none is pending)."""
    if PendingTally.objects.exists():
        apply_pending()


def apply_pending(batch: int = BATCH) -> int:
    """Fold the pending partnerships into the summary tables; returns how many."""
    done = 0
    while True:
        with transaction.atomic():
            pending = PendingTally.objects.order_by("partnership_id")
            if connection.vendor == "postgresql":
                pending = pending.select_for_update(skip_locked=True)
            ids = list(pending.values_list("partnership_id", flat=True)[:batch])
            if not ids:
                return done
            refresh(ids)
            PendingTally.objects.filter(partnership_id__in=ids).delete()
        done += len(ids)


# --- folding in ------------------------------------------------------------------------------


def current_states(ids: Iterable[int]) -> dict[int, State]:
    """The state of each given partnership that is established now (five queries)."""
    rows = Partnership.objects.filter(pk__in=list(ids), status__in=ESTABLISHED_STATUSES)
    rows = list(
        rows.values_list(
            "pk",
            "start_date",
            "co_creation_type",
            "derived_co_creation_type",
            "initiator",
            "agreement",
            "promoting_factors",
            "hindering_factors",
            "volunteer_hours",
            "people_reached",
            "municipal_contribution",
            "currency",
        )
    )
    established = [row[0] for row in rows]
    if not established:
        return {}
    parts: dict[str, dict[int, set]] = {}
    for name, queryset, column in (
        (
            "municipalities",
            PartnershipMunicipality.objects.filter(state=LinkState.CONFIRMED),
            "municipality_id",
        ),
        (
            "organisations",
            PartnershipOrganisation.objects.filter(state=LinkState.CONFIRMED),
            "organisation_id",
        ),
        ("fields", PartnershipField.objects.all(), "field"),
        ("forms", PartnershipForm.objects.all(), "form"),
    ):
        found: dict[int, set] = defaultdict(set)
        for partnership_id, value in queryset.filter(partnership_id__in=established).values_list(
            "partnership_id", column
        ):
            found[partnership_id].add(value)
        parts[name] = found
    return {
        pk: State(
            day=day_number(start),
            co_creation=co_creation or "",
            derived=derived or "",
            initiator=initiator or "",
            agreement=agreement or "",
            fields=frozenset(parts["fields"][pk]),
            forms=frozenset(parts["forms"][pk]),
            municipalities=frozenset(parts["municipalities"][pk]),
            organisations=frozenset(parts["organisations"][pk]),
            promoting=_known(promoting, PromotingFactor),
            hindering=_known(hindering, HinderingFactor),
            hours=hours,
            reached=reached,
            money=minor_units(money),
            currency=currency if currency in Currency.values else "",
        )
        for (
            pk,
            start,
            co_creation,
            derived,
            initiator,
            agreement,
            promoting,
            hindering,
            hours,
            reached,
            money,
            currency,
        ) in rows
    }


def _known(values, choices) -> frozenset[str]:
    """The values of a list of choices (a JSON list) that are choices."""
    if not isinstance(values, list):
        return frozenset()
    return frozenset(v for v in values if isinstance(v, str) and v in choices.values)


class Deltas:
    """Changes to the three summary tables, accumulated over many partnerships."""

    def __init__(self, geography: dict[int, tuple[str, int]]):
        self.geography = geography
        self.places: dict[tuple[str, str, int], dict[str, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self.days: dict[tuple[str, str, int], dict[str, int]] = defaultdict(
            lambda: defaultdict(int)
        )
        self.municipalities: dict[tuple[int, str, int], int] = defaultdict(int)
        self.organisations: dict[tuple[str, int, int], int] = defaultdict(int)

    def add(self, state: State, sign: int) -> None:
        places = state.places(self.geography)
        fields = {ANY_FIELD, *state.fields}
        added = state.contributions()
        month = state.day // 100
        for place in places:
            for field in fields:
                vectors = [self.places[(place, field, month)]]
                if state.day:
                    vectors.append(self.days[(place, field, state.day)])
                for vector in vectors:
                    for name, value in added.items():
                        vector[name] += sign * value
        for municipality in state.municipalities:
            for field in fields:
                self.municipalities[(municipality, field, state.day)] += sign
                if state.day:
                    self.municipalities[(municipality, field, year_row(state.day))] += sign
        for place in _wide(places):
            for organisation in state.organisations:
                self.organisations[(place, organisation, state.day)] += sign
                self.organisations[(place, organisation, PRESENCE_DAY)] += sign


def refresh(ids: list[int]) -> None:
    """Make the summary tables reflect the partnerships ``ids`` as they are now."""
    tallied = TalliedPartnership.objects.filter(partnership_id__in=ids)
    old = {row.partnership_id: State.from_tallied(row) for row in tallied}
    new = current_states(ids)
    changed = [i for i in ids if old.get(i) != new.get(i)]
    if not changed:
        return
    municipality_ids = set()
    for state in [*old.values(), *new.values()]:
        municipality_ids |= state.municipalities
    geography = {
        pk: (country, county)
        for pk, country, county in Municipality.objects.filter(pk__in=municipality_ids).values_list(
            "pk", "country", "county_id"
        )
    }
    deltas = Deltas(geography)
    for i in changed:
        if i in old:
            deltas.add(old[i], -1)
        if i in new:
            deltas.add(new[i], +1)
    _apply(deltas)
    TalliedPartnership.objects.filter(partnership_id__in=changed).delete()
    TalliedPartnership.objects.bulk_create(
        [new[i].as_tallied(i, new[i].places(geography)) for i in changed if i in new]
    )
    bump_version()


def _apply(deltas: Deltas) -> None:
    place_rows = [
        (*key, *(vector.get(name, 0) for name in MEASURES))
        for key, vector in sorted(deltas.places.items())
        if any(vector.values())
    ]
    _increment(PlaceTally, ("place", "field", "month"), MEASURES, place_rows)
    day_rows = [
        (*key, *(vector.get(name, 0) for name in MEASURES))
        for key, vector in sorted(deltas.days.items())
        if any(vector.values())
    ]
    _increment(PlaceDayTally, ("place", "field", "day"), MEASURES, day_rows)
    municipality_rows = [(*k, n) for k, n in sorted(deltas.municipalities.items()) if n]
    after = _increment(
        MunicipalityTally, ("municipality_id", "field", "day"), ("partnerships",), municipality_rows
    )
    _count_municipality_years(deltas, after)
    organisation_rows = [(*k, n) for k, n in sorted(deltas.organisations.items()) if n]
    _increment(
        OrganisationTally, ("place", "organisation_id", "day"), ("partnerships",), organisation_rows
    )
    # A municipality or organisation without partnerships in a day must not be found by
    # the statistics' EXISTS probes: remove the rows that fell to zero.
    if municipality_rows:
        MunicipalityTally.objects.filter(
            municipality_id__in={row[0] for row in municipality_rows}, partnerships__lte=0
        ).delete()
    if organisation_rows:
        OrganisationTally.objects.filter(
            organisation_id__in={row[1] for row in organisation_rows}, partnerships__lte=0
        ).delete()


def _count_municipality_years(deltas: Deltas, after: list[tuple]) -> None:
    """``MunicipalityYearCount`` follows the per-year ``MunicipalityTally`` rows that went
    from zero partnerships to some (one more municipality in its places that year) or back.
    ``after``: the rows as the increment left them; the value before is that minus the
    delta. Each row stays locked by its increment until the commit, so concurrent
    fold-ins see each other's results and every transition is counted once."""
    changes: dict[tuple[str, str, int], int] = defaultdict(int)
    for municipality, field, day, now in after:
        if day >= 0:
            continue
        before = now - deltas.municipalities[(municipality, field, day)]
        step = (now > 0) - (before > 0)
        if step:
            country, county = deltas.geography[municipality]
            for place in municipality_places(country, county):
                changes[(place, field, -day)] += step
    rows = [(*key, n) for key, n in sorted(changes.items()) if n]
    _increment(MunicipalityYearCount, ("place", "field", "year"), ("municipalities",), rows)


def municipality_places(country: str, county: int) -> tuple[str, str, str]:
    """The place keys a municipality's partnerships (and the municipality itself, in
    ``MunicipalityYearCount``) count in."""
    return (ANY_MUNICIPALITY, country, county_place(county))


def _increment(
    model, keys: tuple[str, ...], counts: tuple[str, ...], rows: list[tuple]
) -> list[tuple]:
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET count = count + excluded.count``
    (PostgreSQL and SQLite alike); returns the rows written, keys and counts, as they are
    after the increment."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*keys, *counts]
    per_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in counts)
    size = max(1, 5000 // len(columns))
    written = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
                f"VALUES {', '.join([per_row] * len(chunk))} "
                f"ON CONFLICT ({', '.join(quote(k) for k in keys)}) DO UPDATE SET {updates} "
                f"RETURNING {', '.join(quote(c) for c in columns)}",
                [value for row in chunk for value in row],
            )
            written += cursor.fetchall()
    return written


# --- rebuilding ------------------------------------------------------------------------------


def rebuild_tallies(progress: Callable[[str], None] | None = None) -> None:
    """Recompute every summary table from the base tables (set-based SQL: a few
    statements, whatever the number of partnerships)."""
    say = progress or (lambda message: None)
    sql = _RebuildSql()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Writes wait while the mirror and the tallies are rebuilt from one state.
            cursor.execute(
                "LOCK TABLE " + ", ".join(sql.table(m) for m in sql.base_models) + " IN SHARE MODE"
            )
        for model in (PendingTally, *SUMMARY_MODELS):
            cursor.execute(f"DELETE FROM {sql.table(model)}")
        bump_version()
        for name in sql.temporaries:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        for label, statement, params in sql.statements():
            say(label)
            cursor.execute(statement, params)
        for name in sql.temporaries:
            cursor.execute(f"DROP TABLE {name}")
        if connection.vendor == "postgresql":
            for model in SUMMARY_MODELS:
                cursor.execute(f"ANALYZE {sql.table(model)}")


class _RebuildSql:
    """The set-based statements of ``rebuild_tallies``."""

    base_models = (
        Partnership,
        PartnershipMunicipality,
        PartnershipOrganisation,
        PartnershipField,
        PartnershipForm,
        Municipality,
    )

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self._statuses = ", ".join(["%s"] * len(ESTABLISHED_STATUSES))

    @staticmethod
    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    def _day(self, column: str) -> str:
        if self.postgres:
            return f"COALESCE(CAST(to_char({column}, 'YYYYMMDD') AS integer), 0)"
        return f"COALESCE(CAST(strftime('%%Y%%m%%d', {column}) AS integer), 0)"

    def _money(self, column: str) -> str:
        """A two-decimal amount in its minor unit."""
        kind = "bigint" if self.postgres else "INTEGER"
        return f"CAST(ROUND({column} * 100) AS {kind})"

    def _named(self, column: str, value: str) -> str:
        """1 if the JSON list ``column`` holds the string ``value``, else 0."""
        if self.postgres:
            return f"""CASE WHEN {column} @> '["{value}"]'::jsonb THEN 1 ELSE 0 END"""
        return (
            f"CASE WHEN json_type({column}) = 'array' AND EXISTS (SELECT 1 FROM "
            f"json_each({column}) j WHERE j.value = '{value}') THEN 1 ELSE 0 END"
        )

    def _concat(self, column: str) -> str:
        if self.postgres:
            return f"string_agg(CAST({column} AS text), ',')"
        return f"group_concat({column}, ',')"

    def _temporaries(self):
        """The working sets, made once as temporary tables that the inserts join."""
        p, pm, po, pf, pform, m = (self.table(model) for model in self.base_models)
        forms = ", ".join(
            f"MAX(CASE WHEN form = '{value}' THEN 1 ELSE 0 END) AS f_{value}"
            for value in _form_values()
        )
        form_columns = ", ".join(f"COALESCE(fo.f_{v}, 0) AS f_{v}" for v in _form_values())
        factor_columns = ", ".join(
            [
                *(f"{self._named('p.promoting_factors', v)} AS {c}" for c, v in _promoting()),
                *(f"{self._named('p.hindering_factors', v)} AS {c}" for c, v in _hindering()),
            ]
        )
        currencies = ", ".join(f"'{c}'" for c in Currency.values)
        yield (
            "est",
            f"""
            CREATE TEMPORARY TABLE est AS SELECT p.id, {self._day("p.start_date")} AS day,
                   COALESCE(p.co_creation_type, '') AS co,
                   COALESCE(p.derived_co_creation_type, '') AS der,
                   COALESCE(p.initiator, '') AS ini, COALESCE(p.agreement, '') AS agr,
                   CASE WHEN fo.partnership_id IS NULL THEN 1 ELSE 0 END AS noform,
                   {form_columns}, {factor_columns},
                   p.volunteer_hours AS hours, p.people_reached AS reached,
                   {self._money("p.municipal_contribution")} AS money,
                   CASE WHEN p.currency IN ({currencies}) THEN p.currency ELSE '' END AS cur
            FROM {p} p
            LEFT JOIN (SELECT partnership_id, {forms} FROM {pform} GROUP BY partnership_id) fo
                   ON fo.partnership_id = p.id
            WHERE p.status IN ({self._statuses})
        """,
            list(ESTABLISHED_STATUSES),
        )
        yield (
            "links",
            f"""
            CREATE TEMPORARY TABLE links AS
            SELECT pm.partnership_id AS pid, pm.municipality_id AS mid,
                   m.country AS country, m.county_id AS county
            FROM {pm} pm JOIN est ON est.id = pm.partnership_id
            JOIN {m} m ON m.id = pm.municipality_id
            WHERE pm.state = '{LinkState.CONFIRMED.value}'
        """,
            None,
        )
        yield (
            "places",
            f"""
            CREATE TEMPORARY TABLE places AS SELECT id AS pid, '{EVERYWHERE}' AS place FROM est
            UNION SELECT pid, '{ANY_MUNICIPALITY}' FROM links
            UNION SELECT pid, country FROM links
            UNION SELECT pid, 'c' || CAST(county AS text) FROM links
            UNION SELECT pid, 'm' || CAST(mid AS text) FROM links
        """,
            None,
        )
        yield (
            "tags",
            f"""
            CREATE TEMPORARY TABLE tags AS SELECT id AS pid, '{ANY_FIELD}' AS field FROM est
            UNION ALL SELECT pf.partnership_id, pf.field FROM {pf} pf
                JOIN est ON est.id = pf.partnership_id
        """,
            None,
        )
        yield (
            "orgs",
            f"""
            CREATE TEMPORARY TABLE orgs AS
            SELECT po.partnership_id AS pid, po.organisation_id AS oid
            FROM {po} po JOIN est ON est.id = po.partnership_id
            WHERE po.state = '{LinkState.CONFIRMED.value}'
        """,
            None,
        )

    temporaries = ("est", "links", "places", "tags", "orgs")

    def statements(self):
        """``(label, sql, params)`` in order; the temporary tables are dropped by
        ``rebuild_tallies`` afterwards."""
        from partnerships.choices import CoCreationType, Initiator

        for name, statement, params in self._temporaries():
            yield f"working set: {name}", statement, params
            if self.postgres:
                yield f"analyse {name}", f"ANALYZE {name}", None

        _p, pm, po, pf, pform, municipalities = (self.table(model) for model in self.base_models)
        confirmed = LinkState.CONFIRMED.value
        tallied = self.table(TalliedPartnership)

        def lists(table: str, column: str, extra: str = "") -> str:
            return (
                f"(SELECT ',' || {self._concat(column)} || ',' FROM {table} x "
                f"WHERE x.partnership_id = est.id{extra})"
            )

        def named(values: list[tuple[str, str]]) -> str:
            """The ``wrap`` of the values whose column is 1."""
            anything = " + ".join(f"est.{c}" for c, _v in values)
            each = " || ".join(f"CASE WHEN est.{c} = 1 THEN '{v},' ELSE '' END" for c, v in values)
            return f"CASE WHEN {anything} > 0 THEN ',' || {each} ELSE '' END"

        yield (
            "mirror",
            f"""
            INSERT INTO {tallied} (partnership_id, day, co_creation, derived, initiator,
                                   agreement, places, fields, forms, municipalities,
                                   organisations, promoting, hindering, hours, reached,
                                   money, currency)
            SELECT est.id, est.day, est.co, est.der, est.ini, est.agr,
                   COALESCE(pl.places, ''),
                   COALESCE({lists(pf, "field")}, ''),
                   COALESCE({lists(pform, "form")}, ''),
                   COALESCE({lists(pm, "municipality_id", f" AND x.state = '{confirmed}'")}, ''),
                   COALESCE({lists(po, "organisation_id", f" AND x.state = '{confirmed}'")}, ''),
                   {named(_promoting())}, {named(_hindering())},
                   est.hours, est.reached, est.money, est.cur
            FROM est LEFT JOIN (
                SELECT pid, ',' || {self._concat("place")} || ',' AS places
                FROM places WHERE place <> '{EVERYWHERE}' GROUP BY pid
            ) pl ON pl.pid = est.id
            """,
            None,
        )

        def when(condition: str) -> str:
            return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

        expressions = {"total": "COUNT(*)"}
        types = CoCreationType.values
        for t in types:
            expressions[f"declared_{t}"] = when(f"est.co = '{t}'")
            expressions[f"derived_{t}"] = when(f"est.der = '{t}'")
            for d in types:
                expressions[f"cell_{t}_{d}"] = when(f"est.co = '{t}' AND est.der = '{d}'")
        for v in Initiator.values:
            expressions[f"initiator_{v}"] = when(f"est.ini = '{v}'")
        for v in Agreement.values:
            expressions[f"agreement_{v}"] = when(f"est.agr = '{v}'")
        for v in _form_values():
            expressions[f"form_{v}"] = f"SUM(est.f_{v})"
        expressions["without_form"] = "SUM(est.noform)"
        formal = ", ".join(f"'{a.value}'" for a in _formal())
        expressions["formal"] = when(f"est.agr IN ({formal})")
        for kind, columns in (("promoting", _promoting()), ("hindering", _hindering())):
            for column, value in columns:
                expressions[f"{kind}_{value}"] = f"SUM(est.{column})"
            expressions[f"with_{kind}"] = when(
                " + ".join(f"est.{column}" for column, _v in columns) + " > 0"
            )
        reported_when = {
            measures.HOURS: "est.hours IS NOT NULL",
            measures.REACHED: "est.reached IS NOT NULL",
        }
        for currency in Currency.values:
            name = measures.money(currency)
            reported_when[name] = f"est.cur = '{currency}' AND est.money IS NOT NULL"
        value_of = {measures.HOURS: "est.hours", measures.REACHED: "est.reached"}
        for amount in AMOUNTS:
            condition = reported_when[amount]
            value = value_of.get(amount, "est.money")
            expressions[amount] = f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"
            expressions[measures.reported(amount)] = when(condition)
        assert set(expressions) == set(MEASURES), set(MEASURES) ^ set(expressions)
        quote = connection.ops.quote_name
        yield (
            "places",
            f"""
            INSERT INTO {self.table(PlaceTally)}
                (place, field, month, {", ".join(quote(n) for n in MEASURES)})
            SELECT places.place, tags.field, est.day / 100,
                   {", ".join(expressions[n] for n in MEASURES)}
            FROM est JOIN places ON places.pid = est.id JOIN tags ON tags.pid = est.id
            GROUP BY places.place, tags.field, est.day / 100
            """,
            None,
        )
        yield (
            "days",
            f"""
            INSERT INTO {self.table(PlaceDayTally)}
                (place, field, day, {", ".join(quote(n) for n in MEASURES)})
            SELECT places.place, tags.field, est.day,
                   {", ".join(expressions[n] for n in MEASURES)}
            FROM est JOIN places ON places.pid = est.id JOIN tags ON tags.pid = est.id
            WHERE est.day > 0
            GROUP BY places.place, tags.field, est.day
            """,
            None,
        )
        yield (
            "municipalities",
            f"""
            INSERT INTO {self.table(MunicipalityTally)} (municipality_id, field, day, partnerships)
            SELECT links.mid, tags.field, est.day, COUNT(*)
            FROM est JOIN links ON links.pid = est.id JOIN tags ON tags.pid = est.id
            GROUP BY links.mid, tags.field, est.day
            UNION ALL
            SELECT links.mid, tags.field, -(est.day / 10000), COUNT(*)
            FROM est JOIN links ON links.pid = est.id JOIN tags ON tags.pid = est.id
            WHERE est.day > 0
            GROUP BY links.mid, tags.field, -(est.day / 10000)
            """,
            None,
        )
        yield (
            "municipality years",
            f"""
            INSERT INTO {self.table(MunicipalityYearCount)} (place, field, year, municipalities)
            SELECT g.place, t.field, -t.day, COUNT(*)
            FROM {self.table(MunicipalityTally)} t JOIN (
                SELECT id, '{ANY_MUNICIPALITY}' AS place FROM {municipalities}
                UNION ALL SELECT id, country FROM {municipalities}
                UNION ALL SELECT id, 'c' || CAST(county_id AS text) FROM {municipalities}
            ) g ON g.id = t.municipality_id
            WHERE t.day < 0
            GROUP BY g.place, t.field, -t.day
            """,
            None,
        )
        yield (
            "organisations",
            f"""
            INSERT INTO {self.table(OrganisationTally)} (place, organisation_id, day, partnerships)
            SELECT places.place, orgs.oid, est.day, COUNT(*)
            FROM est JOIN places ON places.pid = est.id JOIN orgs ON orgs.pid = est.id
            WHERE places.place <> '{ANY_MUNICIPALITY}' AND places.place NOT LIKE 'm%'
            GROUP BY places.place, orgs.oid, est.day
            UNION ALL
            SELECT places.place, orgs.oid, {PRESENCE_DAY}, COUNT(*)
            FROM est JOIN places ON places.pid = est.id JOIN orgs ON orgs.pid = est.id
            WHERE places.place <> '{ANY_MUNICIPALITY}' AND places.place NOT LIKE 'm%'
            GROUP BY places.place, orgs.oid
            """,
            None,
        )


def _promoting() -> list[tuple[str, str]]:
    """``(temporary column, value)`` of each promoting factor."""
    return [(f"pf_{i}", v) for i, v in enumerate(PromotingFactor.values)]


def _hindering() -> list[tuple[str, str]]:
    return [(f"hf_{i}", v) for i, v in enumerate(HinderingFactor.values)]


def _form_values() -> list[str]:
    from partnerships.choices import CollaborationForm

    return list(CollaborationForm.values)


def _formal():
    from dashboards.measures import FORMAL_AGREEMENTS

    return FORMAL_AGREEMENTS
