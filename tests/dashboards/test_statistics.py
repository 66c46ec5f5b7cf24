"""The statistics selectors, on a small hand-made registry whose answers are worked out here.

The world (as of 2026-01-01, five-year window 2021-01-01 < start_date <= 2026-01-01):

    county A (NO): m1, m2, m7 (no longer current)
    county B (NO): m3, m4, m6 (no longer current, no partnerships)
    county C (DK): d1
    county D (NO, no longer current, no municipalities)

    p1  m1       culture+sport   active        2026-01-01 (window's last day: in)
    p2  m1+m3    culture         completed     2023-06-01
    p3  m2       sport           discontinued  2021-01-01 (as_of - 5 years: out of the window)
    p4  m4       culture         draft         2024-01-01 (not established: never counts)
    p5  m4       inclusion       declined      2024-01-01 (not established: never counts)
    p6  m4       children_youth  active        2026-01-02 (after as_of)
    p8  m7       elderly         active        2022-01-01
    p7  d1       culture         active        2022-05-05 (Denmark)
"""

import datetime
from dataclasses import dataclass

import pytest

from dashboards.research import RESEARCH_FIELD_SHARES
from dashboards.statistics import (
    StatsScope,
    stats_agreements,
    stats_by_county,
    stats_co_creation,
    stats_fields,
    stats_forms,
    stats_initiators,
    stats_trend,
    window_start,
)
from municipalities.choices import Country
from organisations.models import Organisation
from partnerships.choices import CoCreationType, Field
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    norwegian_org_number,
)

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 1, 1)
NO = StatsScope(country=Country.NORWAY)


def organisation() -> Organisation:
    """One organisation every partnership of a test shares.

    (``OrganisationFactory``'s sequence can give two organisations the same number when
    a candidate number has no valid check digit, so these tests create only this one.)
    """
    number = norwegian_org_number(9_999_000)
    return Organisation.objects.filter(org_number=number).first() or OrganisationFactory(
        org_number=number
    )


def make_partnership(municipalities, fields, forms=(), **attributes):
    return PartnershipFactory(
        links__municipalities=list(municipalities),
        links__organisations={organisation(): "lead"},
        links__fields=list(fields),
        links__forms=list(forms),
        **attributes,
    )


@dataclass
class World:
    county_a: object
    county_b: object
    county_c: object
    county_d: object
    m1: object
    m2: object
    m3: object
    m4: object
    m6: object
    m7: object
    d1: object
    partnerships: dict


def build_world() -> World:
    county_a = CountyFactory(code="A01", name="Fylke A")
    county_b = CountyFactory(code="B01", name="Fylke B")
    county_c = CountyFactory(country=Country.DENMARK, code="C01", name="Region C")
    county_d = CountyFactory(code="D01", name="Gamle fylke D", is_current=False)
    m1 = MunicipalityFactory(county=county_a)
    m2 = MunicipalityFactory(county=county_a)
    m7 = MunicipalityFactory(county=county_a, is_current=False)
    m3 = MunicipalityFactory(county=county_b)
    m4 = MunicipalityFactory(county=county_b)
    m6 = MunicipalityFactory(county=county_b, is_current=False)
    d1 = MunicipalityFactory(country=Country.DENMARK, county=county_c)

    partnership = make_partnership
    partnerships = {
        "p1": partnership(
            [m1],
            ["culture", "sport"],
            ["premises", "grant"],
            status="active",
            start_date=datetime.date(2026, 1, 1),
            co_creation_type="equal",
            goals_control="shared",
            involvement_phase="design",
            initiator="municipality",
            agreement="written",
        ),
        "p2": partnership(
            [m1, m3],
            ["culture"],
            ["grant"],
            status="completed",
            start_date=datetime.date(2023, 6, 1),
            end_date=datetime.date(2024, 6, 1),
            co_creation_type="equal",
            goals_control="municipality",
            involvement_phase="implementation",
            initiator="local_civic",
            agreement="none",
        ),
        "p3": partnership(
            [m2],
            ["sport"],
            [],
            status="discontinued",
            start_date=datetime.date(2021, 1, 1),
            co_creation_type="organisation_led",
            goals_control="organisation",
            involvement_phase="implementation",
            initiator="local_civic",
            agreement="contract",
        ),
        "p4": partnership(
            [m4],
            ["culture"],
            ["premises"],
            status="draft",
            start_date=datetime.date(2024, 1, 1),
            initiator="users",
            agreement="partnership_agreement",
        ),
        "p5": partnership(
            [m4],
            ["inclusion"],
            ["co_development"],
            status="declined",
            start_date=datetime.date(2024, 1, 1),
            initiator="users",
            agreement="partnership_agreement",
        ),
        "p6": partnership(
            [m4],
            ["children_youth"],
            ["dialogue", "task", "information"],
            status="active",
            start_date=datetime.date(2026, 1, 2),
            co_creation_type="municipality_led",
            goals_control="municipality",
            involvement_phase="implementation",
            initiator="volunteers",
            agreement="informal",
        ),
        "p8": partnership(
            [m7],
            ["elderly"],
            ["grant"],
            status="active",
            start_date=datetime.date(2022, 1, 1),
            co_creation_type="equal",
            goals_control="shared",
            involvement_phase="problem_definition",
            initiator="municipality",
            agreement="written",
        ),
        "p7": partnership(
            [d1],
            ["culture"],
            ["co_development"],
            status="active",
            start_date=datetime.date(2022, 5, 5),
            initiator="national_civic",
            agreement="written",
        ),
    }
    return World(
        county_a=county_a,
        county_b=county_b,
        county_c=county_c,
        county_d=county_d,
        m1=m1,
        m2=m2,
        m3=m3,
        m4=m4,
        m6=m6,
        m7=m7,
        d1=d1,
        partnerships=partnerships,
    )


