"""The statistics stay exact with consent for links (issue 7).

A data set is built here, independently of the other statistics tests, from a seeded
random generator. Links awaiting confirmation, and declined ones, are then added to a
second municipality (and organisations): every statistics endpoint, the municipality
dashboard and the public counts answer exactly as without those links. Once confirmed,
they count: the target's numbers match a count made in Python.
"""

import datetime
import random

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dashboards.sections import MUNICIPALITY_FIGURES
from partnerships import services
from partnerships.choices import (
    ESTABLISHED_STATUSES,
    CollaborationForm,
    Field,
    LinkState,
    Status,
)
from partnerships.models import Partnership, PartnershipMunicipality, PartnershipOrganisation
from registry.municipality_pages import municipality_list
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    coordinator_of,
    representative_of,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "stats-fields",
    "stats-co-creation",
    "stats-initiators",
    "stats-agreements",
    "stats-forms",
    "stats-trend",
]
STATUSES = [Status.ACTIVE, Status.COMPLETED, Status.DISCONTINUED, Status.UNDER_REVIEW,
            Status.DECLINED]  # fmt: skip


class Data:
    """Two counties, five municipalities, eight organisations, 40 partnerships."""

    def __init__(self, seed: int = 7):
        rng = random.Random(seed)
        self.north, self.south = CountyFactory(code="N01"), CountyFactory(code="S01")
        self.home = MunicipalityFactory(county=self.north)
        self.target = MunicipalityFactory(county=self.south)  # gets the links to confirm
        others = [MunicipalityFactory(county=rng.choice([self.north, self.south]))
                  for _ in range(3)]  # fmt: skip
        self.municipalities = [self.home, self.target, *others]
        self.organisations = [OrganisationFactory() for _ in range(8)]
        self.partnerships = []
        for i in range(40):
            status = rng.choice(STATUSES)
            start = datetime.date(rng.randint(2019, 2025), rng.randint(1, 12), 1)
            municipalities = rng.sample(self.municipalities, rng.randint(1, 2))
            if i % 3 == 0 and self.target not in municipalities:
                municipalities.append(self.target)  # confirmed links to the target too
            chosen = rng.sample(self.organisations, rng.randint(1, 2))
            self.partnerships.append(
                PartnershipFactory(
                    status=status,
                    start_date=start,
                    end_date=None
                    if status in (Status.ACTIVE, Status.UNDER_REVIEW, Status.DECLINED)
                    else start + datetime.timedelta(days=400),
                    co_creation_type=rng.choice(["equal", "municipality_led", "organisation_led"]),
                    goals_control=rng.choice(["municipality", "shared", "organisation"]),
                    involvement_phase=rng.choice(["problem_definition", "design", "evaluation"]),
                    initiator=rng.choice(["municipality", "local_civic", "volunteers"]),
                    agreement=rng.choice(["none", "written", "partnership_agreement"]),
                    links__municipalities=municipalities,
                    links__organisations={
                        org: "lead" if j == 0 else "partner" for j, org in enumerate(chosen)
                    },
                    links__fields=rng.sample(Field.values, rng.randint(1, 3)),
                    links__forms=rng.sample(CollaborationForm.values, rng.randint(0, 2)),
                )
            )


def snapshot(data: Data) -> dict:
    """Everything public that counts partnerships, for every scope touching the target."""
    api = APIClient()
    scopes = [
        {},
        {"country": data.target.country},
        {"county": data.north.pk},
        {"county": data.south.pk},
        {"municipality": data.target.pk},
        {"municipality": data.home.pk},
    ]
    result = {}
    for name in ENDPOINTS:
        for scope in scopes:
            params = {**scope, "as_of": "2026-01-01"} if name == "stats-fields" else scope
            response = api.get(reverse(name), params)
            assert response.status_code == 200, response.content
            result[(name, tuple(scope.items()))] = response.json()
    for denominator in ("reporting", "all"):
        response = api.get(
            reverse("stats-fields"), {"denominator": denominator, "as_of": "2026-01-01"}
        )
        result[("fields", denominator)] = response.json()
    result["counties"] = api.get(reverse("stats-counties"), {"as_of": "2026-01-01"}).json()
    for municipality in (data.target, data.home):
        for chart in MUNICIPALITY_FIGURES:
            url = reverse("dashboard-municipality-csv", args=[municipality.pk, chart])
            response = api.get(url)
            assert response.status_code == 200
            result[("dashboard", municipality.pk, chart)] = response.content.decode()
        result[("list-count", municipality.pk)] = (
            municipality_list().get(pk=municipality.pk).established_partnership_count
        )
    result["front page"] = [
        api.get(reverse("home")).context[name] for name in ("reporting_count", "partnership_count")
    ]
    return result


def _count_for_target(data: Data) -> int:
    """Established partnerships with a confirmed link to the target, counted in Python."""
    return sum(
        1
        for partnership in Partnership.objects.prefetch_related("municipality_links")
        if partnership.status in ESTABLISHED_STATUSES
        and any(
            link.municipality_id == data.target.pk and link.state == LinkState.CONFIRMED
            for link in partnership.municipality_links.all()
        )
    )


def test_pending_and_declined_links_change_no_statistic_and_confirmed_ones_count():
    data = Data()
    before = snapshot(data)
    target_coordinator = coordinator_of(data.target)
    home_coordinator = coordinator_of(data.home)
    represented = OrganisationFactory()
    representative_of(represented)

    # The home coordinator names the target municipality (and a represented organisation)
    # on the home municipality's established partnerships that do not have it yet.
    asked = []
    for partnership in Partnership.objects.filter(
        status__in=ESTABLISHED_STATUSES, municipality_links__municipality=data.home
    ).exclude(municipality_links__municipality=data.target):
        organisations = {
            link.organisation: link.role for link in partnership.organisation_links.all()
        }
        services.partnership_update(
            partnership=partnership,
            user=home_coordinator,
            data={
                "municipalities": [
                    *(link.municipality for link in partnership.municipality_links.all()),
                    data.target,
                ],
                "organisations": {**organisations, represented: "supporter"},
            },
        )
        asked.append(partnership)
    assert len(asked) >= 3
    pending = PartnershipMunicipality.objects.filter(
        municipality=data.target, state=LinkState.PENDING
    )
    assert pending.count() == len(asked)
    assert PartnershipOrganisation.objects.filter(
        organisation=represented, state=LinkState.PENDING
    ).count() == len(asked)
    # One of them is declined by the target's coordinator: still nothing changes.
    services.link_decline(partnership=asked[0], user=target_coordinator, municipality=data.target)

    assert snapshot(data) == before

    # Confirmed, they count exactly like the links confirmed from the start.
    for partnership in asked[1:]:
        services.link_confirm(
            partnership=partnership, user=target_coordinator, municipality=data.target
        )
    after = snapshot(data)
    assert after != before
    headline_count = _count_for_target(data)
    assert headline_count == len(asked) - 1 + sum(
        1
        for p in data.partnerships
        if p.status in ESTABLISHED_STATUSES
        and data.target.pk in {m.pk for m in p.municipalities.all()}
        and p not in asked
    )
    co_creation = after[("stats-co-creation", (("municipality", data.target.pk),))]
    assert co_creation["total"] == headline_count
