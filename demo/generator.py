"""A realistic demo data set, generated in bulk.

The national picture it draws resembles the research in DOMAIN.md: each
municipality is active in a field with the probability the Norwegian survey
found (culture 84 %, sport 81 %, children and youth 80 %, inclusion 78 %, ...),
municipalities mostly *declare* equal co-creation while their practice (who
controls goals, when volunteers come in) is more often municipality-led, and
the initiative is mostly the municipality's, as in the Danish survey.

It is written for a million partnerships: rows are generated as plain tuples, chunk by
chunk, and written with ``COPY`` on PostgreSQL (``executemany`` on SQLite) under ids
reserved up front (``demo.loading``); for a large load the non-unique indexes of the
partnership tables are built once at the end. Each partnership and organisation gets
one "demo data" history row, as ``bulk_create_with_history`` gave it. The demo logins
and their own partnerships go through the services, as a user's would.
"""

import datetime
import itertools
import json
import random
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from accounts.choices import MembershipRole
from accounts.emails import mark_confirmed
from accounts.models import Membership, User
from dashboards.tallies import rebuild_tallies
from demo.loading import (
    Table,
    analyze,
    delete_all,
    made_aside,
    reserve_ids,
    without_foreign_keys,
    without_secondary_indexes,
)
from municipalities.choices import Country
from municipalities.models import Municipality, VolunteerCentre
from organisations.choices import IcnpoCategory, OrganisationKind, OrganisationLevel
from organisations.identifiers import complete_org_number
from organisations.models import Organisation, OrganisationCategory
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
    OrganisationRole,
    PromotingFactor,
    Status,
)
from partnerships.models import (
    Partnership,
    PartnershipEvent,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)
from partnerships.rules import derive_co_creation_type
from partnerships.services import partnership_create

# Partnerships generated (and written) at a time: the random draws are made chunk by chunk,
# so changing it changes the data a seed gives.
BATCH = 5_000
# From this many partnerships on, the seed is a bulk load (``seed_demo``'s ``bulk``): rows
# drawn in a second process; on PostgreSQL the tables' foreign keys and non-unique indexes
# dropped for the load and put back after it. On PostgreSQL 15 (2 shared cores) that is
# faster from 20,000 on: 6 s instead of 10 s there, 40 s instead of 53 s at 100,000.
BIG_LOAD = 20_000
DEMO_PASSWORD = "demo"
HISTORY = {"history_change_reason": "demo data", "history_type": "+"}

# Share of municipalities with at least one collaboration in the field (Eimhjellen & Loga
# 2017 for the first four; the rest are plausible values for the demo).
FIELD_ACTIVITY = {
    Field.CULTURE: 0.84,
    Field.SPORT: 0.81,
    Field.CHILDREN_YOUTH: 0.80,
    Field.INCLUSION: 0.78,
    Field.HEALTH_CARE: 0.70,
    Field.ELDERLY: 0.66,
    Field.EDUCATION: 0.45,
    Field.ENVIRONMENT: 0.35,
    Field.EMERGENCY: 0.30,
    Field.OTHER: 0.20,
}
COUNTRY_WEIGHTS = {Country.NORWAY: 0.7, Country.DENMARK: 0.15, Country.SWEDEN: 0.15}
CURRENCY = {
    Country.NORWAY: Currency.NOK,
    Country.DENMARK: Currency.DKK,
    Country.SWEDEN: Currency.SEK,
}

DECLARED = {
    CoCreationType.EQUAL: 0.5,
    CoCreationType.MUNICIPALITY_LED: 0.35,
    CoCreationType.ORGANISATION_LED: 0.15,
}
# Who really controls goals and content, given what was declared: the gap the research shows.
CONTROL_GIVEN_DECLARED = {
    CoCreationType.EQUAL: {
        GoalsControl.SHARED: 0.55,
        GoalsControl.MUNICIPALITY: 0.35,
        GoalsControl.ORGANISATION: 0.10,
    },
    CoCreationType.MUNICIPALITY_LED: {GoalsControl.MUNICIPALITY: 0.8, GoalsControl.SHARED: 0.2},
    CoCreationType.ORGANISATION_LED: {GoalsControl.ORGANISATION: 0.75, GoalsControl.SHARED: 0.25},
}
PHASES = {
    InvolvementPhase.PROBLEM_DEFINITION: 0.22,
    InvolvementPhase.DESIGN: 0.26,
    InvolvementPhase.IMPLEMENTATION: 0.44,
    InvolvementPhase.EVALUATION: 0.08,
}
INITIATORS = {
    Initiator.MUNICIPALITY: 0.5,
    Initiator.LOCAL_CIVIC: 0.26,
    Initiator.NATIONAL_CIVIC: 0.08,
    Initiator.VOLUNTEERS: 0.09,
    Initiator.USERS: 0.07,
}
AGREEMENTS = {
    Agreement.NONE: 0.22,
    Agreement.INFORMAL: 0.3,
    Agreement.WRITTEN: 0.3,
    Agreement.PARTNERSHIP_AGREEMENT: 0.06,
    Agreement.CONTRACT: 0.12,
}
FORMS = {
    CollaborationForm.PREMISES: 0.5,
    CollaborationForm.GRANT: 0.45,
    CollaborationForm.DIALOGUE: 0.4,
    CollaborationForm.TASK: 0.35,
    CollaborationForm.INFORMATION: 0.3,
    CollaborationForm.CO_DEVELOPMENT: 0.15,
}
STATUSES = {
    Status.ACTIVE: 0.45,
    Status.COMPLETED: 0.3,
    Status.DISCONTINUED: 0.05,
    Status.DRAFT: 0.05,
    Status.CHANGES_REQUESTED: 0.05,
    Status.UNDER_REVIEW: 0.05,
    Status.DECLINED: 0.05,
}