@pytest.fixture
def world() -> World:
    return build_world()


def field_counts(result) -> dict:
    """``{field: (municipalities, share)}`` for the fields with a non-zero count."""
    return {
        row["field"]: (row["municipalities"], row["share"])
        for row in result["results"]
        if row["municipalities"]
    }


# --- the window ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "years", "expected"),
    [
        (datetime.date(2026, 1, 1), 5, datetime.date(2021, 1, 1)),
        (datetime.date(2024, 2, 29), 1, datetime.date(2023, 2, 28)),
        (datetime.date(2024, 2, 29), 4, datetime.date(2020, 2, 29)),
        (datetime.date(2025, 12, 31), 50, datetime.date(1975, 12, 31)),
    ],
)
def test_window_start_subtracts_calendar_years(as_of, years, expected):
    assert window_start(as_of, years) == expected


# --- fields -------------------------------------------------------------------------------


def test_fields_every_field_in_enum_order_with_research_figures(world):
    result = stats_fields(scope=NO, as_of=AS_OF, years=5)
    assert [row["field"] for row in result["results"]] == Field.values
    research = {row["field"]: row["research"] for row in result["results"]}
    assert research["culture"] == {"share": 0.84, "source": "Eimhjellen & Loga 2017"}
    assert research["sport"] == {"share": 0.81, "source": "Eimhjellen & Loga 2017"}
    assert research["children_youth"]["share"] == 0.80
    assert research["inclusion"]["share"] == 0.78
    assert research["health_care"] is None
    assert {f for f, figure in research.items() if figure} == set(RESEARCH_FIELD_SHARES)


def test_fields_norway_reporting_denominator(world):
    result = stats_fields(scope=NO, as_of=AS_OF, years=5, denominator="reporting")
    assert result["as_of"] == AS_OF
    assert result["years"] == 5
    assert result["denominator"] == "reporting"
    # m1, m2 (p3 on the window's first day still started before as_of), m3, m7.
    # Not m4: draft and declined partnerships, and one starting after as_of.
    assert result["municipalities_total"] == 4
    # culture: m1 (p1 on as_of itself) and m3 (p2 shared with m1) — p4 is only a draft.
    # sport: m1 only — p3 starts on as_of − 5 years, outside the window.
    assert field_counts(result) == {
        "culture": (2, 0.5),
        "sport": (1, 0.25),
        "elderly": (1, 0.25),
    }
    zeros = {row["field"]: row["share"] for row in result["results"] if not row["municipalities"]}
    assert zeros == dict.fromkeys(
        [
            "children_youth",
            "inclusion",
            "health_care",
            "education",
            "environment",
            "emergency",
            "other",
        ],
        0.0,
    )


