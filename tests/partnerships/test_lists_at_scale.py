"""The lists at any depth: what keeps them fast at a million partnerships, and correct.

- The API's cursor names the last row of a page (its ordering value and its id): walking
  the pages, either way, reads every row exactly once and in order, whatever the ordering,
  with repeated values and missing start dates (``registry.keyset``).
- The list pages count up to a cap ("more than 10,000 matches") and page no deeper than
  it, with a hint to narrow the filters (``registry.paginators``); every sort ends with the
  id, so a row never shows on two pages.
- The partnership list's filter form lists no municipality nor organisation: a filter by
  id is a hidden field shown as a removable notice; the pages stay small.
- The search finds what it found before (a case-insensitive substring of the title or the
  description), through trigram indexes on PostgreSQL; every ordering has its index.
"""

import base64
import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from municipalities.models import Municipality
from organisations.choices import OrganisationKind
from organisations.models import Organisation
from partnerships.api.views import PartnershipViewSet
from partnerships.choices import ESTABLISHED_STATUSES, Status
from partnerships.filtersets import PartnershipFilterSet
from partnerships.models import Partnership
from registry import keyset, paginators
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
    norwegian_org_number,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/partnerships/"
LIST = "/partnerships/"
ON_POSTGRESQL = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's indexes and plans"
)

#: Title, start date, status: repeated titles and dates, and proposals without a date.
ROWS = [
    ("Beta", datetime.date(2024, 1, 1), Status.ACTIVE),
    ("Alpha", datetime.date(2024, 1, 1), Status.ACTIVE),
    ("Beta", datetime.date(2023, 6, 1), Status.COMPLETED),
    ("Alpha", None, Status.UNDER_REVIEW),
    ("Gamma", None, Status.DRAFT),
    ("Beta", datetime.date(2024, 1, 1), Status.ACTIVE),
    ("Alpha", datetime.date(2022, 1, 1), Status.DISCONTINUED),
    ("Gamma", None, Status.CHANGES_REQUESTED),
    ("Beta", None, Status.UNDER_REVIEW),
    ("Delta", datetime.date(2024, 1, 1), Status.ACTIVE),
    ("Alpha", datetime.date(2025, 5, 5), Status.ACTIVE),
]


def make_rows() -> list[Partnership]:
    municipality, organisation = MunicipalityFactory(), OrganisationFactory()
    made = [
        PartnershipFactory(
            title=title,
            start_date=start,
            status=status,
            links__municipalities=[municipality],
            links__organisations={organisation: "lead"},
        )
        for title, start, status in ROWS
    ]
    # Rows imported together share their creation time.
    now = timezone.now()
    Partnership.objects.filter(pk__in=[p.pk for p in made[:4]]).update(created_at=now)
    Partnership.objects.filter(pk__in=[made[5].pk, made[8].pk]).update(
        created_at=now - datetime.timedelta(days=1)
    )
    return list(Partnership.objects.all())


def in_order(rows, field: str, descending: bool) -> list[int]:
    """The ids in the order the registry promises: by ``field``, then id, the rows without
    a value last in both directions."""
    dated = [row for row in rows if getattr(row, field) is not None]
    undated = [row for row in rows if getattr(row, field) is None]
    dated.sort(key=lambda row: (getattr(row, field), row.pk), reverse=descending)
    undated.sort(key=lambda row: row.pk, reverse=descending)
    return [row.pk for row in dated + undated]


@pytest.fixture
def admin_api(api_client):
    """An administrator sees proposals and drafts too: the rows without a start date."""
    api_client.force_authenticate(UserFactory(is_superuser=True))
    return api_client


# --- the API's cursor --------------------------------------------------------------------------


def walk_forward(client, url: str, params: dict) -> tuple[list[list[int]], dict]:
    body = client.get(url, params).json()
    pages = [[row["id"] for row in body["results"]]]
    while body["next"]:
        assert len(pages) < 50, "the pages never end"
        response = client.get(body["next"])
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
    return pages, body