TITLES = {
    Field.CULTURE: [
        "Kulturkveld for alle",
        "Bibliotekkafé",
        "Sommerkonserter i parken",
        "Lokalhistorisk vandring",
        "Kulturskole og korps sammen",
        "Festivalfrivillige",
    ],
    Field.SPORT: [
        "Aktivitetsdag for alle",
        "Gratis idrettsskole",
        "Turløypenett i samarbeid",
        "Lavterskel trening",
        "Drift av idrettshallen",
        "Ballbinge-prosjektet",
    ],
    Field.CHILDREN_YOUTH: [
        "Fritidskassa",
        "Ungdomsklubb på fredager",
        "Leksehjelp",
        "Sommerjobb for ungdom",
        "Alle barn i aktivitet",
        "Natteravner",
    ],
    Field.INCLUSION: [
        "Språkkafé",
        "Flyktningguide",
        "Møteplass for nye innbyggere",
        "Inkludering i idrettslag",
        "Arbeidstrening for innvandrere",
        "Foreldrenettverk",
    ],
    Field.HEALTH_CARE: [
        "Besøksvenn på sykehjemmet",
        "Frisklivsgruppe",
        "Pårørendetreff",
        "Demensvennlig samfunn",
        "Trygghetsvandring",
        "Turvenn",
    ],
    Field.ELDERLY: [
        "Seniortreff",
        "Matombringing til eldre",
        "Digital hjelp for seniorer",
        "Trimgruppe for eldre",
        "Aktivitetsvenn",
        "Seniorsurf",
    ],
    Field.EDUCATION: [
        "Leseglede i skolen",
        "Mentorordning",
        "Kodeklubb",
        "Norskopplæring med frivillige",
    ],
    Field.ENVIRONMENT: [
        "Strandrydding",
        "Reparasjonskafé",
        "Bytteordning for sportsutstyr",
        "Skolehager",
    ],
    Field.EMERGENCY: [
        "Frivillig beredskapsgruppe",
        "Søk og redning",
        "Krisesenter-vakter",
        "Førstehjelpskurs for alle",
    ],
    Field.OTHER: [
        "Nabolagsløftet",
        "Frivillighetens dag",
        "Felles frivillighetsportal",
        "Dugnad i bydelen",
    ],
}
ORG_TEMPLATES = {
    Country.NORWAY: [
        ("{place} idrettslag", OrganisationKind.ASSOCIATION, IcnpoCategory.CULTURE_RECREATION),
        ("{place} skolekorps", OrganisationKind.ASSOCIATION, IcnpoCategory.CULTURE_RECREATION),
        ("{place} sanitetsforening", OrganisationKind.ASSOCIATION, IcnpoCategory.HEALTH),
        ("{place} Røde Kors", OrganisationKind.ASSOCIATION, IcnpoCategory.SOCIAL_SERVICES),
        ("{place} pensjonistforening", OrganisationKind.ASSOCIATION, IcnpoCategory.SOCIAL_SERVICES),
        ("{place} turlag", OrganisationKind.ASSOCIATION, IcnpoCategory.CULTURE_RECREATION),
        ("{place} historielag", OrganisationKind.ASSOCIATION, IcnpoCategory.CULTURE_RECREATION),
        ("{place} speidergruppe", OrganisationKind.ASSOCIATION, IcnpoCategory.CULTURE_RECREATION),
        (
            "Frivilligsentralen i {place}",
            OrganisationKind.VOLUNTEER_CENTRE,
            IcnpoCategory.PHILANTHROPY,
        ),
        ("Mangfold {place}", OrganisationKind.NON_PROFIT, IcnpoCategory.SOCIAL_SERVICES),
        ("Leksehjelpen {place}", OrganisationKind.INFORMAL_GROUP, IcnpoCategory.EDUCATION_RESEARCH),
        ("{place} naturvernforening", OrganisationKind.ASSOCIATION, IcnpoCategory.ENVIRONMENT),
        (
            "Arbeidstrening {place} AS",
            OrganisationKind.SOCIAL_ENTERPRISE,
            IcnpoCategory.DEVELOPMENT_HOUSING,
        ),
    ],
    Country.DENMARK: [
        ("{place} Boldklub", OrganisationKind.ASSOCIATION, IcnpoCategory.CULTURE_RECREATION),
        ("Frivilligcenter {place}", OrganisationKind.VOLUNTEER_CENTRE, IcnpoCategory.PHILANTHROPY),
        ("Ældre Sagen {place}", OrganisationKind.ASSOCIATION, IcnpoCategory.SOCIAL_SERVICES),
        ("Dansk Røde Kors {place}", OrganisationKind.ASSOCIATION, IcnpoCategory.SOCIAL_SERVICES),
        (
            "{place} Lokalhistoriske Forening",
            OrganisationKind.ASSOCIATION,
            IcnpoCategory.CULTURE_RECREATION,
        ),
    ],
    Country.SWEDEN: [
        ("{place} IF", OrganisationKind.ASSOCIATION, IcnpoCategory.CULTURE_RECREATION),
        (
            "Frivilligcentralen {place}",
            OrganisationKind.VOLUNTEER_CENTRE,
            IcnpoCategory.PHILANTHROPY,
        ),
        ("Röda Korset {place}", OrganisationKind.ASSOCIATION, IcnpoCategory.SOCIAL_SERVICES),
        ("PRO {place}", OrganisationKind.ASSOCIATION, IcnpoCategory.SOCIAL_SERVICES),
        (
            "{place} hembygdsförening",
            OrganisationKind.ASSOCIATION,
            IcnpoCategory.CULTURE_RECREATION,
        ),
    ],
}
NATIONAL_ORGANISATIONS = {
    Country.NORWAY: [
        "Norges Røde Kors",
        "Norsk Folkehjelp",
        "Redd Barna",
        "Kirkens Bymisjon",
        "Nasjonalforeningen for folkehelsen",
        "Norsk Friluftsliv",
    ],
    Country.DENMARK: ["Dansk Flygtningehjælp", "Ældre Sagen", "DGI"],
    Country.SWEDEN: ["Svenska Röda Korset", "Riksidrottsförbundet", "Studieförbundet Vuxenskolan"],
}
NUMBER_PREFIX = {Country.NORWAY: "9", Country.DENMARK: "3", Country.SWEDEN: "802"}
NUMBER_LENGTH = {Country.NORWAY: 9, Country.DENMARK: 8, Country.SWEDEN: 10}

