"""The pre-aggregated statistics always equal the live computation.

On random registries (hypothesis), written through the app's own write paths (the services,
``save``, queryset deletes, the bulk link writer) and then changed (statuses, link consent,
fields, forms, deletions), every selector of ``dashboards.statistics`` gives exactly what its
live reference ``dashboards.live`` gives, for every kind of scope and for date ranges that
start and end inside, at and across month edges; ``rebuild_tallies`` gives the same summary
tables as the incremental upkeep.
"""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dashboards import live, statistics
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
from dashboards.scope import StatsScope
from dashboards.tallies import apply_pending, rebuild_tallies
from municipalities.choices import Country
from municipalities.models import Municipality
from partnerships.choices import (
    ESTABLISHED_STATUSES,
    Agreement,
    CoCreationType,
    CollaborationForm,
    Currency,
    Field,
    GoalsControl,
    HinderingFactor,
    Initiator,
    InvolvementPhase,
    LinkState,
    PromotingFactor,
    Status,
)
from partnerships.models import Partnership, PartnershipField, PartnershipMunicipality
from partnerships.services import bulk_add_links
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
)
from tests.utils import wait_for

FIELDS = [Field.CULTURE, Field.SPORT, Field.HEALTH_CARE]
DATES = [
    None,
    datetime.date(2019, 12, 31),
    datetime.date(2020, 1, 1),
    datetime.date(2020, 2, 29),
    datetime.date(2020, 3, 1),
    datetime.date(2021, 6, 15),
    datetime.date(2021, 6, 30),
    datetime.date(2022, 1, 31),
    datetime.date(2024, 12, 31),
    datetime.date(2025, 1, 1),
]
BOUNDS = [d for d in DATES if d] + [None, datetime.date(2020, 2, 28), datetime.date(2021, 6, 1)]


@pytest.fixture
def places(db):
    a = CountyFactory(code="A", name="A")
    b = CountyFactory(code="B", name="B")
    gone = CountyFactory(code="G", name="G", is_current=False)
    c = CountyFactory(country=Country.DENMARK, code="C", name="C")
    municipalities = [
        MunicipalityFactory(county=a),
        MunicipalityFactory(county=a),
        MunicipalityFactory(county=b),
        MunicipalityFactory(county=b, is_current=False),
        MunicipalityFactory(county=gone, is_current=False),
        MunicipalityFactory(country=Country.DENMARK, county=c),
    ]
    organisations = [OrganisationFactory() for _ in range(3)]
    return {"counties": [a, b, gone, c], "municipalities": municipalities, "orgs": organisations}


def subsets(n: int, *, min_size: int = 0):
    return st.lists(st.integers(0, n - 1), min_size=min_size, max_size=n, unique=True)


partnership_specs = st.fixed_dictionaries(
    {
        "status": st.sampled_from(Status.values),
        "start_date": st.sampled_from(DATES),
        "co_creation_type": st.sampled_from(CoCreationType.values),
        "goals_control": st.sampled_from(GoalsControl.values),
        "involvement_phase": st.sampled_from(InvolvementPhase.values),
        "initiator": st.sampled_from(Initiator.values),
        "agreement": st.sampled_from(Agreement.values),
        "municipalities": subsets(6),
        "pending": subsets(6),
        "organisations": subsets(3, min_size=1),
        "pending_orgs": subsets(3),
        "fields": st.lists(st.sampled_from(FIELDS), unique=True, max_size=3),
        "forms": st.lists(st.sampled_from(CollaborationForm.values[:3]), unique=True),
        "promoting_factors": st.lists(st.sampled_from(PromotingFactor.values), unique=True),
        "hindering_factors": st.lists(st.sampled_from(HinderingFactor.values), unique=True),
        "volunteer_hours": st.sampled_from([None, 0, 7, 1200]),
        "people_reached": st.sampled_from([None, 0, 35]),
        "municipal_contribution": st.sampled_from(
            [None, Decimal("0"), Decimal("0.29"), Decimal("150000.50")]
        ),
        "currency": st.sampled_from(Currency.values),
        "bulk": st.booleans(),
    }
)