def walk_back(client, last: dict) -> list[list[int]]:
    body, pages = last, []
    while body["previous"]:
        assert len(pages) < 50, "the pages never end"
        response = client.get(body["previous"])
        assert response.status_code == 200, response.content
        body = response.json()
        pages.insert(0, [row["id"] for row in body["results"]])
    return pages


@pytest.mark.parametrize("page_size", [1, 3])
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("field", PartnershipViewSet.ordering_fields)
def test_the_cursor_reads_every_row_once_in_order(admin_api, field, descending, page_size):
    rows = make_rows()
    ordering = f"-{field}" if descending else field
    pages, last = walk_forward(admin_api, API, {"ordering": ordering, "page_size": page_size})

    expected = in_order(rows, field, descending)
    assert [pk for page in pages for pk in page] == expected
    assert all(len(page) == page_size for page in pages[:-1])
    # Back from the last page through the "previous" links: the same pages.
    back = walk_back(admin_api, last)
    assert [*back, pages[-1]] == pages


def test_the_cursor_crosses_from_dated_to_undated_rows(admin_api):
    """The boundary that lost rows before: ascending, the dated rows end mid-page and the
    undated ones follow on the same page."""
    rows = make_rows()
    dated = sum(1 for row in rows if row.start_date)
    body = admin_api.get(API, {"ordering": "start_date", "page_size": dated - 1}).json()
    body = admin_api.get(body["next"].replace(f"page_size={dated - 1}", "page_size=3")).json()
    undated_first = [row["start_date"] for row in body["results"]]
    assert undated_first[0] is not None and undated_first[1:] == [None, None]


