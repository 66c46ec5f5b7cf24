"""Partnerships with municipal money as a 360Giving data package (standard 1.4, the schema
shipped in ``opendata/schemas/``): one grant per established partnership that records a
municipal contribution (``Partnership.municipal_contribution`` > 0).

Identifiers (written out on ``/open-data/``):

- the grant: ``360G-nordicregistry-<partnership id>``. 360Giving assigns its publishers a
  ``360G-`` prefix; the registry has none yet, so ``GRANT_PREFIX`` is its own choice: change
  it here once one is assigned (the ids after it stay);
- the recipients: the partnership's organisations (those that confirmed the link, the lead
  partner first), by their org-id (``NO-BRC-<orgnr>``, ``DK-CVR-<cvr>``, ``SE-BLV-<orgnr>``,
  ``organisations.identifiers``); an informal group without a number gets
  ``360G-nordicregistry-organisation-<id>``, as 360Giving's guidance says for an
  organisation without a registered number;
- the funder: each municipality of the partnership (confirmed links), by the org-id of its
  organisation number where the registry knows it, else
  ``360G-nordicregistry-municipality-<country>-<municipality code>`` (org-id.guide has no
  list of Nordic municipality codes);
- the beneficiary location: each municipality, its official code as ``geoCode``.

``amountAwarded`` is the contribution in the partnership's own currency (NOK, DKK or SEK,
as recorded with the amount), ``awardDate`` its start date, ``plannedDates`` its start and
end dates, ``classifications`` its fields and forms of collaboration (vocabularies
``360G-nordicregistry-field`` and ``360G-nordicregistry-form``, English titles; the codes are
those of the data dictionary).
"""

from __future__ import annotations

import datetime
import json
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone, translation

from municipalities.identifiers import org_id
from opendata.publishing import GRANTS_FILE, NLOD_URL
from partnerships.choices import CollaborationForm, Field
from partnerships.models import (
    Partnership,
)
from partnerships.selectors import attach_listed_links
from registry.exports import CHUNK_SIZE, chunks, clean_text, labels_of

GRANT_PREFIX = "360G-nordicregistry"
SCHEMA_VERSION = "1.4"
FIELD_VOCABULARY = f"{GRANT_PREFIX}-field"
FORM_VOCABULARY = f"{GRANT_PREFIX}-form"
#: What ``geoCode`` holds, by country.
GEO_CODE_TYPES = {
    "NO": "Kommunenummer (Statistics Norway)",
    "DK": "Kommunekode (Danmarks Statistik)",
    "SE": "Kommunkod (Statistics Sweden)",
}


def grant_id(partnership_id: int) -> str:
    return f"{GRANT_PREFIX}-{partnership_id}"


def municipality_org_id(country: str, code: str, org_number: str) -> str:
    return org_id(country, org_number) or f"{GRANT_PREFIX}-municipality-{country}-{code}"


def organisation_org_id(pk: int, country: str, org_number: str) -> str:
    return org_id(country, org_number) or f"{GRANT_PREFIX}-organisation-{pk}"


def grants_queryset():
    """Established partnerships (what the anonymous public sees) with municipal money."""
    return (
        Partnership.objects.visible_to(AnonymousUser())
        .filter(municipal_contribution__gt=0)
        .defer("created_by", "outcomes")
        .order_by("id")
    )