def test_fields_norway_all_denominator(world):
    result = stats_fields(scope=NO, as_of=AS_OF, years=5, denominator="all")
    # Current m1, m2, m3, m4 and the former m7, which has p8 in the window; not m6.
    assert result["municipalities_total"] == 5
    assert result["denominator"] == "all"
    assert field_counts(result) == {"culture": (2, 0.4), "sport": (1, 0.2), "elderly": (1, 0.2)}


def test_fields_all_denominator_leaves_out_former_municipality_without_recent_partnership(world):
    # Move the window so p8 (m7's only partnership, 2022-01-01) falls out of it.
    result = stats_fields(scope=NO, as_of=datetime.date(2023, 12, 31), years=1, denominator="all")
    # Window 2022-12-31 < start_date <= 2023-12-31: only p2 (m1 and m3).
    assert result["municipalities_total"] == 4  # m1..m4
    assert field_counts(result) == {"culture": (2, 0.5)}


def test_fields_county_scope(world):
    county_a = stats_fields(scope=StatsScope(county=world.county_a.pk), as_of=AS_OF, years=5)
    # Reporting: m1, m2, m7. p2 counts for m1 here; its m3 is in county B.
    assert county_a["municipalities_total"] == 3
    assert field_counts(county_a) == {
        "culture": (1, 0.3333),
        "sport": (1, 0.3333),
        "elderly": (1, 0.3333),
    }

    county_b = stats_fields(scope=StatsScope(county=world.county_b.pk), as_of=AS_OF, years=5)
    assert county_b["municipalities_total"] == 1  # m3 only
    assert field_counts(county_b) == {"culture": (1, 1.0)}

    county_b_all = stats_fields(
        scope=StatsScope(county=world.county_b.pk), as_of=AS_OF, years=5, denominator="all"
    )
    assert county_b_all["municipalities_total"] == 2  # m3, m4; not the former m6
    assert field_counts(county_b_all) == {"culture": (1, 0.5)}


def test_fields_municipality_scope_with_no_reporting_municipality_divides_by_nothing(world):
    scope = StatsScope(municipality=world.m4.pk)
    reporting = stats_fields(scope=scope, as_of=AS_OF, years=5)
    assert reporting["municipalities_total"] == 0
    assert all(row["share"] == 0.0 for row in reporting["results"])
    assert all(row["municipalities"] == 0 for row in reporting["results"])

    everyone = stats_fields(scope=scope, as_of=AS_OF, years=5, denominator="all")
    assert everyone["municipalities_total"] == 1
    assert all(row["share"] == 0.0 for row in everyone["results"])


def test_fields_municipality_scope_counts_shared_partnership(world):
    result = stats_fields(scope=StatsScope(municipality=world.m3.pk), as_of=AS_OF, years=5)
    assert result["municipalities_total"] == 1
    assert field_counts(result) == {"culture": (1, 1.0)}


def test_fields_country_scope_and_no_scope(world):
    denmark = stats_fields(scope=StatsScope(country=Country.DENMARK), as_of=AS_OF, years=5)
    assert denmark["municipalities_total"] == 1
    assert field_counts(denmark) == {"culture": (1, 1.0)}

    everywhere = stats_fields(scope=StatsScope(), as_of=AS_OF, years=5)
    assert everywhere["municipalities_total"] == 5  # m1, m2, m3, m7, d1
    assert field_counts(everywhere) == {
        "culture": (3, 0.6),
        "sport": (1, 0.2),
        "elderly": (1, 0.2),
    }
    everywhere_all = stats_fields(scope=StatsScope(), as_of=AS_OF, years=5, denominator="all")
    assert everywhere_all["municipalities_total"] == 6  # m1..m4, d1 and the former m7
    assert field_counts(everywhere_all)["culture"] == (3, 0.5)


