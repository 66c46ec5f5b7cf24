"""The organisation list opens on the user's own country.

The country of a municipality the user coordinates, else of an organisation they represent,
else Norway (``organisations.forms.default_country``) comes first, then the other countries,
each by name. A sort chosen on the page replaces this order; the downloads keep theirs (by
name). On PostgreSQL the first page is read from that country's index
(``Organisation.Meta.indexes``), not sorted from every organisation.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from municipalities.choices import Country
from organisations.models import Organisation, home_country_first
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    coordinator_of,
    representative_of,
)

pytestmark = pytest.mark.django_db

LIST = "/organisations/"
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's indexes and plans"
)

#: Name and country; by name alone the Danish and Swedish ones come first.
ORGANISATIONS = [
    ("Aarhus Roklub", Country.DENMARK),
    ("Tromsø turlag", Country.NORWAY),
    ("Alingsås IF", Country.SWEDEN),
    ("Aalborg Frivilligcenter", Country.DENMARK),
    ("Bergen kor", Country.NORWAY),
    ("Uppsala läxhjälp", Country.SWEDEN),
]
BY_NAME = [
    "Aalborg Frivilligcenter",
    "Aarhus Roklub",
    "Alingsås IF",
    "Bergen kor",
    "Tromsø turlag",
    "Uppsala läxhjälp",
]
NORWAY_FIRST = [
    "Bergen kor",
    "Tromsø turlag",
    "Aalborg Frivilligcenter",
    "Aarhus Roklub",
    "Alingsås IF",
    "Uppsala läxhjälp",
]
DENMARK_FIRST = [
    "Aalborg Frivilligcenter",
    "Aarhus Roklub",
    "Bergen kor",
    "Tromsø turlag",
    "Alingsås IF",
    "Uppsala läxhjälp",
]
SWEDEN_FIRST = [
    "Alingsås IF",
    "Uppsala läxhjälp",
    "Aalborg Frivilligcenter",
    "Aarhus Roklub",
    "Bergen kor",
    "Tromsø turlag",
]
#: Queries of the page signed in: the request's savepoint and its release, session, user,
#: memberships, the user's country (one query: the memberships are read once), the capped
#: count, the header's counts (unread notifications, links and proposals waiting), the
#: filter's municipality choices, the rows and their municipalities. One more than before
#: the home country came first: its look-up.
MAX_QUERIES = 13


@pytest.fixture
def organisations() -> dict[str, Organisation]:
    return {
        name: OrganisationFactory(name=name, country=country) for name, country in ORGANISATIONS
    }


def norwegian_coordinator(organisations):
    return coordinator_of(MunicipalityFactory(country=Country.NORWAY))


def danish_representative(organisations):
    return representative_of(organisations["Aarhus Roklub"])


def swedish_coordinator(organisations):
    return coordinator_of(MunicipalityFactory(country=Country.SWEDEN))


def names_on_page(client, **params) -> list[str]:
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [row.record.name for row in response.context["table"].page.object_list]


def test_anonymous_sees_norway_first(client, organisations):
    assert names_on_page(client) == NORWAY_FIRST


@pytest.mark.parametrize(
    ("make_user", "expected"),
    [
        (norwegian_coordinator, NORWAY_FIRST),
        (danish_representative, DENMARK_FIRST),
        (swedish_coordinator, SWEDEN_FIRST),
    ],
)
def test_signed_in_user_sees_their_own_country_first(client, organisations, make_user, expected):
    client.force_login(make_user(organisations))
    assert names_on_page(client) == expected
    # The first page is the home country's, not the first names of the alphabet.
    assert names_on_page(client, per_page=2) == expected[:2]
    assert names_on_page(client, per_page=2, page=2) == expected[2:4]


def test_the_order_holds_in_the_htmx_results(client, organisations):
    client.force_login(danish_representative(organisations))
    response = client.get(LIST, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    body = response.content.decode()
    positions = [body.index(name) for name in DENMARK_FIRST]
    assert positions == sorted(positions)


def test_a_chosen_sort_replaces_the_home_country_order(client, organisations):
    client.force_login(danish_representative(organisations))
    assert names_on_page(client, sort="name") == BY_NAME
    assert names_on_page(client, sort="-name") == BY_NAME[::-1]
    # No column claims the default order: the headers offer every sort.
    response = client.get(LIST)
    assert not response.context["table"].order_by


def test_filters_keep_the_home_country_order(client, organisations):
    OrganisationFactory(name="Aabenraa kor", country=Country.DENMARK, verified=True)
    OrganisationFactory(name="Bodø kor", country=Country.NORWAY, verified=True)
    assert names_on_page(client, q="kor") == ["Bergen kor", "Bodø kor", "Aabenraa kor"]
    assert names_on_page(client, verified="true") == ["Bodø kor", "Aabenraa kor"]


def test_downloads_keep_their_order_by_name(client, organisations):
    client.force_login(danish_representative(organisations))
    response = client.get(LIST, {"_export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content if response.streaming else [response.content])
    text = content.decode()
    positions = [text.index(name) for name in BY_NAME]
    assert positions == sorted(positions)


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


def test_query_count_is_bounded_and_does_not_grow_with_the_rows(
    client, organisations, django_assert_max_num_queries
):
    client.force_login(danish_representative(organisations))
    with django_assert_max_num_queries(MAX_QUERIES):
        few = _page_queries(client)
    for n in range(30):
        OrganisationFactory(name=f"Forening {n}", country=Country.DENMARK).municipalities.set(
            [MunicipalityFactory(country=Country.DENMARK)]
        )
    with django_assert_max_num_queries(MAX_QUERIES):
        many = _page_queries(client)
    assert many == few


def test_each_country_has_an_index_on_the_pages_order():
    """The index PostgreSQL reads the first page from is on the very expression the page
    orders by (``home_country_first``), then country, name and id."""
    indexes = {index.name: index for index in Organisation._meta.indexes}
    for country in Country.values:
        index = indexes[f"organisation_home_{country.lower()}"]
        first, *rest = index.expressions
        assert first == home_country_first(country)
        assert [expression.name for expression in rest] == ["country", "name", "id"]


@ON_POSTGRESQL
@pytest.mark.parametrize(
    ("make_user", "index"),
    [
        (lambda organisations: None, "organisation_home_no"),
        (danish_representative, "organisation_home_dk"),
        (swedish_coordinator, "organisation_home_se"),
    ],
)
def test_the_first_page_is_read_from_the_home_countrys_index(
    client, organisations, make_user, index
):
    """The query the page sends (its literal SQL) is planned as a scan of the home country's
    index with no sort: the ORDER BY expression is the index's."""
    user = make_user(organisations)
    if user is not None:
        client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    rows_query = [
        query["sql"]
        for query in queries
        if query["sql"].startswith('SELECT "organisations_organisation"."id", ')
        and " ORDER BY CASE WHEN " in query["sql"]
    ]
    assert len(rows_query) == 1, [query["sql"] for query in queries]
    with connection.cursor() as cursor:
        # On a handful of rows a sequential scan would win; a sort is all that is left
        # without the index (enable_sort only makes it dear), so the plan shows which.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {rows_query[0]}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Scan using {index} " in plan and "Sort" not in plan, plan