def test_a_cursor_of_another_ordering_is_refused(admin_api):
    make_rows()
    body = admin_api.get(API, {"ordering": "title", "page_size": 2}).json()
    cursor = re.search(r"cursor=([^&]+)", body["next"]).group(1)
    response = admin_api.get(f"{API}?ordering=start_date&cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def encoded(data) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


@pytest.mark.parametrize(
    ("ordering", "cursor"),
    [
        ("-id", {"o": "-id", "p": [10**30]}),  # beyond the column's range
        ("-id", {"o": "-id", "p": ["x"]}),
        ("-id", {"o": "-id", "p": [None]}),  # an id is never missing
        ("-id", {"o": "-id", "p": [1, 2]}),
        ("-id", {"o": "-id", "r": 2}),
        ("-id", ["o", "-id"]),
        ("start_date", {"o": "start_date", "p": ["2024-13-45", 1]}),
        ("title", {"o": "title", "p": ["x" * 201, 1]}),  # longer than a title can be
        ("title", {"o": "title", "p": [["a"], 1]}),
    ],
)
def test_a_tampered_cursor_answers_400_not_500(api_client, ordering, cursor):
    PartnershipFactory()
    response = api_client.get(API, {"ordering": ordering, "cursor": encoded(cursor)})
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["errors"]


def test_a_cursor_at_an_undated_row_is_valid(admin_api):
    rows = make_rows()
    undated = max(row.pk for row in rows if row.start_date is None)
    cursor = encoded({"o": "start_date", "p": [None, undated - 1]})
    response = admin_api.get(API, {"ordering": "start_date", "cursor": cursor})
    assert [row["id"] for row in response.json()["results"]] == [undated]


def test_anonymous_readers_walk_the_established_rows(api_client):
    rows = [row for row in make_rows() if row.status in ESTABLISHED_STATUSES]
    pages, _ = walk_forward(api_client, API, {"ordering": "-start_date", "page_size": 2})
    assert [pk for page in pages for pk in page] == in_order(rows, "start_date", True)


@pytest.mark.parametrize("ordering", ["name", "-name", "created_at", "-created_at"])
def test_the_organisation_cursor_is_stable_with_repeated_names(api_client, ordering):
    made = [OrganisationFactory(name=name) for name in ["Kor", "Idrettslag", "Kor", "Kor"]]
    Organisation.objects.filter(pk__in=[o.pk for o in made[1:3]]).update(
        created_at=made[0].created_at
    )
    pages, last = walk_forward(
        api_client, "/api/v1/organisations/", {"ordering": ordering, "page_size": 1}
    )
    field = ordering.lstrip("-")
    expected = in_order(Organisation.objects.all(), field, ordering.startswith("-"))
    assert [pk for page in pages for pk in page] == expected
    assert [*walk_back(api_client, last), pages[-1]] == pages


# --- the list pages: sorting, counting, paging ---------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True))
    return client


def page_ids(response) -> list[int]:
    return [row.record.pk for row in response.context["table"].paginated_rows]


@pytest.mark.parametrize(
    ("sort", "field"),
    [
        ("title", "title"),
        ("-title", "title"),
        ("start_date", "start_date"),
        ("-start_date", "start_date"),
        ("status", "status"),
        ("-status", "status"),
        ("", "start_date"),  # the list's own order: newest first
    ],
)
@pytest.mark.parametrize("deferred", [False, True], ids=["offset", "ids-first"])
def test_the_list_pages_show_every_row_once_in_order(
    admin_client, monkeypatch, sort, field, deferred
):
    """Shallow pages read their rows with one ``OFFSET``; deep ones (here: every page)
    their ids first, then the rows. Both walk the same rows in the same order."""
    monkeypatch.setattr(paginators, "DEFERRED_FROM", 0 if deferred else 10**9)
    rows = make_rows()
    seen = []
    for number in range(1, 8):
        params = {"sort": sort} if sort else {}
        response = admin_client.get(LIST, {**params, "per_page": 2, "page": number})
        seen += page_ids(response)
        if not response.context["table"].page.has_next():
            break
    descending = sort.startswith("-") or not sort
    assert seen == in_order(rows, field, descending)


@pytest.mark.parametrize(
    ("url", "sort", "field"),
    [
        ("/organisations/", "kind", "kind"),
        ("/organisations/", "-verified", "verified"),
        ("/organisations/", "", "name"),
        ("/municipalities/", "country", "country"),
        ("/municipalities/", "-name", "name"),
    ],
)
def test_the_other_lists_sort_with_the_id_breaking_ties(client, url, sort, field):
    """Rows with one value (all of one kind, one country, one name) keep one place each."""
    for _ in range(2):
        OrganisationFactory(name="Kor", kind=OrganisationKind.ASSOCIATION)
        OrganisationFactory(name="Kor", kind=OrganisationKind.ASSOCIATION, verified=True)
        MunicipalityFactory(name="Våler")
        MunicipalityFactory()
    model = Organisation if url == "/organisations/" else Municipality
    seen = []
    for number in range(1, 10):
        params = {"sort": sort} if sort else {}
        response = client.get(url, {**params, "per_page": 2, "page": number})
        seen += page_ids(response)
        if not response.context["table"].page.has_next():
            break
    assert seen == in_order(model.objects.all(), field, sort.startswith("-"))


@pytest.fixture
def cap_of_five(monkeypatch):
    """The lists count and page up to 5 rows instead of 10,000."""
    monkeypatch.setattr(paginators, "COUNT_CAP", 5)


def test_the_count_is_exact_up_to_the_cap(client, cap_of_five):
    PartnershipFactory.create_batch(5)
    html = client.get(LIST).content.decode()
    assert "5 matches" in html and "More than" not in html


def test_beyond_the_cap_the_list_says_more_than(client, cap_of_five):
    PartnershipFactory.create_batch(6)
    response = client.get(LIST)
    html = response.content.decode()
    assert "More than 5 matches" in html and "6 matches" not in html
    assert response.context["table"].paginator.count == 5


def test_the_default_cap_is_ten_thousand():
    paginator = paginators.CappedPaginator(list(range(10_050)), 25)
    assert (paginator.count, paginator.more, paginator.num_pages) == (10_000, True, 400)
    assert paginators.COUNT_CAP == 10_000


def test_the_pages_stop_at_the_cap_with_a_hint_to_filter(client, cap_of_five):
    PartnershipFactory.create_batch(7)
    order = list(Partnership.objects.order_by("-start_date", "-id").values_list("pk", flat=True))
    second = client.get(LIST, {"per_page": 2, "page": 2})
    assert 'rel="next"' in second.content.decode()
    assert "Narrow the filters" not in second.content.decode()

    last = client.get(LIST, {"per_page": 2, "page": 3})
    html = last.content.decode()
    assert page_ids(last) == order[4:5]  # the fifth row, the cap's: no deeper
    assert 'rel="next"' not in html
    assert "The pages show the first 5 matches only. Narrow the filters" in html

    beyond = client.get(LIST, {"per_page": 2, "page": 300})
    assert beyond.status_code == 200
    assert page_ids(beyond) == order[4:5]
    assert "Narrow the filters" in beyond.content.decode()


@pytest.mark.parametrize("url", [LIST, "/organisations/", "/municipalities/"])
def test_no_list_counts_more_than_the_cap(client, url, cap_of_five):
    PartnershipFactory.create_batch(7)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"].upper()]
    assert counts, "the list says how many rows match"
    for sql in counts:
        assert re.search(r"LIMIT 6\b", sql), sql


# --- the filter form ----------------------------------------------------------------------------


def filter_form(html: str) -> str:
    start = html.index('class="filters"')
    return html[start : html.index("</form>", start)]


def test_the_filter_form_lists_no_municipality_nor_organisation(client):
    oslo = MunicipalityFactory(name="Oslo")
    PartnershipFactory(links__municipalities=[oslo])
    html = client.get(LIST).content.decode()
    form = filter_form(html)
    assert "<select" in form  # country and county
    assert not re.search(r'<select[^>]+name="(municipality|organisation)"', form)
    assert "Oslo" not in form
    assert 'name="county"' in form and 'name="country"' in form


def test_a_filter_by_id_is_kept_and_named_with_a_way_to_remove_it(client):
    oslo, bergen = MunicipalityFactory(name="Oslo"), MunicipalityFactory(name="Bergen")
    in_oslo = PartnershipFactory(title="Leksehjelp", links__municipalities=[oslo])
    PartnershipFactory(title="Turlag", links__municipalities=[bergen])
    response = client.get(LIST, {"municipality": oslo.pk, "status": "active", "page": 1})
    assert page_ids(response) == [in_oslo.pk]
    html = response.content.decode()
    form = filter_form(html)
    assert f'<input type="hidden" name="municipality" value="{oslo.pk}"' in form
    assert "<strong>Municipality:</strong> Oslo" in form
    assert 'href="/partnerships/?status=active"' in form  # the same list without it


def test_an_unknown_id_in_a_filter_says_so(client):
    response = client.get(LIST, {"organisation": 999_999})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Organisation:</strong> 999999" in html
    assert "Select a valid choice" in html


def test_the_list_pages_stay_small_with_many_municipalities_and_organisations(client):
    county = CountyFactory()
    Municipality.objects.bulk_create(
        Municipality(
            country="NO", code=f"Y{n:04d}", name=f"Kommunen med et langt navn {n}", county=county
        )
        for n in range(900)
    )
    Organisation.objects.bulk_create(
        Organisation(
            name=f"Den frivillige organisasjonen med et langt navn {n}",
            country="NO",
            org_number=norwegian_org_number(500_000 + n),
            kind=OrganisationKind.ASSOCIATION,
        )
        for n in range(3000)
    )
    PartnershipFactory.create_batch(30)
    for url in (LIST, f"{LIST}?per_page=100", "/organisations/", "/municipalities/"):
        response = client.get(url)
        assert response.status_code == 200
        assert len(response.content) < 150 * 1024, (url, len(response.content))


# --- the search ---------------------------------------------------------------------------------

SEARCHED = [
    ("Leksehjelp i Oslo", ""),
    ("Turgruppe", "Vi går tur, med LEKSEHJELP etterpå."),
    ("Kor for alle", "100% frivillig"),
    ("Kor_2", "Korpset øver på skolen"),
    ("Fotball", "Trening for jenter"),
]


@pytest.mark.parametrize(
    "words", ["leksehjelp", "LEKSE", "tur", "100%", "_", "kor", "  øver  ", "zzzznotfound", "r f"]
)
def test_the_search_finds_a_substring_of_title_or_description_in_any_case(admin_api, words):
    for title, description in SEARCHED:
        PartnershipFactory(title=title, description=description)
    found = {row["title"] for row in admin_api.get(API, {"q": words}).json()["results"]}
    wanted = words.strip().lower()
    assert found == {
        title
        for title, description in SEARCHED
        if wanted in title.lower() or wanted in description.lower()
    }


# --- the indexes --------------------------------------------------------------------------------

#: The indexes of each ordering (migration 0005): the id breaks ties in all of them.
ORDERING_INDEXES = {
    "id": ("partnerships_partnership_pkey",),
    "start_date": ("partnership_start_id", "partnership_start_desc_id"),
    "title": ("partnership_title_id",),
    "created_at": ("partnership_created_id",),
    "status": ("partnership_status_id",),
    "co_creation_type": ("partnership_declared_id",),
    "derived_co_creation_type": ("partnership_derived_id",),
}
#: Indexes SQLite cannot have: NULLS LAST in an index, trigram GIN indexes.
POSTGRESQL_INDEXES = {
    "partnership_start_desc_id",
    "partnership_public_start_desc_id",
    "partnership_title_trgm",
    "partnership_description_trgm",
}


def index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def test_the_migration_made_an_index_per_ordering():
    names = index_names("partnerships_partnership")
    made = {name for group in ORDERING_INDEXES.values() for name in group} - {
        "partnerships_partnership_pkey"  # SQLite names its primary key otherwise
    }
    assert made - names <= POSTGRESQL_INDEXES
    assert POSTGRESQL_INDEXES.issubset(names) is (connection.vendor == "postgresql")
    assert {"organisation_name_id", "organisation_created_id"} <= index_names(
        "organisations_organisation"
    )


def explain(queryset) -> str:
    with connection.cursor() as cursor:
        # A handful of test rows: a sequential scan and a sort would always win, but the
        # question is whether an index can serve the query at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
    return queryset.explain()


@ON_POSTGRESQL
def test_the_search_reads_the_trigram_indexes():
    PartnershipFactory.create_batch(3)
    searched = PartnershipFilterSet({"q": "leksehjelp"}, queryset=Partnership.objects.all()).qs
    plan = explain(searched.order_by())  # the rows found, whatever their order
    assert "partnership_title_trgm" in plan and "partnership_description_trgm" in plan, plan


@ON_POSTGRESQL
@pytest.mark.parametrize("backwards", [False, True], ids=["next", "previous"])
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("field", list(ORDERING_INDEXES))
def test_every_page_of_an_ordering_is_one_index_range(field, descending, backwards):
    """The first page (also the list pages' OFFSET query) and the pages after a dated and
    an undated row, walking forwards and backwards: an index read in order, no sort."""
    rows = make_rows()
    keys = keyset.keys_for(Partnership, [f"-{field}" if descending else field])
    if backwards:
        keys = [key.reversed() for key in keys]
    places = [None, *[row for row in rows if row.start_date][3:4]]
    if field == "start_date":
        places += [row for row in rows if row.start_date is None][1:2]
    for place in places:
        position = place and tuple(key.value_of(place) for key in keys)
        for part in keyset.rows_after(Partnership.objects.all(), keys, position):
            plan = explain(part[:50])
            assert "Sort" not in plan and any(i in plan for i in ORDERING_INDEXES[field]), plan


@ON_POSTGRESQL
def test_a_deep_public_page_reads_its_ids_from_the_public_index(client, monkeypatch):
    """A deep page of the public list (page 400 is 10,000 rows deep): its ids come from
    the established partnerships' own index alone, then 2 rows are read."""
    monkeypatch.setattr(paginators, "DEFERRED_FROM", 0)
    make_rows()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"per_page": 2, "page": 2})
    assert response.status_code == 200
    ids_first = [
        query["sql"]
        for query in queries
        if re.match(
            r'SELECT "partnerships_partnership"\."id"( AS "pk")? FROM .* LIMIT', query["sql"]
        )
    ]
    assert len(ids_first) == 1, [query["sql"] for query in queries]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {ids_first[0]}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using partnership_public_start_desc_id" in plan, plan