def test_fields_window_moves_with_as_of_and_years(world):
    # One day later p6 (2026-01-02) is in, and m4 reports; p3 (2021-01-01) is still out.
    later = stats_fields(scope=NO, as_of=datetime.date(2026, 1, 2), years=5)
    assert later["municipalities_total"] == 5
    assert field_counts(later) == {
        "culture": (2, 0.4),
        "sport": (1, 0.2),
        "children_youth": (1, 0.2),
        "elderly": (1, 0.2),
    }
    # One day earlier p1 (2026-01-01) is out, and p3's window start moves too.
    earlier = stats_fields(scope=NO, as_of=datetime.date(2025, 12, 31), years=5)
    assert field_counts(earlier) == {
        "culture": (2, 0.5),  # m1 and m3 through p2
        "sport": (1, 0.25),  # m2: p3 on 2021-01-01 > 2020-12-31
        "elderly": (1, 0.25),
    }
    one_year = stats_fields(scope=NO, as_of=AS_OF, years=1)
    assert field_counts(one_year) == {"culture": (1, 0.25), "sport": (1, 0.25)}  # p1 only


def test_fields_leap_day_window():
    municipality = MunicipalityFactory()
    make_partnership([municipality], ["culture"], start_date=datetime.date(2023, 2, 28))
    other = MunicipalityFactory(county=municipality.county)
    make_partnership([other], ["sport"], start_date=datetime.date(2023, 3, 1))
    result = stats_fields(scope=StatsScope(), as_of=datetime.date(2024, 2, 29), years=1)
    # Window 2023-02-28 < start_date <= 2024-02-29.
    assert result["municipalities_total"] == 2
    assert field_counts(result) == {"sport": (1, 0.5)}


def test_fields_refuses_unknown_denominator():
    with pytest.raises(ValueError, match="denominator"):
        stats_fields(scope=NO, as_of=AS_OF, years=5, denominator="surveyed")


# --- co-creation --------------------------------------------------------------------------


def matrix(result) -> dict:
    return {(cell["declared"], cell["derived"]): cell["count"] for cell in result["matrix"]}


def test_co_creation_norway(world):
    result = stats_co_creation(scope=NO)
    # p1, p2 (once, though it has two municipalities), p3, p6, p8; not p4, p5 or the Danish p7.
    assert result["total"] == 5
    assert result["declared"] == {"equal": 3, "municipality_led": 1, "organisation_led": 1}
    assert result["derived"] == {"equal": 2, "municipality_led": 2, "organisation_led": 1}
    types = CoCreationType.values
    assert [(c["declared"], c["derived"]) for c in result["matrix"]] == [
        (d, p) for d in types for p in types
    ]
    expected = dict.fromkeys(((d, p) for d in types for p in types), 0)
    expected |= {
        ("equal", "equal"): 2,  # p1, p8
        ("equal", "municipality_led"): 1,  # p2: declared equal, municipality controls in practice
        ("municipality_led", "municipality_led"): 1,  # p6
        ("organisation_led", "organisation_led"): 1,  # p3
    }
    assert matrix(result) == expected


def test_co_creation_scopes(world):
    county_b = stats_co_creation(scope=StatsScope(county=world.county_b.pk))
    assert county_b["total"] == 2  # p2 (through m3) and p6
    assert matrix(county_b)[("equal", "municipality_led")] == 1
    assert matrix(county_b)[("municipality_led", "municipality_led")] == 1

    m1 = stats_co_creation(scope=StatsScope(municipality=world.m1.pk))
    assert m1["total"] == 2
    assert m1["declared"] == {"equal": 2, "municipality_led": 0, "organisation_led": 0}

    culture = stats_co_creation(scope=StatsScope(country=Country.NORWAY, field="culture"))
    assert culture["total"] == 2  # p1, p2; p4 is only a draft
    assert culture["derived"] == {"equal": 1, "municipality_led": 1, "organisation_led": 0}

    dated = stats_co_creation(
        scope=StatsScope(
            country=Country.NORWAY,
            start_date_after=datetime.date(2023, 6, 1),
            start_date_before=datetime.date(2026, 1, 1),
        )
    )
    assert dated["total"] == 2  # both ends included: p2 and p1; not p6 (a day later)

    assert stats_co_creation(scope=StatsScope())["total"] == 6  # with the Danish p7


