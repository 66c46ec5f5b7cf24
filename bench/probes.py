"""The requests measured in process, each with what a right answer looks like.

The catalogue is read from the code where it can be, so that it follows the code: the stats
endpoints from ``dashboards.api.urls``, the API's orderings from the viewset's
``ordering_fields``, the HTML list's sorts from its table's orderable columns.

Groups (the targets of ``bench.report`` are per group): ``stats``, ``dashboard``, ``api``
(the partnership list: first page, filters, search, orderings), ``html-list`` (the
partnership list page, its sorts and a deep page), ``html-page`` (the other list pages) and
``front``.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

ANONYMOUS = "anonymous"
ANALYST = "analyst"
NOT_FOUND_WORD = "zzzznotfound"
DEFAULT_WORD = "leksehjelp"
DEEP_PAGE = 2000
# Paths as they are (URL names are not unique across the pages and the API).
STATS = "/api/v1/stats/"
API_LIST = "/api/v1/partnerships/"
HTML_LIST = "/partnerships/"

Check = Callable[[object], list[str]]


@dataclass
class Probe:
    name: str
    group: str
    url: str
    client: str = ANONYMOUS
    html: bool = False
    checks: list[Check] = field(default_factory=list)
    urlconf: str | None = None

    def problems(self, response) -> list[str]:
        if response.status_code != 200:
            return [f"HTTP {response.status_code}"]
        found = []
        for check in self.checks:
            try:
                found += check(response)
            except Exception as error:  # a malformed answer is a finding, not a crash
                found.append(f"{check.__name__}: {type(error).__name__}: {error}")
        return found


def _results(response) -> list[dict]:
    return json.loads(response.bench_body)["results"]


# --- checks ---------------------------------------------------------------------------------


def json_body(response) -> list[str]:
    json.loads(response.bench_body)
    return []


def _positive_numbers(value) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return int(value > 0)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return sum(_positive_numbers(item) for item in value)
    return 0


def counts_something(response) -> list[str]:
    """A statistic over a country with partnerships counts some of them."""
    return [] if _positive_numbers(json.loads(response.bench_body)) else ["every count is 0"]


def some_results(response) -> list[str]:
    return [] if _results(response) else ["no results"]


def no_results(response) -> list[str]:
    results = _results(response)
    return [f"{len(results)} results, expected none"] if results else []


def all_in_field(value: str) -> Check:
    def in_field(response):
        wrong = [r["id"] for r in _results(response) if value not in r["fields"]]
        return [f"not in field {value}: {wrong[:5]}"] if wrong else []

    return in_field


def all_in_municipalities(ids: set[int], label: str) -> Check:
    def in_country(response):
        wrong = [r["id"] for r in _results(response) if not ids & set(r["municipalities"])]
        return [f"not in {label}: {wrong[:5]}"] if wrong else []

    return in_country


def all_contain(word: str) -> Check:
    def contain(response):
        wrong = [
            r["id"]
            for r in _results(response)
            if word.casefold() not in f"{r['title']} {r['description']}".casefold()
        ]
        return [f"without “{word}”: {wrong[:5]}"] if wrong else []

    return contain


def sorted_by(name: str, descending: bool) -> Check:
    def in_order(response):
        values = [r[name] for r in _results(response) if r[name] is not None]
        expected = sorted(values, reverse=descending)
        return [] if values == expected else [f"not sorted by {'-' * descending}{name}"]

    return in_order


def after(first_page: list[dict], name: str) -> Check:
    """A second page: none of the first page's rows, and it carries on where that ended."""

    def continues(response):
        results = _results(response)
        problems = []
        if {r["id"] for r in results} & {r["id"] for r in first_page}:
            problems.append("repeats rows of the first page")
        if results and first_page and results[0][name] < first_page[-1][name]:
            problems.append(f"starts before the first page's last {name}")
        return problems + sorted_by(name, False)(response)

    return continues


def html_table(response) -> list[str]:
    body = response.bench_body.decode()
    return [] if "<table" in body else ["no table on the page"]


# --- the catalogue --------------------------------------------------------------------------


@dataclass
class World:
    """What the catalogue needs from the database."""

    municipality_id: int
    municipality_name: str
    norwegian_municipality_ids: set[int]
    search_word: str


def world(search_word: str = DEFAULT_WORD) -> World:
    from municipalities.models import Municipality

    norwegian = Municipality.objects.filter(country="NO")
    # Oslo, the demo's own municipality; else any Norwegian one.
    municipality = norwegian.filter(code="0301").first() or norwegian.order_by("pk").first()
    return World(
        municipality_id=municipality.pk,
        municipality_name=municipality.name,
        norwegian_municipality_ids=set(norwegian.values_list("pk", flat=True)),
        search_word=search_word,
    )