DEMO_USERS = [
    # username, is_superuser, description
    ("admin", True, "administrator (all rights, /admin/)"),
    ("koordinator", False, "volunteer coordinator of Oslo municipality"),
    ("organisasjon", False, "representative of Tøyen leksehjelp, an organisation in Oslo"),
    ("analytiker", False, "KS/ministry analyst (reads everything, writes nothing)"),
]
DEMO_NAMES = {
    "admin": ("Ada", "Admin"),
    "koordinator": ("Kari", "Nordmann"),
    "organisasjon": ("Ola", "Hansen"),
    "analytiker": ("Anne", "Berg"),
}


DISTRICTS = ["Nord", "Sør", "Øst", "Vest", "Sentrum"]


def _district(n: int) -> str:
    """1 → "Nord", ..., 5 → "Sentrum", 6 → "Nord 2", ..."""
    district = DISTRICTS[(n - 1) % len(DISTRICTS)]
    round_ = (n - 1) // len(DISTRICTS) + 1
    return district if round_ == 1 else f"{district} {round_}"


def _value(choice) -> str:
    """The plain string of a choice, as written to the database."""
    return getattr(choice, "value", choice)


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Weighted:
    """``_pick`` with the lists made once: ``random.choices``' own draw (one random number
    against the running totals of the weights), so a seed gives the same data."""

    __slots__ = ("hi", "total", "totals", "values")

    def __init__(self, weights: dict):
        self.values = [_value(choice) for choice in weights]
        self.totals = list(itertools.accumulate(weights.values()))
        self.total = self.totals[-1] + 0.0
        self.hi = len(self.values) - 1

    def __call__(self, random_: Callable[[], float]) -> str:
        return self.values[bisect(self.totals, random_() * self.total, 0, self.hi)]


@dataclass
class SeedResult:
    organisations: int
    partnerships: int
    users: list[tuple[str, str]]


