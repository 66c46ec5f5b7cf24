"""The open data described for a national data portal: DCAT-AP-NO (2.x) as JSON-LD.

A ``dcat:Catalog`` with a ``dcat:Dataset`` per bulk download (and one for the 360Giving
grants), each with a ``dcat:Distribution`` per file that has been generated: download URL,
media type and format, licence (NLOD 2.0), size and modification time. Titles, descriptions
and keywords are given in Norwegian bokmål and English. data.norge.no harvests such a
description from ``/open-data/catalog.jsonld``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opendata import publishing
from opendata.datasets import DATASETS
from opendata.dictionary import in_languages
from opendata.publishing import CSV, GRANTS_FILE, JSON, NLOD_URL

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
#: The EU's data themes (the vocabulary DCAT-AP-NO prescribes for dcat:theme).
THEMES = (
    "http://publications.europa.eu/resource/authority/data-theme/SOCI",
    "http://publications.europa.eu/resource/authority/data-theme/GOVE",
)
MEDIA_TYPES = {
    CSV: "https://www.iana.org/assignments/media-types/text/csv",
    JSON: "https://www.iana.org/assignments/media-types/application/json",
}
FILE_TYPES = {
    CSV: "http://publications.europa.eu/resource/authority/file-type/CSV",
    JSON: "http://publications.europa.eu/resource/authority/file-type/JSON",
}
THREESIXTYGIVING = "https://standard.threesixtygiving.org/"
PUBLIC_ACCESS = "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
NORWEGIAN = "http://publications.europa.eu/resource/authority/language/NOR"
ENGLISH = "http://publications.europa.eu/resource/authority/language/ENG"
SPATIAL = (
    "http://publications.europa.eu/resource/authority/country/NOR",
    "http://publications.europa.eu/resource/authority/country/DNK",
    "http://publications.europa.eu/resource/authority/country/SWE",
)

CATALOG_TITLE = _("Open data from the collaboration registry")
CATALOG_DESCRIPTION = _(
    "Collaborations between municipalities and the voluntary sector in Norway, Denmark and "
    "Sweden: partnerships, organisations and municipalities, published under the Norwegian "
    "Licence for Open Government Data (NLOD 2.0)."
)
KEYWORDS = (
    _("voluntary sector"),
    _("municipalities"),
    _("co-creation"),
    _("partnerships"),
    _("volunteering"),
)
GRANTS_TITLE = _("Municipal contributions to partnerships (360Giving)")
GRANTS_DESCRIPTION = _(
    "The established partnerships in which a municipality contributes money, one grant each, "
    "in the 360Giving data standard."
)


def literals(text: Any) -> list[dict[str, str]]:
    """A text in every language, as JSON-LD language-tagged literals."""
    return [
        {"@language": language, "@value": value}
        for language, value in in_languages(text).items()
        if value
    ]


def _datetime(value) -> dict[str, str]:
    return {"@value": value.isoformat(timespec="seconds"), "@type": "xsd:dateTime"}


def _publisher(site_url: str) -> dict[str, Any]:
    org_number = settings.OPEN_DATA_PUBLISHER_ORG_NUMBER
    publisher = {
        "@id": (
            f"https://data.brreg.no/enhetsregisteret/api/enheter/{org_number}"
            if org_number
            else f"{site_url}/#publisher"
        ),
        "@type": "foaf:Agent",
        "foaf:name": settings.OPEN_DATA_PUBLISHER_NAME,
    }
    if org_number:
        publisher["dct:identifier"] = org_number
    return publisher


def _contact_point(site_url: str) -> dict[str, Any]:
    return {
        "@type": "vcard:Organization",
        "vcard:fn": settings.OPEN_DATA_PUBLISHER_NAME,
        "vcard:hasEmail": {"@id": f"mailto:{settings.OPEN_DATA_CONTACT_EMAIL}"},
        "vcard:hasURL": {"@id": site_url + reverse("open-data")},
    }


def _distribution(
    site_url: str, name: str, file_format: str, title: Any, *, conforms_to: str = ""
) -> dict | None:
    published = publishing.stat(name)
    if published is None:
        return None
    url = site_url + reverse("open-data-file", args=[name])
    return {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": literals(title),
        "dcat:accessURL": {"@id": site_url + reverse("open-data")},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": MEDIA_TYPES[file_format]},
        "dct:format": {"@id": FILE_TYPES[file_format]},
        "dct:license": {"@id": NLOD_URL},
        "dcat:byteSize": {"@value": str(published.size), "@type": "xsd:decimal"},
        "dct:modified": _datetime(published.modified),
        "dct:conformsTo": {
            "@id": conforms_to or site_url + reverse("open-data-dictionary", args=["json"])
        },
    }


def _dataset(site_url, slug, title, description, distributions) -> dict[str, Any]:
    page = site_url + reverse("open-data")
    dataset = {
        "@id": f"{page}#dataset-{slug}",
        "@type": "dcat:Dataset",
        "dct:identifier": f"{page}#dataset-{slug}",
        "dct:title": literals(title),
        "dct:description": literals(description),
        "dct:publisher": _publisher(site_url),
        "dcat:contactPoint": _contact_point(site_url),
        "dcat:theme": [{"@id": theme} for theme in THEMES],
        "dcat:keyword": [literal for keyword in KEYWORDS for literal in literals(keyword)],
        "dct:accessRights": {"@id": PUBLIC_ACCESS},
        "dct:language": [{"@id": NORWEGIAN}, {"@id": ENGLISH}],
        "dct:spatial": [{"@id": country} for country in SPATIAL],
        "dcat:landingPage": {"@id": page},
        "dcat:distribution": [d for d in distributions if d is not None],
    }
    modified = [d["dct:modified"]["@value"] for d in dataset["dcat:distribution"]]
    if modified:
        dataset["dct:modified"] = {"@value": max(modified), "@type": "xsd:dateTime"}
    return dataset


def catalog() -> dict[str, Any]:
    """The DCAT-AP-NO catalogue (no query: the files' sizes and times are read from disk)."""
    site_url = settings.SITE_URL
    page = site_url + reverse("open-data")
    datasets = [
        _dataset(
            site_url,
            dataset.slug,
            dataset.title,
            dataset.description,
            [
                _distribution(
                    site_url,
                    publishing.dataset_filename(dataset, file_format),
                    file_format,
                    f"{dataset.slug}.{file_format}",
                )
                for file_format in publishing.FORMATS
            ],
        )
        for dataset in DATASETS
    ]
    datasets.append(
        _dataset(
            site_url,
            "grants-360giving",
            GRANTS_TITLE,
            GRANTS_DESCRIPTION,
            [_distribution(site_url, GRANTS_FILE, JSON, GRANTS_FILE, conforms_to=THREESIXTYGIVING)],
        )
    )
    result = {
        "@context": CONTEXT,
        "@id": site_url + reverse("open-data-catalog"),
        "@type": "dcat:Catalog",
        "dct:title": literals(CATALOG_TITLE),
        "dct:description": literals(CATALOG_DESCRIPTION),
        "dct:publisher": _publisher(site_url),
        "dct:license": {"@id": NLOD_URL},
        "dct:language": [{"@id": NORWEGIAN}, {"@id": ENGLISH}],
        "foaf:homepage": {"@id": page},
        "dcat:dataset": datasets,
    }
    modified = [d["dct:modified"]["@value"] for d in datasets if "dct:modified" in d]
    if modified:
        result["dct:modified"] = {"@value": max(modified), "@type": "xsd:dateTime"}
    return result
