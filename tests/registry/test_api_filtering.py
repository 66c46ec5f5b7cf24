"""``registry.api.filtering.FilterBackend``: no filter set is built for a list whose query
string names no filter, and every filter still applies when named (in full or by a part)."""

import datetime

import django_filters
import pytest
from rest_framework.test import APIClient

from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/partnerships/"


@pytest.fixture
def built(monkeypatch):
    """How many filter sets the requests built."""
    count = {"n": 0}
    original = django_filters.FilterSet.__init__

    def counting(self, *args, **kwargs):
        count["n"] += 1
        original(self, *args, **kwargs)

    monkeypatch.setattr(django_filters.FilterSet, "__init__", counting)
    return count


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_no_filter_named_builds_no_filter_set(built):
    partnerships = PartnershipFactory.create_batch(3)
    client = APIClient()
    assert ids(client.get(URL)) == {p.pk for p in partnerships}
    assert ids(client.get(URL, {"ordering": "title"})) == {p.pk for p in partnerships}
    assert built["n"] == 0


def test_a_named_filter_still_filters(built):
    culture = PartnershipFactory(links__fields=["culture"])
    PartnershipFactory(links__fields=["sport"])
    assert ids(APIClient().get(URL, {"field": "culture"})) == {culture.pk}
    assert built["n"] > 0


def test_a_filter_named_by_a_part_still_filters():
    today = datetime.date.today()
    old = PartnershipFactory(start_date=today - datetime.timedelta(days=800))
    new = PartnershipFactory(start_date=today - datetime.timedelta(days=10))
    after = (today - datetime.timedelta(days=100)).isoformat()
    assert ids(APIClient().get(URL, {"start_date_after": after})) == {new.pk}
    assert old.pk not in ids(APIClient().get(URL, {"start_date_after": after}))


def test_an_invalid_filter_is_still_refused():
    response = APIClient().get(URL, {"field": "not-a-field"})
    assert response.status_code == 400