class _NumberSource:
    """Unique, valid organisation numbers per country."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[tuple[str, str]] = set(
            Organisation.objects.exclude(org_number="").values_list("country", "org_number")
        )

    def next(self, country: str) -> str:
        prefix, length = NUMBER_PREFIX[country], NUMBER_LENGTH[country]
        while True:
            body = prefix + "".join(
                self.rng.choice("0123456789") for _ in range(length - len(prefix) - 1)
            )
            number = complete_org_number(country, body)
            if number and (country, number) not in self.used:
                self.used.add((country, number))
                return number


def reset_demo_data(*, bulk: bool | None = None) -> None:
    """Remove partnerships, organisations, volunteer centres and demo users.

    Partnerships and organisations go with what cascades from them a table at a time
    (``demo.loading.delete_all``), without a history row per deletion, then their history.
    ``bulk`` (by default from ``BIG_LOAD`` partnerships on): on PostgreSQL, without the
    foreign keys to and from those tables (checked again once at the end), and the tables
    emptied entirely with ``TRUNCATE``.
    """
    if bulk is None:
        bulk = Partnership.objects.count() >= BIG_LOAD
    with without_foreign_keys((Partnership, PartnershipEvent, Organisation), enabled=bulk):
        delete_all(Partnership.objects.all(), truncate=bulk)
        delete_all(Partnership.history.all(), truncate=bulk)
        VolunteerCentre.objects.all().delete()
        delete_all(Organisation.objects.all(), truncate=bulk)
        delete_all(Organisation.history.all(), truncate=bulk)
    User.objects.filter(username__in=[u for u, *_ in DEMO_USERS]).delete()
    Municipality.objects.update(
        volunteer_policy_adopted=False, volunteer_policy_year=None, volunteer_policy_url=""
    )


def _create_users() -> list[tuple[str, str]]:
    logins = []
    for username, superuser, description in DEMO_USERS:
        first_name, last_name = DEMO_NAMES[username]
        user = User(
            username=username,
            email=f"{username}@example.org",
            first_name=first_name,
            last_name=last_name,
            is_staff=superuser,
            is_superuser=superuser,
            is_analyst=username == "analytiker",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        mark_confirmed(user)  # demo accounts come with confirmed addresses
        logins.append((username, description))
    return logins


def _profile_municipalities(rng: random.Random, municipalities: list[Municipality]) -> None:
    centres = []
    for municipality in municipalities:
        if rng.random() < 0.6:
            municipality.volunteer_policy_adopted = True
            municipality.volunteer_policy_year = rng.randint(2008, 2025)
        if municipality.country == Country.NORWAY and rng.random() < 0.9:
            centres.append(
                VolunteerCentre(
                    municipality=municipality, name=f"Frivilligsentralen i {municipality.name}"
                )
            )
    Municipality.objects.bulk_update(
        municipalities, ["volunteer_policy_adopted", "volunteer_policy_year"], batch_size=BATCH
    )
    VolunteerCentre.objects.bulk_create(centres, batch_size=BATCH, ignore_conflicts=True)


ORGANISATION_COLUMNS = ("id", "name", "country", "org_number", "kind", "level", "email", "verified")


@dataclass
class _Organisations:
    """The ids of the organisations made, by home municipality and by country."""

    by_municipality: dict[int, list[int]]
    by_country: dict[str, list[int]]

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.by_country.values())


def _create_organisations(
    rng: random.Random,
    by_country: dict[str, list[Municipality]],
    count: int,
    now: datetime.datetime | None = None,
) -> _Organisations:
    """Local organisations named after their municipality, and a few national ones."""
    now = now or timezone.now()
    numbers = _NumberSource(rng)
    # (name, country, org_number, kind, level, email, verified), home municipality, category
    planned: list[tuple[tuple, Municipality | None, str]] = []
    for country, names in NATIONAL_ORGANISATIONS.items():
        for name in names:
            row = (
                name,
                _value(country),
                numbers.next(country),
                _value(OrganisationKind.NATIONAL_ORGANISATION),
                _value(OrganisationLevel.NATIONAL),
                "",
                True,
            )
            planned.append((row, None, _value(IcnpoCategory.SOCIAL_SERVICES)))
    countries = list(COUNTRY_WEIGHTS)
    times_used: dict[str, int] = {}
    while len(planned) < count:
        country = _pick(rng, COUNTRY_WEIGHTS)
        municipality = rng.choice(by_country[country])
        template, kind, category = rng.choice(ORG_TEMPLATES[country])
        base = template.format(place=municipality.name.split(" - ")[0].split(" (")[0])
        # A second club of the same kind in a place takes a district's name, as real ones do.
        used = times_used.get(base, 0)
        times_used[base] = used + 1
        name = base if used == 0 else f"{base} {_district(used)}"
        row = (
            name,
            _value(country),
            "" if kind == OrganisationKind.INFORMAL_GROUP else numbers.next(country),
            _value(kind),
            _value(OrganisationLevel.LOCAL),
            f"post@{slugify(name)}.example.org",
            rng.random() < 0.7,
        )
        planned.append((row, municipality, _value(category)))
    assert set(countries) <= {row[1] for row, *_ in planned}
    first = reserve_ids(Organisation, len(planned))
    ids = range(first, first + len(planned))
    rows = [(pk, *row) for pk, (row, *_) in zip(ids, planned, strict=True)]
    history = Organisation.history.model
    Table(Organisation, ORGANISATION_COLUMNS, now).write(rows)
    Table(history, ORGANISATION_COLUMNS, now, created_at=now, history_date=now, **HISTORY).write(
        rows
    )
    homes = Organisation.municipalities.through
    Table(homes, ("organisation_id", "municipality_id"), now).write(
        (pk, home.pk) for pk, (_, home, _) in zip(ids, planned, strict=True) if home
    )
    Table(OrganisationCategory, ("organisation_id", "category", "rank"), now).write(
        (pk, category, 1) for pk, (_, _, category) in zip(ids, planned, strict=True)
    )
    made = _Organisations(by_municipality={}, by_country={c: [] for c in countries})
    for pk, (row, home, _) in zip(ids, planned, strict=True):
        if home:
            made.by_municipality.setdefault(home.pk, []).append(pk)
        made.by_country[row[1]].append(pk)
    return made


# The partnership columns generated for each row (the history row has the same); the
# others are constants (``demo.loading.Table``).
PARTNERSHIP_COLUMNS = (
    "id",
    "title",
    "co_creation_type",
    "derived_co_creation_type",
    "initiator",
    "involvement_phase",
    "goals_control",
    "agreement",
    "status",
    "start_date",
    "end_date",
    "municipal_contribution",
    "currency",
    "volunteer_hours",
    "people_reached",
    "promoting_factors",
    "hindering_factors",
)
DESCRIPTION = "Et samarbeid mellom kommunen og frivillige lag og organisasjoner."
CONTRIBUTIONS = (None, 0, 5_000, 20_000, 50_000, 150_000, 400_000)
ORGANISATIONS_PER_PARTNERSHIP = (1, 1, 1, 2, 3)
RECENT_SPAN = 5 * 365 - 2  # days: the last five years
OLD_SPAN = 11 * 365


class _PartnershipTables:
    """The tables a partnership is written to, and what their rows share."""

    def __init__(self, now: datetime.datetime):
        self.partnership = Table(Partnership, PARTNERSHIP_COLUMNS, now, description=DESCRIPTION)
        self.history = Table(
            Partnership.history.model,
            PARTNERSHIP_COLUMNS,
            now,
            description=DESCRIPTION,
            created_at=now,
            history_date=now,
            **HISTORY,
        )
        self.municipalities = Table(
            PartnershipMunicipality, ("partnership_id", "municipality_id"), now
        )
        self.organisations = Table(
            PartnershipOrganisation, ("partnership_id", "organisation_id", "role"), now
        )
        self.fields = Table(PartnershipField, ("partnership_id", "field"), now)
        self.forms = Table(PartnershipForm, ("partnership_id", "form"), now)

    def write(self, rows: dict[str, list[tuple]]) -> None:
        """Write ``_Generator.rows``' rows."""
        self.partnership.write(rows["partnership"])
        self.history.write(rows["partnership"])
        self.municipalities.write(rows["municipalities"])
        self.organisations.write(rows["organisations"])
        self.fields.write(rows["fields"])
        self.forms.write(rows["forms"])