changes = st.lists(
    st.tuples(
        st.sampled_from(
            ["status", "confirm", "decline", "drop_field", "delete", "start", "outcomes"]
        ),
        st.integers(0, 50),
        st.sampled_from(Status.values),
        st.sampled_from(DATES),
    ),
    max_size=6,
)

ranges = st.tuples(st.sampled_from(BOUNDS), st.sampled_from(BOUNDS))


def _established_need_a_start(status, start):
    # The database refuses an established partnership without a start date.
    return start is None and status in ESTABLISHED_STATUSES


def _create(spec, places):
    if _established_need_a_start(spec["status"], spec["start_date"]):
        spec = {**spec, "start_date": datetime.date(2021, 6, 30)}
    municipalities = [places["municipalities"][i] for i in spec["municipalities"]]
    organisations = [places["orgs"][i] for i in spec["organisations"]]
    attributes = {
        key: spec[key]
        for key in (
            "status",
            "start_date",
            "co_creation_type",
            "goals_control",
            "involvement_phase",
            "initiator",
            "agreement",
            "promoting_factors",
            "hindering_factors",
            "volunteer_hours",
            "people_reached",
            "municipal_contribution",
            "currency",
        )
        if key in spec
    }
    roles = {org: ("lead" if n == 0 else "partner") for n, org in enumerate(organisations)}
    if spec["bulk"]:
        partnership = Partnership.objects.create(title="Bulk", **attributes)
        values = {
            "municipalities": municipalities,
            "organisations": roles,
            "fields": spec["fields"],
            "forms": spec["forms"],
        }
        bulk_add_links([(partnership, values)])
    else:
        partnership = PartnershipFactory(
            links__municipalities=municipalities or None,
            links__organisations=roles,
            links__fields=spec["fields"] or None,
            links__forms=spec["forms"],
            **attributes,
        )
        if not municipalities:  # the factory gives one; some partnerships have none
            partnership.municipality_links.all().delete()
        if not spec["fields"]:
            partnership.field_tags.all().delete()
    for i in spec["pending"]:
        partnership.municipality_links.filter(municipality=places["municipalities"][i]).update(
            state=LinkState.PENDING
        )
    for i in spec["pending_orgs"]:
        partnership.organisation_links.filter(organisation=places["orgs"][i]).update(
            state=LinkState.PENDING
        )
    # ``update`` sends no signal: mark them as the services do after their bulk writes.
    from partnerships.signals import changed

    changed([partnership.pk])
    return partnership


def _change(partnerships, change) -> None:
    kind, index, status, start = change
    if not partnerships:
        return
    partnership = partnerships[index % len(partnerships)]
    if not Partnership.objects.filter(pk=partnership.pk).exists():
        return
    partnership.refresh_from_db()
    if kind == "status":
        if _established_need_a_start(status, partnership.start_date):
            return
        partnership.status = status
        partnership.save()
    elif kind == "start":
        if _established_need_a_start(partnership.status, start):
            return
        partnership.start_date = start
        partnership.save(update_fields=["start_date"])
    elif kind in ("confirm", "decline"):
        link = PartnershipMunicipality.objects.filter(partnership=partnership).first()
        if link:
            link.state = LinkState.CONFIRMED if kind == "confirm" else LinkState.DECLINED
            link.save(update_fields=["state"])
    elif kind == "drop_field":
        tag = PartnershipField.objects.filter(partnership=partnership).order_by("pk").first()
        if tag:
            tag.delete()
    elif kind == "delete":
        partnership.delete()
    elif kind == "outcomes":
        # Reported later, as a coordinator does once the collaboration has run a while.
        partnership.volunteer_hours = (partnership.volunteer_hours or 0) + index
        partnership.municipal_contribution = None if index % 2 else Decimal(index)
        partnership.hindering_factors = HinderingFactor.values[: index % 4]
        partnership.promoting_factors = [*partnership.promoting_factors, "not_a_factor"]
        partnership.save()