def test_co_creation_empty_has_every_key():
    result = stats_co_creation(scope=StatsScope())
    assert result["total"] == 0
    assert result["declared"] == {"equal": 0, "municipality_led": 0, "organisation_led": 0}
    assert result["derived"] == result["declared"]
    assert len(result["matrix"]) == 9
    assert {cell["count"] for cell in result["matrix"]} == {0}


# --- initiators, agreements, forms --------------------------------------------------------


def as_map(result) -> dict:
    return {row["value"]: (row["count"], row["share"]) for row in result["results"]}


def test_initiators_norway(world):
    result = stats_initiators(scope=NO)
    assert result["total"] == 5
    # p4 and p5 ("users") are not established and must not count.
    assert as_map(result) == {
        "municipality": (2, 0.4),  # p1, p8
        "local_civic": (2, 0.4),  # p2, p3
        "national_civic": (0, 0.0),
        "volunteers": (1, 0.2),  # p6
        "users": (0, 0.0),
    }
    assert list(as_map(result)) == [
        "municipality",
        "local_civic",
        "national_civic",
        "volunteers",
        "users",
    ]


def test_agreements_norway(world):
    result = stats_agreements(scope=NO)
    assert result["total"] == 5
    assert as_map(result) == {
        "none": (1, 0.2),  # p2
        "informal": (1, 0.2),  # p6
        "written": (2, 0.4),  # p1, p8
        "partnership_agreement": (0, 0.0),  # only p4 and p5, not established
        "contract": (1, 0.2),  # p3
    }


def test_agreements_with_field_scope(world):
    result = stats_agreements(scope=StatsScope(field="culture"))
    assert result["total"] == 3  # p1, p2, p7
    assert as_map(result)["written"] == (2, 0.6667)
    assert as_map(result)["none"] == (1, 0.3333)


def test_forms_count_a_partnership_once_per_form(world):
    result = stats_forms(scope=NO)
    assert result["total"] == 5
    assert result["without_form"] == 1  # p3
    assert as_map(result) == {
        "premises": (1, 0.2),  # p1; p4 is only a draft
        "grant": (3, 0.6),  # p1, p2, p8
        "dialogue": (1, 0.2),  # p6 has three forms
        "task": (1, 0.2),
        "information": (1, 0.2),
        "co_development": (0, 0.0),  # p5 declined, p7 Danish
    }
    assert sum(share for _, share in as_map(result).values()) == pytest.approx(1.4)


def test_forms_municipality_scope(world):
    result = stats_forms(scope=StatsScope(municipality=world.m1.pk))
    assert result["total"] == 2
    assert result["without_form"] == 0
    assert as_map(result)["premises"] == (1, 0.5)
    assert as_map(result)["grant"] == (2, 1.0)


def test_choice_statistics_with_nothing_in_scope(world):
    for selector in (stats_initiators, stats_agreements, stats_forms):
        result = selector(scope=StatsScope(municipality=world.m6.pk))
        assert result["total"] == 0
        assert {share for _, share in as_map(result).values()} == {0.0}


# --- trend --------------------------------------------------------------------------------


def trend_map(result) -> dict:
    return {
        (row["year"], row["field"]): (row["partnerships"], row["municipalities"])
        for row in result["results"]
    }


def test_trend_norway(world):
    result = stats_trend(scope=NO)
    assert (result["year_from"], result["year_to"]) == (2021, 2026)
    rows = trend_map(result)
    # Every year of the range and every field, in order.
    assert list(rows) == [(y, f) for y in range(2021, 2027) for f in Field.values]
    non_zero = {key: value for key, value in rows.items() if value != (0, 0)}
    assert non_zero == {
        (2021, "sport"): (1, 1),  # p3
        (2022, "elderly"): (1, 1),  # p8
        (2023, "culture"): (1, 2),  # p2: one partnership, two municipalities
        (2026, "culture"): (1, 1),  # p1
        (2026, "sport"): (1, 1),  # p1 again, in its second field
        (2026, "children_youth"): (1, 1),  # p6
    }
    totals = {row["year"]: (row["partnerships"], row["municipalities"]) for row in result["totals"]}
    assert totals == {
        2021: (1, 1),
        2022: (1, 1),
        2023: (1, 2),
        2024: (0, 0),  # p4 and p5 are not established
        2025: (0, 0),
        2026: (2, 2),  # p1 and p6, each once
    }