ORGANISATION_MODELS = (
    Organisation,
    Organisation.history.model,
    Organisation.municipalities.through,
    OrganisationCategory,
)
LOADED_MODELS = (
    Partnership,
    Partnership.history.model,
    PartnershipMunicipality,
    PartnershipOrganisation,
    PartnershipField,
    PartnershipForm,
)


class _Generator:
    """Draws partnerships and their links from one ``random.Random``, chunk by chunk.

    The draws are those of the row-by-row generator this replaced, in the same order, so a
    seed still gives the same partnerships; the values come out as the strings and numbers
    the tables hold (dates as ISO strings, factor lists as JSON), ready for ``Table``.
    """

    def __init__(self, rng, today, municipalities, organisations: _Organisations, active_fields):
        self.rng = rng
        self.by_country = {}
        self.country = {}
        self.place = {}
        for m in municipalities:
            self.by_country.setdefault(m.country, []).append(m.pk)
            self.country[m.pk] = m.country
            self.place[m.pk] = m.name.split(" - ")[0]
        self.organisations = organisations
        self.active_fields = {pk: [_value(f) for f in fs] for pk, fs in active_fields.items()}
        # Day n before today, as the database writes a date.
        self.days = [(today - datetime.timedelta(days=n)).isoformat() for n in range(OLD_SPAN + 1)]
        self.titles = {_value(field): titles for field, titles in TITLES.items()}
        self.json_lists: dict[tuple, str] = {}
        self.derived = {
            (_value(control), _value(phase)): _value(
                derive_co_creation_type(goals_control=control, involvement_phase=phase)
            )
            for control in GoalsControl
            for phase in InvolvementPhase
        }

    def plans(self, anchors: list, start: int, stop: int) -> list[tuple[int, str, str, bool]]:
        """(municipality id, field, status, recent) of partnerships ``start`` to ``stop``."""
        rng = self.rng
        random_, choice = rng.random, rng.choice
        anchored, countries, statuses = ANCHOR_STATUSES, COUNTRIES, ALL_STATUSES
        plans = []
        for i in range(start, stop):
            if i < len(anchors):
                municipality, field = anchors[i]
                plans.append((municipality, field, anchored(random_), True))
            else:
                municipality = choice(self.by_country[countries(random_)])
                field = choice(self.active_fields.get(municipality) or [OTHER_FIELD])
                status = statuses(random_)
                plans.append((municipality, field, status, random_() < 0.6))
        return plans

    def _json(self, values: list[str]) -> str:
        key = tuple(values)
        text = self.json_lists.get(key)
        if text is None:
            text = self.json_lists[key] = json.dumps(values)
        return text

    def rows(self, plans: list, first_id: int) -> dict[str, list[tuple]]:
        """The rows of the planned partnerships (ids from ``first_id`` on) and their links."""
        rng = self.rng
        random_, choice, randint, sample = rng.random, rng.choice, rng.randint, rng.sample
        days, titles, place, derived, json_ = (
            self.days,
            self.titles,
            self.place,
            self.derived,
            self._json,
        )
        partnerships = []
        for pk, (municipality, field, status, recent) in zip(
            itertools.count(first_id), plans, strict=False
        ):
            declared = DECLARED_TYPES(random_)
            if recent:
                start = int(RECENT_SPAN * random_() ** 1.3)
            else:
                start = int(OLD_SPAN * random_() ** 1.8)
            end = None
            if status in ENDED_STATUSES:
                end = days[max(0, start - randint(60, 3 * 365))]
            title = f"{choice(titles[field])} i {place[municipality]}"
            control = CONTROL[declared](random_)
            phase = PHASE(random_)
            initiator = INITIATOR(random_)
            agreement = AGREEMENT(random_)
            if status in ESTABLISHED or random_() < 0.5:
                start_date = days[start]
            else:
                start_date = end = None
            contribution = choice(CONTRIBUTIONS)
            hours = choice((None, randint(10, 5_000)))
            reached = choice((None, randint(5, 2_000)))
            promoting = json_(sample(PROMOTING, randint(0, 3)))
            hindering = json_(sample(HINDERING, randint(0, 2)))
            partnerships.append(
                (
                    pk,
                    title,
                    declared,
                    derived[control, phase],
                    initiator,
                    phase,
                    control,
                    agreement,
                    status,
                    start_date,
                    end,
                    contribution,
                    CURRENCIES[self.country[municipality]],
                    hours,
                    reached,
                    promoting,
                    hindering,
                )
            )
        municipality_links, organisation_links, field_tags, form_tags = [], [], [], []
        by_country = self.by_country
        by_municipality = self.organisations.by_municipality
        organisations_by_country = self.organisations.by_country
        active_fields = self.active_fields
        for pk, (municipality, field, _status, _recent) in zip(
            itertools.count(first_id), plans, strict=False
        ):
            country = self.country[municipality]
            municipality_links.append((pk, municipality))
            if random_() < 0.08:  # inter-municipal collaborations
                other = choice(by_country[country])
                if other != municipality:
                    municipality_links.append((pk, other))
            candidates = by_municipality.get(municipality) or organisations_by_country[country]
            chosen = sample(candidates, min(len(candidates), choice(ORGANISATIONS_PER_PARTNERSHIP)))
            organisation_links.append((pk, chosen[0], LEAD))
            organisation_links.extend((pk, organisation, PARTNER) for organisation in chosen[1:])
            field_tags.append((pk, field))
            if random_() < 0.35:
                other = choice(active_fields.get(municipality) or [field])
                if other != field:
                    field_tags.append((pk, other))
            forms = [form for form, share in FORM_SHARES if random_() < share] or [DEFAULT_FORM]
            form_tags.extend((pk, form) for form in forms)
        return {
            "partnership": partnerships,
            "municipalities": municipality_links,
            "organisations": organisation_links,
            "fields": field_tags,
            "forms": form_tags,
        }