def _scopes(places):
    a, b, gone, c = places["counties"]
    m = places["municipalities"]
    return [
        StatsScope(),
        StatsScope(country=Country.NORWAY),
        StatsScope(country=Country.DENMARK),
        StatsScope(county=a.pk),
        StatsScope(county=gone.pk),
        StatsScope(county=c.pk, country=Country.NORWAY),  # no such place
        StatsScope(country=Country.NORWAY, county=b.pk),
        StatsScope(municipality=m[0].pk),
        StatsScope(municipality=m[5].pk, country=Country.DENMARK, county=c.pk),
        StatsScope(municipality=m[2].pk, county=a.pk),  # not in that county
        StatsScope(municipality=m[0].pk, country=Country.DENMARK),  # not in that country
    ]


def _compare_everything(places, bounds, years, as_of) -> None:
    lo, hi = bounds
    for place in _scopes(places):
        for field in (None, Field.CULTURE):
            scope = replace(place, field=field, start_date_after=lo, start_date_before=hi)
            for name in (
                "stats_co_creation",
                "stats_initiators",
                "stats_agreements",
                "stats_forms",
                "stats_headline",
                "stats_factors",
                "stats_outcomes",
            ):
                assert getattr(statistics, name)(scope=scope) == getattr(live, name)(scope=scope), (
                    name,
                    scope,
                )
            for year_from, year_to in ((None, None), (2020, 2024), (2021, None)):
                assert statistics.stats_trend(
                    scope=scope, year_from=year_from, year_to=year_to
                ) == live.stats_trend(scope=scope, year_from=year_from, year_to=year_to), (
                    scope,
                    year_from,
                    year_to,
                )
        for denominator in ("reporting", "all"):
            arguments = {"scope": place, "as_of": as_of, "years": years, "denominator": denominator}
            assert statistics.stats_fields(**arguments) == live.stats_fields(**arguments), arguments
    for country in (None, Country.NORWAY):
        arguments = {"country": country, "as_of": as_of, "years": years}
        assert statistics.stats_by_county(**arguments) == live.stats_by_county(**arguments)


def _measure_rows(model, bucket: str) -> dict:
    """The rows of a place tally with any count, by (place, field, bucket)."""
    return {
        (row.pop("place"), row.pop("field"), row.pop(bucket)): row
        for row in model.objects.values(
            *[f.name for f in model._meta.concrete_fields if f.name != "id"]
        )
        if any(v for k, v in row.items() if k not in ("place", "field", bucket))
    }


def _tables() -> dict:
    return {
        "places": _measure_rows(PlaceTally, "month"),
        "days": _measure_rows(PlaceDayTally, "day"),
        "municipality years": set(
            MunicipalityYearCount.objects.exclude(municipalities=0).values_list(
                "place", "field", "year", "municipalities"
            )
        ),
        "municipalities": set(
            MunicipalityTally.objects.values_list("municipality_id", "field", "day", "partnerships")
        ),
        "organisations": set(
            OrganisationTally.objects.values_list("place", "organisation_id", "day", "partnerships")
        ),
    }


@settings(
    max_examples=15,
    deadline=None,
    # No shrinking: a failure prints the example as drawn (shrinking this takes minutes).
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=st.lists(partnership_specs, max_size=8),
    later=changes,
    bounds=ranges,
    years=st.sampled_from([1, 3, 5]),
    as_of=st.sampled_from(
        [datetime.date(2021, 6, 15), datetime.date(2024, 2, 29), datetime.date(2025, 1, 1)]
    ),
)
def test_the_summary_tables_always_give_the_live_answer(places, specs, later, bounds, years, as_of):
    with transaction.atomic():
        partnerships = [_create(spec, places) for spec in specs]
        apply_pending()  # some writes are folded in before the changes, some after
        for change in later:
            _change(partnerships, change)
        _compare_everything(places, bounds, years, as_of)
        assert not PendingTally.objects.exists()

        incremental = _tables()
        rebuild_tallies()
        assert _tables() == incremental
        _compare_everything(places, bounds, years, as_of)
        transaction.set_rollback(True)