def test_trend_bounds_and_field(world):
    bounded = stats_trend(scope=NO, year_from=2022, year_to=2023)
    assert (bounded["year_from"], bounded["year_to"]) == (2022, 2023)
    assert len(bounded["results"]) == 2 * len(Field.values)
    assert trend_map(bounded)[(2023, "culture")] == (1, 2)
    assert trend_map(bounded)[(2022, "elderly")] == (1, 1)
    assert [row["year"] for row in bounded["totals"]] == [2022, 2023]

    culture = stats_trend(scope=StatsScope(country=Country.NORWAY, field="culture"))
    assert trend_map(culture) == {
        (2023, "culture"): (1, 2),
        (2024, "culture"): (0, 0),
        (2025, "culture"): (0, 0),
        (2026, "culture"): (1, 1),
    }
    assert [(r["year"], r["partnerships"]) for r in culture["totals"]] == [
        (2023, 1),
        (2024, 0),
        (2025, 0),
        (2026, 1),
    ]

    county_b = stats_trend(scope=StatsScope(county=world.county_b.pk), year_from=2023)
    # p2 counts only its municipality in county B (m3).
    assert trend_map(county_b)[(2023, "culture")] == (1, 1)
    assert trend_map(county_b)[(2026, "children_youth")] == (1, 1)
    assert county_b["year_to"] == 2026


def test_trend_counts_each_municipality_once_per_year_and_field():
    county = CountyFactory()
    busy, quiet = MunicipalityFactory(county=county), MunicipalityFactory(county=county)
    make_partnership([busy], ["culture"], start_date=datetime.date(2024, 2, 1))
    make_partnership([busy], ["culture", "sport"], start_date=datetime.date(2024, 9, 1))
    make_partnership([busy, quiet], ["sport"], start_date=datetime.date(2024, 10, 1))
    result = stats_trend(scope=StatsScope(county=county.pk))
    rows = trend_map(result)
    assert rows[(2024, "culture")] == (2, 1)
    assert rows[(2024, "sport")] == (2, 2)
    assert result["totals"] == [{"year": 2024, "partnerships": 3, "municipalities": 2}]


def test_trend_empty():
    assert stats_trend(scope=StatsScope()) == {
        "year_from": None,
        "year_to": None,
        "results": [],
        "totals": [],
    }
    bounded = stats_trend(scope=StatsScope(field="sport"), year_from=2020, year_to=2021)
    assert trend_map(bounded) == {(2020, "sport"): (0, 0), (2021, "sport"): (0, 0)}


# --- counties -----------------------------------------------------------------------------


def test_by_county_norway(world):
    result = stats_by_county(country=Country.NORWAY, as_of=AS_OF, years=5)
    assert result["as_of"] == AS_OF
    rows = [
        (
            row["code"],
            row["municipalities_total"],
            row["municipalities_with_partnerships"],
            row["share"],
            row["partnerships"],
        )
        for row in result["results"]
    ]
    assert rows == [
        # m1, m2 and the former m7 (p8 in the window); m1 (p1, p2) and m7 (p8); p3 is out.
        ("A01", 3, 2, 0.6667, 3),
        # m3 and m4, not the former m6; only m3 (p2); p6 starts after as_of.
        ("B01", 2, 1, 0.5, 1),
        # The former county D has no municipalities and is left out.
    ]
    assert result["results"][0]["county"] == world.county_a.pk
    assert result["results"][0]["name"] == "Fylke A"


def test_by_county_every_country(world):
    result = stats_by_county(country=None, as_of=AS_OF, years=5)
    assert [(row["country"], row["code"]) for row in result["results"]] == [
        ("DK", "C01"),
        ("NO", "A01"),
        ("NO", "B01"),
    ]
    denmark = result["results"][0]
    assert (denmark["municipalities_total"], denmark["partnerships"], denmark["share"]) == (
        1,
        1,
        1.0,
    )
    later = stats_by_county(country=Country.NORWAY, as_of=datetime.date(2026, 1, 2), years=5)
    county_b = later["results"][1]
    assert (county_b["municipalities_with_partnerships"], county_b["partnerships"]) == (2, 2)