COUNTRIES = _Weighted(COUNTRY_WEIGHTS)
CURRENCIES = {_value(country): _value(currency) for country, currency in CURRENCY.items()}
ANCHOR_STATUSES = _Weighted({Status.ACTIVE: 0.6, Status.COMPLETED: 0.35, Status.DISCONTINUED: 0.05})
ALL_STATUSES = _Weighted(STATUSES)
ESTABLISHED = frozenset(_value(s) for s in ESTABLISHED_STATUSES)
ENDED_STATUSES = frozenset({_value(Status.COMPLETED), _value(Status.DISCONTINUED)})
OTHER_FIELD = _value(Field.OTHER)
DECLARED_TYPES = _Weighted(DECLARED)
CONTROL = {_value(declared): _Weighted(c) for declared, c in CONTROL_GIVEN_DECLARED.items()}
PHASE = _Weighted(PHASES)
INITIATOR = _Weighted(INITIATORS)
AGREEMENT = _Weighted(AGREEMENTS)
PROMOTING = [_value(v) for v in PromotingFactor]
HINDERING = [_value(v) for v in HinderingFactor]
FORM_SHARES = [(_value(form), share) for form, share in FORMS.items()]
DEFAULT_FORM = _value(CollaborationForm.TASK)
LEAD = _value(OrganisationRole.LEAD)
PARTNER = _value(OrganisationRole.PARTNER)


