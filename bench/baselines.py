"""What the API's first page of partnerships is compared with.

- The floor: one hand-written SQL query that returns the first page (anonymous reader:
  established partnerships, newest id first) with every link and tag the response needs,
  shaped in Python into the API's JSON and serialised with ``json.dumps``. Nothing real can
  be much faster, so the API should stay within a small factor of it.
- The naive viewset: what a first DRF attempt looks like (a ``fields = "__all__"``
  ``ModelSerializer``, ``PageNumberPagination`` of the same page size, no
  ``select_related``/``prefetch_related``), over the same rows in the same order. It is
  mounted by ``bench.urls`` under ``/naive/partnerships/``.
"""

import datetime
import json
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from rest_framework import pagination, serializers, viewsets
from rest_framework.settings import api_settings

from partnerships.choices import (
    ESTABLISHED_STATUSES,
    PROPOSAL_STATUSES,
    LinkState,
    OrganisationRole,
)
from partnerships.models import (
    Partnership,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)

NAIVE_URL = "/naive/partnerships/"

#: The partnership's own columns, in the API's order.
COLUMNS = (
    "id", "title", "description", "co_creation_type", "derived_co_creation_type", "initiator",
    "involvement_phase", "goals_control", "agreement", "status", "start_date", "end_date",
    "municipal_contribution", "currency", "volunteer_hours", "people_reached",
    "promoting_factors", "hindering_factors", "outcomes", "created_at", "updated_at",
)  # fmt: skip

# json_agg/json_build_object on PostgreSQL, json_group_array/json_object on SQLite.
_JSON = {
    "postgresql": ("json_agg", "json_build_object"),
    "sqlite": ("json_group_array", "json_object"),
}

_SQL = """
SELECT {columns},
  (SELECT {agg}({obj}('municipality', m.municipality_id, 'state', m.state))
     FROM {pm} m WHERE m.partnership_id = p.id) AS municipality_links,
  (SELECT {agg}({obj}('id', o.id, 'organisation', o.organisation_id, 'role', o.role,
                      'state', o.state, 'vouched', o.vouched))
     FROM {po} o WHERE o.partnership_id = p.id) AS organisation_links,
  (SELECT {agg}(f.field) FROM {pf} f WHERE f.partnership_id = p.id) AS fields,
  (SELECT {agg}(f.form) FROM {pfo} f WHERE f.partnership_id = p.id) AS forms
FROM {p} p
WHERE p.status IN ({statuses})
ORDER BY p.id DESC
LIMIT %s
"""


def floor_sql() -> str:
    agg, obj = _JSON[connection.vendor]
    return _SQL.format(
        columns=", ".join(f"p.{name}" for name in COLUMNS),
        agg=agg,
        obj=obj,
        p=Partnership._meta.db_table,
        pm=PartnershipMunicipality._meta.db_table,
        po=PartnershipOrganisation._meta.db_table,
        pf=PartnershipField._meta.db_table,
        pfo=PartnershipForm._meta.db_table,
        statuses=", ".join(["%s"] * len(ESTABLISHED_STATUSES)),
    )


def _json(value):
    """A JSON column or aggregate as Python (drivers hand some over as text)."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str | bytes) else value


def _datetime(value) -> str | None:
    """As DRF writes it: in the current time zone, ISO 8601, UTC as ``Z``."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):  # SQLite hands over naive UTC
        value = timezone.make_aware(value, datetime.UTC)
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _decimal(value) -> str | None:
    if value is None:
        return None
    return format(Decimal(str(value)).quantize(Decimal("0.01")), "f")


_ROLE_ORDER = {role: i for i, role in enumerate(OrganisationRole.values)}


def _shape(row: tuple) -> dict:
    item = dict(zip(COLUMNS, row[: len(COLUMNS)], strict=True))
    municipality_links, organisation_links, fields, forms = (
        _json(value) for value in row[len(COLUMNS) :]
    )

    def listed(link: dict) -> bool:
        return link["state"] == LinkState.CONFIRMED or (
            link["state"] == LinkState.PENDING and item["status"] in PROPOSAL_STATUSES
        )

    municipality_links.sort(key=lambda link: link["municipality"])
    organisation_links.sort(key=lambda link: (_ROLE_ORDER[link["role"]], link["id"]))
    listed_organisations = [link for link in organisation_links if listed(link)]
    item.update(
        start_date=_date(item["start_date"]),
        end_date=_date(item["end_date"]),
        municipal_contribution=_decimal(item["municipal_contribution"]),
        promoting_factors=_json(item["promoting_factors"]),
        hindering_factors=_json(item["hindering_factors"]),
        created_at=_datetime(item["created_at"]),
        updated_at=_datetime(item["updated_at"]),
        municipalities=[link["municipality"] for link in municipality_links if listed(link)],
        organisations=[link["organisation"] for link in listed_organisations],
        organisation_roles=[
            {"organisation": link["organisation"], "role": link["role"]}
            for link in listed_organisations
        ],
        municipality_links=[
            {"municipality": link["municipality"], "state": link["state"]}
            for link in municipality_links
        ],
        organisation_links=[
            {
                "organisation": link["organisation"],
                "role": link["role"],
                "state": link["state"],
                "vouched": bool(link["vouched"]),
            }
            for link in organisation_links
        ],
        fields=sorted(fields),
        forms=sorted(forms),
        # The creator is personal data: an anonymous reader gets null.
        created_by=None,
    )
    return item


def floor_page(page_size: int | None = None) -> bytes:
    """The API's first page for an anonymous reader, from one SQL query."""
    page_size = page_size or api_settings.PAGE_SIZE
    with connection.cursor() as cursor:
        cursor.execute(floor_sql(), [*ESTABLISHED_STATUSES, page_size])
        rows = cursor.fetchall()
    page = {"next": None, "previous": None, "results": [_shape(row) for row in rows]}
    return json.dumps(page, ensure_ascii=False).encode()


def floor_differences(floor_results: list[dict], api_results: list[dict]) -> list[str]:
    """Where the floor's results differ from the API's (empty: the same answer)."""
    if [r["id"] for r in floor_results] != [r["id"] for r in api_results]:
        return ["different partnerships or order"]
    problems = []
    for ours, theirs in zip(floor_results, api_results, strict=True):
        keys = sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))
        if keys:
            problems.append(f"partnership {ours['id']}: {', '.join(keys)}")
    return problems


# --- the naive viewset ----------------------------------------------------------------------


class NaivePartnershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partnership
        fields = "__all__"


class NaivePagination(pagination.PageNumberPagination):
    page_size = api_settings.PAGE_SIZE


class NaivePartnershipViewSet(viewsets.ModelViewSet):
    queryset = Partnership.objects.filter(status__in=ESTABLISHED_STATUSES).order_by("-id")
    serializer_class = NaivePartnershipSerializer
    pagination_class = NaivePagination