def _iso(value: datetime.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def _classifications(values, vocabulary: str, labels: dict[str, str]) -> list[dict[str, str]]:
    order = {value: i for i, value in enumerate(labels)}
    return [
        {"vocabulary": vocabulary, "code": value, "title": labels.get(value, value)}
        for value in sorted(values, key=lambda v: order.get(v, len(order)))
    ]


def grant(partnership: Partnership, *, site_url: str, field_labels, form_labels) -> dict | None:
    """The 360Giving grant of one partnership (after ``attach_listed_links``); None if it has no
    recipient or no funder the public may see."""
    if not partnership.listed_organisations or not partnership.listed_municipalities:
        return None
    title = clean_text(partnership.title)
    planned = {"startDate": partnership.start_date.isoformat()}
    if partnership.end_date:
        planned["endDate"] = partnership.end_date.isoformat()
    municipalities = partnership.listed_municipalities
    return {
        "id": grant_id(partnership.pk),
        "title": title,
        "description": clean_text(partnership.description) or title,
        "currency": partnership.currency,
        "amountAwarded": float(partnership.municipal_contribution),
        "awardDate": partnership.start_date.isoformat(),
        "plannedDates": [planned],
        "url": site_url + reverse("partnership-detail", args=[partnership.pk]),
        "recipientOrganization": [
            {
                "id": organisation_org_id(
                    link.organisation_id, link.organisation__country, link.organisation__org_number
                ),
                "name": clean_text(link.organisation__name),
                "addressCountry": link.organisation__country,
            }
            for link in partnership.listed_organisations
        ],
        "fundingOrganization": [
            {
                "id": municipality_org_id(
                    link.municipality__country,
                    link.municipality__code,
                    link.municipality__org_number,
                ),
                "name": clean_text(link.municipality__name),
                "organisationType": "Municipality",
                "addressCountry": link.municipality__country,
            }
            for link in municipalities
        ],
        "beneficiaryLocation": [
            {
                "name": clean_text(link.municipality__name),
                "countryCode": link.municipality__country,
                "geoCode": link.municipality__code,
                "geoCodeType": GEO_CODE_TYPES.get(link.municipality__country, "Municipality"),
            }
            for link in municipalities
        ],
        "classifications": [
            *_classifications(partnership.listed_fields, FIELD_VOCABULARY, field_labels),
            *_classifications(partnership.listed_forms, FORM_VOCABULARY, form_labels),
        ],
        "dateModified": _iso(partnership.updated_at),
        "dataSource": site_url + reverse("open-data"),
    }


def package_head(*, generated: datetime.datetime, site_url: str) -> dict[str, Any]:
    """Everything of the package but its grants."""
    publisher = {"name": settings.OPEN_DATA_PUBLISHER_NAME, "website": site_url + "/"}
    if settings.OPEN_DATA_PUBLISHER_ORG_NUMBER:
        publisher["identifier"] = org_id("NO", settings.OPEN_DATA_PUBLISHER_ORG_NUMBER)
    return {
        "version": SCHEMA_VERSION,
        "title": "Municipal contributions to partnerships with the voluntary sector",
        "description": (
            "Partnerships between Nordic municipalities and voluntary organisations in which "
            "the municipality contributes money, from the collaboration registry. The amount "
            "is the municipal contribution as recorded, per year or in total."
        ),
        "identifier": f"{GRANT_PREFIX}-grants",
        "issued": generated.date().isoformat(),
        "modified": _iso(generated),
        "publisher": publisher,
        "license": NLOD_URL,
        "downloadURL": site_url + reverse("open-data-file", args=[GRANTS_FILE]),
        "accessURL": site_url + reverse("open-data"),
    }


def write_grants(out: IO[bytes], *, generated: datetime.datetime) -> int:
    """Write the package to ``out``, a grant at a time; returns the number of grants."""
    site_url = settings.SITE_URL
    head = json.dumps(package_head(generated=generated, site_url=site_url), ensure_ascii=False)
    out.write((head[:-1] + ', "grants": [\n').encode("utf-8"))
    with translation.override("en"):
        field_labels, form_labels = dict(labels_of(Field)), dict(labels_of(CollaborationForm))
    rows = grants_queryset().iterator(chunk_size=CHUNK_SIZE)
    count = 0
    for chunk in chunks(rows, CHUNK_SIZE):
        attach_listed_links(chunk)
        pieces = []
        for partnership in chunk:
            item = grant(
                partnership, site_url=site_url, field_labels=field_labels, form_labels=form_labels
            )
            if item is None:
                continue
            pieces.append(("" if count == 0 else ",\n") + json.dumps(item, ensure_ascii=False))
            count += 1
        out.write("".join(pieces).encode("utf-8"))
    out.write(b"\n]}\n")
    return count