def test_a_write_is_visible_as_soon_as_it_returns(places):
    scope = StatsScope(country=Country.NORWAY)
    assert statistics.stats_headline(scope=scope)["partnerships"] == 0
    partnership = PartnershipFactory(links__municipalities=[places["municipalities"][0]])
    assert statistics.stats_headline(scope=scope)["partnerships"] == 1
    partnership.status = Status.DECLINED
    partnership.save()
    assert statistics.stats_headline(scope=scope)["partnerships"] == 0


def test_folding_in_costs_the_same_for_one_and_many_partnerships(
    places, django_assert_max_num_queries
):
    def write(n):
        for _ in range(n):
            PartnershipFactory(links__municipalities=places["municipalities"][:2])

    TallyVersion.objects.all().delete()  # as after a flush: the first fold-in makes it again
    write(1)
    apply_pending()
    write(1)
    with django_assert_max_num_queries(25) as one:
        assert apply_pending() == 1
    write(30)
    with django_assert_max_num_queries(25) as many:
        assert apply_pending() == 30
    assert len(many) == len(one)


def test_rebuild_command_repairs_the_tables(places):
    from django.core.management import call_command

    PartnershipFactory(links__municipalities=[places["municipalities"][0]])
    apply_pending()
    PlaceTally.objects.update(total=999)
    call_command("rebuild_statistics", verbosity=0)
    assert statistics.stats_headline(scope=StatsScope())["partnerships"] == 1


def test_a_committed_write_is_folded_in_by_the_task_within_five_seconds(task_runner):
    """With no read at all: the task queued by the commit folds the write in (in-process in
    the embedded default, by a real worker through Redis in CI's second run)."""
    county = CountyFactory()
    partnership = PartnershipFactory(links__municipalities=[MunicipalityFactory(county=county)])

    def folded() -> bool:
        return (
            not PendingTally.objects.exists()
            and PlaceTally.objects.filter(place=f"c{county.pk}", field="", total=1).exists()
        )

    wait_for(folded, timeout=5)
    assert TalliedPartnership.objects.filter(partnership_id=partnership.pk).exists()


def test_cached_municipality_counts_follow_the_municipalities(places):
    """The distinct-municipality counts are cached until the summary tables change; a
    municipality that stops being current (a bulk update, no signal) changes them too."""
    arguments = {
        "scope": StatsScope(country=Country.NORWAY),
        "as_of": datetime.date(2025, 1, 1),
        "years": 5,
        "denominator": "all",
    }
    spec = {
        "status": Status.ACTIVE,
        "start_date": datetime.date(2024, 5, 1),
        "co_creation_type": CoCreationType.EQUAL,
        "goals_control": GoalsControl.SHARED,
        "involvement_phase": InvolvementPhase.DESIGN,
        "initiator": Initiator.MUNICIPALITY,
        "agreement": Agreement.WRITTEN,
        "municipalities": [0],
        "pending": [],
        "organisations": [0],
        "pending_orgs": [],
        "fields": [Field.CULTURE],
        "forms": [],
        "bulk": False,
    }
    _create(spec, places)
    before = statistics.stats_fields(**arguments)
    assert before == live.stats_fields(**arguments)
    Municipality.objects.filter(pk=places["municipalities"][1].pk).update(is_current=False)
    after = statistics.stats_fields(**arguments)
    assert after == live.stats_fields(**arguments)
    assert after["municipalities_total"] == before["municipalities_total"] - 1