@transaction.atomic
def seed_demo(
    *,
    partnerships: int = 5_000,
    seed: int = 2017,
    today: datetime.date | None = None,
    progress: TextIO | None = None,
    bulk: bool | None = None,
) -> SeedResult:
    """Fill the database with demo data; reference data must already be loaded.

    ``progress``: a stream to draw a progress bar on (``tqdm``), or None for none.
    ``bulk`` (by default from ``BIG_LOAD`` partnerships on): draw the partnerships in a
    second process while this one writes them (``demo.loading.made_aside``), and on
    PostgreSQL load without the foreign keys and the non-unique indexes of the tables
    written, put back (checked and built once) at the end. It locks those tables, and
    the tables their keys refer to, until the transaction ends. The data is the same.
    """
    rng = random.Random(seed)
    today = today or datetime.date.today()
    now = timezone.now()
    # The demo logins' own partnerships (see _demo_roles) count towards the total.
    bulk_total = max(0, partnerships - DEMO_ROLE_PARTNERSHIPS)
    if bulk is None:
        bulk = partnerships >= BIG_LOAD
    with tqdm(
        total=bulk_total + DEMO_ROLE_PARTNERSHIPS,
        desc="Organisations",
        unit=" partnerships",
        unit_scale=True,
        file=progress,
        disable=progress is None,
        mininterval=0.5,
        smoothing=0,  # the average rate: a chunk's rate swings with the server's writes
    ) as bar:
        return _seed(rng, today, now, partnerships, bulk_total, bulk, bar)