def stats_probes() -> list[Probe]:
    from dashboards.api import urls

    probes = []
    for pattern in urls.urlpatterns:
        query = {"country": "NO"}
        if pattern.name == "stats-fields":
            query["years"] = 5
        url = f"{STATS}{pattern.pattern}?{urlencode(query)}"
        name = pattern.name.replace("-", " ")
        probes.append(Probe(name, "stats", url, checks=[json_body, counts_something]))
    return probes


def dashboard_probes(w: World) -> list[Probe]:
    return [
        Probe("dashboard, national (NO)", "dashboard", "/dashboard/", html=True),
        Probe(
            f"dashboard, municipality ({w.municipality_name})",
            "dashboard",
            f"/dashboard/municipality/{w.municipality_id}/",
            html=True,
        ),
    ]


def api_orderings() -> list[str]:
    from partnerships.api.views import PartnershipViewSet

    return list(PartnershipViewSet.ordering_fields)


def api_probes(w: World) -> list[Probe]:
    from partnerships.choices import Field

    base = API_LIST
    culture = Field.CULTURE.value
    probes = [
        Probe("api list, first page", "api", base, checks=[some_results]),
        Probe("api list, first page (analyst)", "api", base, ANALYST, checks=[some_results]),
        Probe(
            f"api list, field={culture}",
            "api",
            f"{base}?field={culture}",
            checks=[some_results, all_in_field(culture)],
        ),
        Probe(
            "api list, country=NO",
            "api",
            f"{base}?country=NO",
            checks=[some_results, all_in_municipalities(w.norwegian_municipality_ids, "NO")],
        ),
        Probe(
            f"api list, field={culture}&country=NO",
            "api",
            f"{base}?field={culture}&country=NO",
            checks=[
                some_results,
                all_in_field(culture),
                all_in_municipalities(w.norwegian_municipality_ids, "NO"),
            ],
        ),
        Probe(
            "api list, promoting_factors=facilitation",
            "api",
            f"{base}?promoting_factors=facilitation",
            checks=[some_results],
        ),
        Probe(
            f"api list, q={NOT_FOUND_WORD}",
            "api",
            f"{base}?q={NOT_FOUND_WORD}",
            checks=[no_results],
        ),
        Probe(
            f"api list, q={w.search_word}",
            "api",
            f"{base}?q={w.search_word}",
            checks=[some_results, all_contain(w.search_word)],
        ),
    ]
    for name in api_orderings():
        for descending in (False, True):
            ordering = f"{'-' * descending}{name}"
            probes.append(
                Probe(
                    f"api list, ordering={ordering}",
                    "api",
                    f"{base}?ordering={ordering}",
                    checks=[some_results, sorted_by(name, descending)],
                )
            )
    return probes


def next_page_probe(client, first_page_url: str, name: str = "title") -> Probe:
    """The page after ``first_page_url`` (its ``next`` link, followed as it is)."""
    label = f"api list, ordering={name}, page 2"
    response = client.get(first_page_url)
    try:
        page = json.loads(response.content)
        next_url = page["next"]
    except (ValueError, KeyError, TypeError):
        page, next_url = None, None
    if not next_url:
        problem = f"no next link on the first page (HTTP {response.status_code})"

        def first_page_has_next(response):
            return [problem]

        return Probe(label, "api", first_page_url, checks=[first_page_has_next])
    parts = urlsplit(next_url)
    return Probe(
        label,
        "api",
        f"{parts.path}?{parts.query}",
        checks=[some_results, after(page["results"], name)],
    )


def html_list_probes() -> list[Probe]:
    from partnerships.models import Partnership
    from partnerships.tables import PartnershipTable

    base = HTML_LIST
    table = PartnershipTable(Partnership.objects.none())
    sort = table.prefixed_order_by_field
    page = table.prefixed_page_field
    probes = [Probe("partnerships page", "html-list", base, html=True, checks=[html_table])]
    for column in table.columns:
        if column.orderable:
            for descending in (False, True):
                key = f"{'-' * descending}{column.name}"
                probes.append(
                    Probe(
                        f"partnerships page, {sort}={key}",
                        "html-list",
                        f"{base}?{sort}={key}",
                        html=True,
                        checks=[html_table],
                    )
                )
    probes.append(
        Probe(
            f"partnerships page, {page}={DEEP_PAGE}",
            "html-list",
            f"{base}?{page}={DEEP_PAGE}",
            html=True,
        )
    )
    return probes


def page_probes() -> list[Probe]:
    return [
        Probe("front page", "front", "/", html=True),
        Probe(
            "municipalities page",
            "html-page",
            "/municipalities/",
            html=True,
            checks=[html_table],
        ),
        Probe(
            "organisations page",
            "html-page",
            "/organisations/",
            html=True,
            checks=[html_table],
        ),
    ]


def catalogue(w: World) -> list[Probe]:
    """Every probe except the second API page (``next_page_probe`` needs a client)."""
    return [
        *dashboard_probes(w),
        *stats_probes(),
        *api_probes(w),
        *html_list_probes(),
        *page_probes(),
    ]
