"""A realistic demo data set, generated in bulk.

The national picture it draws resembles the research in DOMAIN.md: each
municipality is active in a field with the probability the Norwegian survey
found (culture 84 %, sport 81 %, children and youth 80 %, inclusion 78 %, ...),
municipalities mostly *declare* equal co-creation while their practice (who
controls goals, when volunteers come in) is more often municipality-led, and
the initiative is mostly the municipality's, as in the Danish survey.
"""

import datetime
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from accounts.choices import MembershipRole
from accounts.emails import mark_confirmed
from accounts.models import Membership, User
from municipalities.choices import Country
from municipalities.models import Municipality, VolunteerCentre
from organisations.choices import IcnpoCategory, OrganisationKind, OrganisationLevel
from organisations.identifiers import complete_org_number
from organisations.models import Organisation, OrganisationCategory
from partnerships.choices import (
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
from partnerships.services import partnership_create

BATCH = 5_000
DEMO_PASSWORD = "demo"

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


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _batched(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


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


def reset_demo_data() -> None:
    """Remove partnerships, organisations, volunteer centres and demo users."""
    Partnership.objects.all().delete()
    Partnership.history.all().delete()
    VolunteerCentre.objects.all().delete()
    Organisation.objects.all().delete()
    Organisation.history.all().delete()
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


def _create_organisations(
    rng: random.Random, by_country: dict[str, list[Municipality]], count: int
) -> dict[str, list[tuple[Organisation, list[Municipality]]]]:
    """Local organisations named after their municipality, and a few national ones."""
    numbers = _NumberSource(rng)
    planned: list[tuple[Organisation, list[Municipality], IcnpoCategory]] = []
    for country, names in NATIONAL_ORGANISATIONS.items():
        for name in names:
            org = Organisation(
                name=name,
                country=country,
                org_number=numbers.next(country),
                kind=OrganisationKind.NATIONAL_ORGANISATION,
                level=OrganisationLevel.NATIONAL,
                verified=True,
            )
            planned.append((org, [], IcnpoCategory.SOCIAL_SERVICES))
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
        org = Organisation(
            name=name,
            country=country,
            kind=kind,
            level=OrganisationLevel.LOCAL,
            org_number="" if kind == OrganisationKind.INFORMAL_GROUP else numbers.next(country),
            email=f"post@{slugify(name)}.example.org",
            verified=rng.random() < 0.7,
        )
        planned.append((org, [municipality], category))
    assert set(countries) <= {o.country for o, *_ in planned}
    orgs = bulk_create_with_history(
        [o for o, *_ in planned], Organisation, batch_size=BATCH, default_change_reason="demo data"
    )
    through = Organisation.municipalities.through
    through.objects.bulk_create(
        [
            through(organisation_id=org.pk, municipality_id=m.pk)
            for org, (_, ms, _) in zip(orgs, planned, strict=True)
            for m in ms
        ],
        batch_size=BATCH,
    )
    OrganisationCategory.objects.bulk_create(
        [
            OrganisationCategory(organisation_id=org.pk, category=category, rank=1)
            for org, (_, _, category) in zip(orgs, planned, strict=True)
        ],
        batch_size=BATCH,
    )
    local: dict[str, list] = {c: [] for c in countries}
    by_municipality: dict[int, list[Organisation]] = {}
    for org, (_, ms, _) in zip(orgs, planned, strict=True):
        for m in ms:
            by_municipality.setdefault(m.pk, []).append(org)
        local[org.country].append(org)
    return {"by_municipality": by_municipality, "by_country": local}


def _start_date(rng: random.Random, today: datetime.date, recent: bool) -> datetime.date:
    """A start date, more often recent; within the last five years when ``recent``."""
    span = 5 * 365 - 2 if recent else 11 * 365
    return today - datetime.timedelta(days=int(span * rng.random() ** (1.3 if recent else 1.8)))


@transaction.atomic
def seed_demo(
    *,
    partnerships: int = 5_000,
    seed: int = 2017,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    """Fill the database with demo data; reference data must already be loaded."""
    rng = random.Random(seed)
    today = today or datetime.date.today()
    say = progress or (lambda message: None)
    municipalities = list(Municipality.objects.filter(is_current=True).order_by("pk"))
    if not municipalities:
        raise ValueError("No municipalities: run load_reference_data first.")
    by_country: dict[str, list[Municipality]] = {}
    for municipality in municipalities:
        by_country.setdefault(municipality.country, []).append(municipality)

    users = _create_users()
    _profile_municipalities(rng, municipalities)
    organisations = _create_organisations(
        rng, by_country, count=max(60, min(partnerships // 3, 40_000))
    )
    say(f"{sum(len(v) for v in organisations['by_country'].values())} organisations")

    # Each municipality is active in a field with the research's probability; the first
    # partnerships cover those (municipality, field) pairs inside the last five years, so
    # the dashboard's shares come out near the survey's.
    anchors = [
        (m, field)
        for m in municipalities
        for field, share in FIELD_ACTIVITY.items()
        if rng.random() < share
    ]
    # Norway first: it is the country the research figures describe.
    rng.shuffle(anchors)
    anchors.sort(key=lambda pair: pair[0].country != Country.NORWAY)
    active_fields = {}
    for m, field in anchors:
        active_fields.setdefault(m.pk, []).append(field)

    # The demo logins' own partnerships (see _demo_roles) count towards the total.
    bulk_total = max(0, partnerships - DEMO_ROLE_PARTNERSHIPS)
    created = 0
    for chunk_start in range(0, bulk_total, BATCH):
        size = min(BATCH, bulk_total - chunk_start)
        plans = []
        for i in range(chunk_start, chunk_start + size):
            if i < len(anchors):
                municipality, field = anchors[i]
                status = _pick(
                    rng, {Status.ACTIVE: 0.6, Status.COMPLETED: 0.35, Status.DISCONTINUED: 0.05}
                )
                recent = True
            else:
                country = _pick(rng, COUNTRY_WEIGHTS)
                municipality = rng.choice(by_country[country])
                field = rng.choice(active_fields.get(municipality.pk) or [Field.OTHER])
                status = _pick(rng, STATUSES)
                recent = rng.random() < 0.6
            plans.append((municipality, field, status, recent))
        objs = [_partnership(rng, today, *plan) for plan in plans]
        objs = bulk_create_with_history(
            objs, Partnership, batch_size=BATCH, default_change_reason="demo data"
        )
        _links(rng, objs, plans, organisations, by_country, active_fields)
        created += len(objs)
        say(f"{created} of {bulk_total} partnerships")
    created += _demo_roles(today, municipalities)
    return SeedResult(
        organisations=sum(len(v) for v in organisations["by_country"].values()) + 1,
        partnerships=created,
        users=users,
    )


def _partnership(rng, today, municipality, field, status, recent) -> Partnership:
    declared = _pick(rng, DECLARED)
    start = _start_date(rng, today, recent)
    end = None
    if status in (Status.COMPLETED, Status.DISCONTINUED):
        end = min(today, start + datetime.timedelta(days=rng.randint(60, 3 * 365)))
    partnership = Partnership(
        title=f"{rng.choice(TITLES[field])} i {municipality.name.split(' - ')[0]}",
        description="Et samarbeid mellom kommunen og frivillige lag og organisasjoner.",
        co_creation_type=declared,
        goals_control=_pick(rng, CONTROL_GIVEN_DECLARED[declared]),
        involvement_phase=_pick(rng, PHASES),
        initiator=_pick(rng, INITIATORS),
        agreement=_pick(rng, AGREEMENTS),
        status=status,
        start_date=start
        if status in (Status.ACTIVE, Status.COMPLETED, Status.DISCONTINUED) or rng.random() < 0.5
        else None,
        end_date=end,
        municipal_contribution=rng.choice([None, 0, 5_000, 20_000, 50_000, 150_000, 400_000]),
        currency=CURRENCY[municipality.country],
        volunteer_hours=rng.choice([None, rng.randint(10, 5_000)]),
        people_reached=rng.choice([None, rng.randint(5, 2_000)]),
        promoting_factors=rng.sample(PromotingFactor.values, rng.randint(0, 3)),
        hindering_factors=rng.sample(HinderingFactor.values, rng.randint(0, 2)),
    )
    if partnership.start_date is None:
        partnership.end_date = None
    partnership.refresh_derived_type()
    return partnership


def _links(rng, objs, plans, organisations, by_country, active_fields) -> None:
    municipality_links, organisation_links, field_tags, form_tags = [], [], [], []
    for partnership, (municipality, field, _status, _recent) in zip(objs, plans, strict=True):
        members = {municipality.pk}
        if rng.random() < 0.08:  # inter-municipal collaborations
            members.add(rng.choice(by_country[municipality.country]).pk)
        municipality_links += [
            PartnershipMunicipality(partnership_id=partnership.pk, municipality_id=pk)
            for pk in members
        ]
        candidates = (
            organisations["by_municipality"].get(municipality.pk)
            or organisations["by_country"][municipality.country]
        )
        chosen = rng.sample(candidates, min(len(candidates), rng.choice([1, 1, 1, 2, 3])))
        organisation_links += [
            PartnershipOrganisation(
                partnership_id=partnership.pk,
                organisation_id=org.pk,
                role=OrganisationRole.LEAD if i == 0 else OrganisationRole.PARTNER,
            )
            for i, org in enumerate(chosen)
        ]
        fields = {field}
        if rng.random() < 0.35:
            fields.add(rng.choice(active_fields.get(municipality.pk) or [field]))
        field_tags += [PartnershipField(partnership_id=partnership.pk, field=f) for f in fields]
        forms = {f for f, share in FORMS.items() if rng.random() < share} or {
            CollaborationForm.TASK
        }
        form_tags += [PartnershipForm(partnership_id=partnership.pk, form=f) for f in forms]
    for model, rows in (
        (PartnershipMunicipality, municipality_links),
        (PartnershipOrganisation, organisation_links),
        (PartnershipField, field_tags),
        (PartnershipForm, form_tags),
    ):
        model.objects.bulk_create(rows, batch_size=BATCH)


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