def _seed(rng, today, now, partnerships, bulk_total, bulk, bar) -> SeedResult:
    municipalities = list(Municipality.objects.filter(is_current=True).order_by("pk"))
    if not municipalities:
        raise ValueError("No municipalities: run load_reference_data first.")
    by_country: dict[str, list[Municipality]] = {}
    for municipality in municipalities:
        by_country.setdefault(municipality.country, []).append(municipality)

    users = _create_users()
    _profile_municipalities(rng, municipalities)
    with without_foreign_keys(ORGANISATION_MODELS + LOADED_MODELS, enabled=bulk):
        organisations = _create_organisations(
            rng, by_country, count=max(60, min(partnerships // 3, 40_000)), now=now
        )
        bar.set_description("Partnerships")
        with without_secondary_indexes(LOADED_MODELS, enabled=bulk):
            _load_partnerships(
                rng,
                today,
                now,
                bulk_total,
                municipalities,
                organisations,
                bar.update,
                in_background=bulk,
            )
            bar.set_description("ANALYZE")
            analyze(ORGANISATION_MODELS + LOADED_MODELS)
            bar.set_description("Indexes")
        bar.set_description("Foreign keys")
    created = bulk_total + _demo_roles(today, municipalities)
    bar.update(created - bulk_total)
    bar.set_description("Statistics")
    rebuild_tallies(progress=bar.set_postfix_str)
    bar.set_description("Done")
    bar.set_postfix_str("")
    return SeedResult(organisations=organisations.count + 1, partnerships=created, users=users)


def _load_partnerships(
    rng: random.Random,
    today: datetime.date,
    now: datetime.datetime,
    count: int,
    municipalities: list[Municipality],
    organisations: _Organisations,
    advance: Callable[[int], object],
    in_background: bool = False,
) -> None:
    """Write ``count`` partnerships with their links and history rows, chunk by chunk."""
    # Each municipality is active in a field with the research's probability; the first
    # partnerships cover those (municipality, field) pairs inside the last five years, so
    # the dashboard's shares come out near the survey's.
    anchors = [
        (m.pk, _value(field))
        for m in municipalities
        for field, share in FIELD_ACTIVITY.items()
        if rng.random() < share
    ]
    # Norway first: it is the country the research figures describe.
    rng.shuffle(anchors)
    country = {m.pk: m.country for m in municipalities}
    anchors.sort(key=lambda pair: country[pair[0]] != Country.NORWAY)
    active_fields: dict[int, list[str]] = {}
    for pk, field in anchors:
        active_fields.setdefault(pk, []).append(field)

    generator = _Generator(rng, today, municipalities, organisations, active_fields)
    tables = _PartnershipTables(now)
    first_id = reserve_ids(Partnership, count)

    def chunks():
        for start in range(0, count, BATCH):
            stop = min(count, start + BATCH)
            plans = generator.plans(anchors, start, stop)
            yield stop - start, generator.rows(plans, first_id + start)

    # A large load draws in a second process while this one writes (see made_aside).
    with made_aside(chunks(), enabled=in_background) as made:
        for size, rows in made:
            tables.write(rows)
            advance(size)


DEMO_ROLE_PARTNERSHIPS = 8


def _demo_roles(today: datetime.date, municipalities: list[Municipality]) -> int:
    """The demo coordinator's municipality, the demo organisation and its proposals, so each
    demo login has something to do: an inbox of proposals and of links awaiting Oslo's
    confirmation, proposals and drafts to follow up and a link awaiting the organisation's."""
    oslo = next(
        (m for m in municipalities if (m.country, m.code) == (Country.NORWAY, "0301")),
        municipalities[0],
    )
    organisation = Organisation.objects.create(
        name="Tøyen leksehjelp",
        country=Country.NORWAY,
        org_number=_NumberSource(random.Random(1)).next(Country.NORWAY),
        kind=OrganisationKind.ASSOCIATION,
        email="post@toyen-leksehjelp.example.org",
        contact_person="Ola Hansen",
        description="Frivillige som gir leksehjelp til barn og unge på Tøyen.",
        verified=True,
    )
    organisation.municipalities.add(oslo)
    OrganisationCategory.objects.create(
        organisation=organisation, category=IcnpoCategory.EDUCATION_RESEARCH, rank=1
    )
    coordinator = User.objects.get(username="koordinator")
    representative = User.objects.get(username="organisasjon")
    Membership.objects.create(user=coordinator, role=MembershipRole.COORDINATOR, municipality=oslo)
    Membership.objects.create(
        user=representative, role=MembershipRole.REPRESENTATIVE, organisation=organisation
    )
    common = {
        "municipalities": [oslo],
        "organisations": {organisation: OrganisationRole.LEAD},
        "initiator": Initiator.LOCAL_CIVIC,
        "agreement": Agreement.INFORMAL,
    }
    partnership_create(
        created_by=representative, title="Leksehjelp på Tøyen bibliotek",
        fields=[Field.CHILDREN_YOUTH, Field.EDUCATION], forms=[CollaborationForm.PREMISES],
        co_creation_type=CoCreationType.EQUAL, involvement_phase=InvolvementPhase.DESIGN,
        goals_control=GoalsControl.SHARED, status=Status.ACTIVE,
        start_date=today.replace(year=today.year - 2), **common,
    )  # fmt: skip
    for title, fields in [
        ("Sommerskole for nyankomne barn", [Field.CHILDREN_YOUTH, Field.INCLUSION]),
        ("Mattekafé for foreldre", [Field.EDUCATION, Field.INCLUSION]),
    ]:
        proposal = partnership_create(
            created_by=representative, acting_user=representative, title=title, fields=fields,
            forms=[CollaborationForm.PREMISES, CollaborationForm.GRANT],
            co_creation_type=CoCreationType.EQUAL,
            involvement_phase=InvolvementPhase.PROBLEM_DEFINITION,
            goals_control=GoalsControl.SHARED, status=Status.UNDER_REVIEW,
            description="Vi foreslår et samarbeid med bydelen om lokaler og en liten driftsstøtte.",
            **common,
        )  # fmt: skip
        PartnershipEvent.objects.create(
            partnership=proposal, action="submit", from_status=Status.DRAFT,
            to_status=Status.UNDER_REVIEW, actor=representative, notified_at=timezone.now(),
        )  # fmt: skip
    for title in ("Leksehjelp på nett (utkast)", "Lesevenner i barnehagen (utkast)"):
        partnership_create(
            created_by=representative, acting_user=representative, title=title,
            fields=[Field.EDUCATION], co_creation_type=CoCreationType.ORGANISATION_LED,
            involvement_phase=InvolvementPhase.PROBLEM_DEFINITION,
            goals_control=GoalsControl.ORGANISATION, status=Status.DRAFT, **common,
        )  # fmt: skip
    _demo_link_requests(today, oslo, organisation)
    return DEMO_ROLE_PARTNERSHIPS


def _demo_link_requests(today: datetime.date, oslo: Municipality, organisation) -> None:
    """Partnerships logged by a neighbouring municipality that name Oslo, and one that names
    the demo organisation: links awaiting confirmation in the demo logins' inboxes."""
    neighbour = (
        Municipality.objects.filter(country=oslo.country, is_current=True)
        .exclude(pk=oslo.pk)
        .order_by("name")
        .first()
    )
    if neighbour is None:
        return
    partner = Organisation.objects.exclude(pk=organisation.pk).order_by("pk").first()
    start = today.replace(year=today.year - 1)
    requests = [
        ("Felles frivilligsentral-nettverk", [neighbour, oslo], partner or organisation, "m"),
        ("Turvenner over kommunegrensen", [neighbour, oslo], partner or organisation, "m"),
        ("Leksehjelp i nabokommunen", [neighbour], organisation, "o"),
    ]
    for title, municipalities, lead, asks in requests:
        partnership = partnership_create(
            title=title, municipalities=municipalities, organisations={lead: OrganisationRole.LEAD},
            fields=[Field.CHILDREN_YOUTH], co_creation_type=CoCreationType.EQUAL,
            initiator=Initiator.MUNICIPALITY, involvement_phase=InvolvementPhase.DESIGN,
            goals_control=GoalsControl.SHARED, status=Status.ACTIVE, start_date=start,
            description="Logget av nabokommunen; venter på bekreftelse.",
        )  # fmt: skip
        # Logged by the neighbour's coordinator: the link to the other party awaits it.
        if asks == "m":
            links = PartnershipMunicipality.objects.filter(
                partnership=partnership, municipality=oslo
            )
            party = {"municipality": oslo}
        else:
            links = PartnershipOrganisation.objects.filter(
                partnership=partnership, organisation=organisation
            )
            party = {"organisation": organisation}
        links.update(state=LinkState.PENDING)
        PartnershipEvent.objects.create(
            partnership=partnership, action="link_requested", from_status=Status.ACTIVE,
            to_status=Status.ACTIVE, notified_at=timezone.now(), **party,
        )  # fmt: skip
