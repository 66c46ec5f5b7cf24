"""``/open-data/``: the page, the generated files (what is and is not in them), the data
dictionary, the 360Giving package (validated against the shipped schema) and the DCAT-AP-NO
catalogue."""

import copy
import csv
import datetime
import decimal
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from municipalities.choices import Country
from municipalities.identifiers import complete_org_number
from opendata import publishing
from opendata.datasets import DATASETS
from opendata.dictionary import LANGUAGES, data_dictionary
from opendata.tasks import publish_open_data
from organisations.choices import OrganisationKind
from partnerships.choices import LinkState, Status
from partnerships.models import PartnershipOrganisation
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    VolunteerCentreFactory,
    admin_user,
    organisation_in,
)

pytestmark = pytest.mark.django_db

SCHEMAS = Path(publishing.__file__).resolve().parent / "schemas"
SECRETS = (
    "Secret draft",
    "Secret proposal",
    "Secret sent back",
    "Secret declined",
    "hidden@example.org",
    "+47 99 99 99 99",
    "Kari Kontakt",
    "Hemmeligveien 1",
)
#: An organisation is public, but not named on a partnership it has not confirmed.
UNCONFIRMED = "Unconfirmed partner"


@pytest.fixture(autouse=True)
def open_data_root(settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"
    settings.SITE_URL = "https://registry.example"
    return settings.OPEN_DATA_ROOT


@pytest.fixture
def world():
    """Public records of the three countries, and one of everything that is not public."""
    oslo = MunicipalityFactory(
        name="Oslo",
        code="0301",
        county=CountyFactory(code="03", name="Oslo"),
        org_number="974760673",
        volunteer_policy_adopted=True,
        volunteer_policy_year=2015,
    )
    VolunteerCentreFactory(municipality=oslo, name="Frivilligsentral Tøyen")
    aarhus = MunicipalityFactory(
        country=Country.DENMARK, name="Aarhus", code="751", county__name="Midtjylland"
    )
    club = organisation_in(
        oslo,
        categories=["1", "4"],
        name="Tøyen leksehjelp",
        email="hidden@example.org",
        phone="+47 99 99 99 99",
        contact_person="Kari Kontakt",
        address="Hemmeligveien 1",
    )
    danish = OrganisationFactory(
        country=Country.DENMARK,
        name="Aarhus Idræt",
        org_number=complete_org_number(Country.DENMARK, "1234567"),
    )
    group = OrganisationFactory(
        name="Nabolagsgruppa", kind=OrganisationKind.INFORMAL_GROUP, org_number=""
    )
    unconfirmed = OrganisationFactory(name="Unconfirmed partner")
    funded = PartnershipFactory(
        title='=HYPERLINK("http://evil.example")',
        description="Leksehjelp på Tøyen",
        municipal_contribution=decimal.Decimal("150000.50"),
        start_date=datetime.date(2024, 1, 15),
        end_date=datetime.date(2025, 6, 30),
        links__municipalities=[oslo],
        links__organisations={club: "lead", group: "partner", unconfirmed: "supporter"},
        links__fields=["culture", "children_youth"],
        links__forms=["grant", "premises"],
    )
    PartnershipOrganisation.objects.filter(partnership=funded, organisation=unconfirmed).update(
        state=LinkState.PENDING
    )
    danish_funded = PartnershipFactory(
        title="Idræt for alle",
        municipal_contribution=decimal.Decimal("20000"),
        currency="DKK",
        status=Status.COMPLETED,
        links__municipalities=[aarhus],
        links__organisations={danish: "lead"},
        links__fields=["sport"],
    )
    unfunded = PartnershipFactory(
        title="Språkkafé", links__municipalities=[oslo], links__organisations={club: "lead"}
    )
    hidden = [
        PartnershipFactory(
            title=title,
            status=status,
            start_date=None,
            municipal_contribution=decimal.Decimal("999"),
            links__municipalities=[oslo],
            links__organisations={club: "lead"},
        )
        for title, status in (
            ("Secret draft", Status.DRAFT),
            ("Secret proposal", Status.UNDER_REVIEW),
            ("Secret sent back", Status.CHANGES_REQUESTED),
            ("Secret declined", Status.DECLINED),
        )
    ]
    return {
        "oslo": oslo,
        "aarhus": aarhus,
        "club": club,
        "danish": danish,
        "group": group,
        "funded": funded,
        "danish_funded": danish_funded,
        "unfunded": unfunded,
        "hidden": hidden,
    }


def _read(name: str) -> bytes:
    return (publishing.root() / name).read_bytes()


def _csv_rows(name: str) -> list[dict[str, str]]:
    text = _read(name).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


# --- generating the files ------------------------------------------------------------------


def test_the_command_generates_every_file(world):
    call_command("publish_open_data", verbosity=0)
    for name in publishing.published_names():
        assert (publishing.root() / name).stat().st_size > 0, name
    manifest = publishing.read_manifest()
    assert manifest["partnerships.csv"]["records"] == 3
    assert manifest["organisations.json"]["records"] == 4
    assert manifest["grants-360giving.json"]["records"] == 2
    # No temporary file is left behind.
    assert not [p for p in publishing.root().iterdir() if p.name.startswith(".")]


def test_the_task_generates_the_files_and_running_again_replaces_them(world):
    publish_open_data.delay()
    first = _read("partnerships.csv")
    PartnershipFactory(title="Ny dugnad", links__municipalities=[world["oslo"]])
    publish_open_data.delay()
    assert b"Ny dugnad" not in first
    assert b"Ny dugnad" in _read("partnerships.csv")
    assert publishing.read_manifest()["partnerships.csv"]["records"] == 4


def test_a_failed_write_keeps_the_old_file(open_data_root):
    with publishing.atomic_file("partnerships.csv") as out:
        out.write(b"old")
    with pytest.raises(RuntimeError), publishing.atomic_file("partnerships.csv") as out:
        out.write(b"half a new fi")
        raise RuntimeError
    assert _read("partnerships.csv") == b"old"
    assert [p.name for p in open_data_root.iterdir()] == ["partnerships.csv"]


def test_no_proposal_draft_or_private_data_in_any_file(world):
    publishing.publish()
    for name in publishing.published_names():
        content = _read(name).decode("utf-8")
        for secret in SECRETS:
            assert secret not in content, (name, secret)
        if not name.startswith("organisations."):
            assert UNCONFIRMED not in content, name
    ids = {int(row["id"]) for row in _csv_rows("partnerships.csv")}
    assert ids == {world["funded"].pk, world["danish_funded"].pk, world["unfunded"].pk}


def test_each_csv_has_every_dictionary_column_and_codes_for_choices(world):
    publishing.publish()
    for entry in data_dictionary():
        rows = _csv_rows(f"{entry['dataset']}.csv")
        keys = [column["key"] for column in entry["columns"]]
        assert rows and list(rows[0]) == keys, entry["dataset"]
    funded = next(r for r in _csv_rows("partnerships.csv") if r["id"] == str(world["funded"].pk))
    assert funded["title"].startswith("'=HYPERLINK")  # neutralised, as in the list downloads
    assert funded["status"] == "active"
    assert funded["fields"] == "culture; children_youth"
    assert funded["countries"] == "NO"
    assert funded["municipal_contribution"] == "150000.50"
    assert funded["organisations"] == "Tøyen leksehjelp; Nabolagsgruppa"
    assert funded["organisation_ids"] == f"{world['club'].org_id}; –"
    oslo = next(r for r in _csv_rows("municipalities.csv") if r["code"] == "0301")
    assert oslo["volunteer_policy_adopted"] == "true"
    assert oslo["volunteer_centres"] == "Frivilligsentral Tøyen"
    assert oslo["established_partnership_count"] == "2"
    assert oslo["org_id"] == "NO-BRC-974760673"


def test_each_json_parses_with_a_record_per_row(world):
    publishing.publish()
    for dataset in DATASETS:
        document = json.loads(_read(f"{dataset.slug}.json"))
        keys = dataset.spec.header(keys=True)
        assert document["dataset"] == dataset.slug
        assert document["license"] == publishing.NLOD_URL
        assert document["columns"] == keys
        assert all(list(record) == keys for record in document["records"])
    records = json.loads(_read("partnerships.json"))["records"]
    funded = next(r for r in records if r["id"] == world["funded"].pk)
    assert funded["fields"] == ["culture", "children_youth"]
    assert funded["municipal_contribution"] == 150000.5
    assert funded["start_date"] == "2024-01-15"
    assert funded["title"] == '=HYPERLINK("http://evil.example")'  # JSON is not a spreadsheet
    organisations = json.loads(_read("organisations.json"))["records"]
    club = next(r for r in organisations if r["id"] == world["club"].pk)
    assert club["categories"] == ["1", "4"]
    assert club["verified"] is False


# --- 360Giving -----------------------------------------------------------------------------


#: RFC 3339 date-time, the "date-time" format (jsonschema checks it only with an optional
#: package installed, and the 360Giving schema's dates rely on it: "2024-01-15" must match
#: the date pattern and not the date-time format, or ``oneOf`` fails).
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


def _format_checker():
    from jsonschema import Draft202012Validator

    checker = copy.deepcopy(Draft202012Validator.FORMAT_CHECKER)
    checker.checks("date-time")(
        lambda value: not isinstance(value, str) or bool(RFC3339.match(value))
    )
    return checker


def _validator():
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    grant = json.loads((SCHEMAS / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((SCHEMAS / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    # The schemas declare "http://json-schema.org/draft/2020-12/schema", not the dialect's
    # canonical https URI: the dialect is named here rather than read from them.
    # The package refers to the grant schema by its 1.4.2 address: the shipped one (1.4.3,
    # unchanged since but for its $id) answers to both.
    resource = DRAFT202012.create_resource(grant)
    grants_ref = package["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources([(grant["$id"], resource), (grants_ref, resource)])
    Draft202012Validator.check_schema(package)
    return Draft202012Validator(package, registry=registry, format_checker=_format_checker())


def test_the_360giving_package_validates_against_the_shipped_schema(world):
    publishing.publish()
    package = json.loads(_read(publishing.GRANTS_FILE))
    errors = [error.message for error in _validator().iter_errors(package)]
    assert errors == []
    grants = {grant["id"]: grant for grant in package["grants"]}
    assert set(grants) == {
        f"360G-nordicregistry-{world['funded'].pk}",
        f"360G-nordicregistry-{world['danish_funded'].pk}",
    }
    oslo_grant = grants[f"360G-nordicregistry-{world['funded'].pk}"]
    assert oslo_grant["currency"] == "NOK"
    assert oslo_grant["amountAwarded"] == 150000.5
    assert oslo_grant["awardDate"] == "2024-01-15"
    assert [o["id"] for o in oslo_grant["recipientOrganization"]] == [
        world["club"].org_id,
        f"360G-nordicregistry-organisation-{world['group'].pk}",
    ]
    assert oslo_grant["fundingOrganization"][0]["id"] == "NO-BRC-974760673"
    assert oslo_grant["beneficiaryLocation"][0]["geoCode"] == "0301"
    assert {c["code"] for c in oslo_grant["classifications"]} == {
        "culture", "children_youth", "grant", "premises",
    }  # fmt: skip
    danish_grant = grants[f"360G-nordicregistry-{world['danish_funded'].pk}"]
    assert danish_grant["currency"] == "DKK"
    assert danish_grant["recipientOrganization"][0]["id"].startswith("DK-CVR-")
    assert danish_grant["fundingOrganization"][0]["id"] == "360G-nordicregistry-municipality-DK-751"


def test_the_validator_catches_a_broken_grant(world):
    """The test above would pass with a validator that checks nothing."""
    publishing.publish()
    package = json.loads(_read(publishing.GRANTS_FILE))
    del package["grants"][0]["fundingOrganization"]
    package["grants"][1]["awardDate"] = "15.01.2024"
    assert len(list(_validator().iter_errors(package))) >= 2


def test_no_360giving_file_without_municipal_money(open_data_root):
    PartnershipFactory()
    publishing.publish()
    assert not (open_data_root / publishing.GRANTS_FILE).exists()


# --- the dictionary ------------------------------------------------------------------------


def test_the_dictionary_has_every_code_of_every_choice_field_it_names():
    checked = 0
    for dataset, entry in zip(DATASETS, data_dictionary(), strict=True):
        for column, described in zip(dataset.spec.columns, entry["columns"], strict=True):
            assert described["key"] == column.key
            assert described["type"], column.key
            model_field = dataset.model_field(column)
            # A column of choices names its TextChoices class or its model field; a model
            # field with choices must not have slipped through as a plain column.
            source = column.choices
            if source is None and model_field is not None and model_field.choices:
                source = model_field
            if source is None:
                assert described["codes"] == []
                continue
            expected = [value for value, _label in source.choices]
            assert [code["code"] for code in described["codes"]] == expected, column.key
            for code in described["codes"]:
                assert set(code["label"]) == set(LANGUAGES) and all(code["label"].values())
            checked += 1
    assert checked >= 15  # status, types, initiator, ..., country, kind, level, categories


def test_the_dictionary_labels_are_translated():
    status = next(c for c in data_dictionary()[0]["columns"] if c["key"] == "status")
    active = next(code for code in status["codes"] if code["code"] == "active")
    assert active["label"]["en"] == "Active"
    assert active["label"]["nb"] != active["label"]["en"]


def test_the_dictionary_downloads(client):
    document = client.get(reverse("open-data-dictionary", args=["json"])).json()
    assert [d["dataset"] for d in document["datasets"]] == [d.slug for d in DATASETS]
    response = client.get(reverse("open-data-dictionary", args=["csv"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {"dataset": "partnerships", "column": "status", "code": "active"}.items() <= next(
        r for r in rows if r["code"] == "active"
    ).items()
    assert rows[0]["label_nb"] and rows[0]["label_en"]


# --- the page and the downloads ------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "en"])
def test_the_page_lists_licence_dictionary_and_downloads(
    client, world, language, django_assert_max_num_queries
):
    publishing.publish()
    with django_assert_max_num_queries(2):
        response = client.get(reverse("open-data"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'lang="{language}"' in page
    assert publishing.NLOD_URL in page and publishing.NLOD_URL_EN in page
    for name in publishing.published_names():
        assert reverse("open-data-file", args=[name]) in page
    for entry in data_dictionary():
        for column in entry["columns"]:
            assert f"<code>{column['key']}</code>" in page
    assert "<code>under_review</code>" in page
    assert reverse("api-docs") in page
    assert reverse("open-data-catalog") in page
    if language == "en":
        assert "Data dictionary" in page


def test_the_page_says_when_nothing_is_generated_yet(client):
    page = client.get(reverse("open-data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "have not been generated yet" in page
    assert "publish_open_data" in page
    assert reverse("open-data-file", args=["partnerships.csv"]) not in page


def test_the_footer_links_the_page(client):
    assert reverse("open-data") in client.get("/").content.decode()


def test_a_file_is_streamed_with_its_validators(client, world):
    publishing.publish()
    url = reverse("open-data-file", args=["partnerships.csv"])
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="partnerships.csv"'
    assert response["Content-Type"].startswith("text/csv")
    assert b"".join(response.streaming_content) == _read("partnerships.csv")
    etag, modified = response["ETag"], response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_only_published_files_are_served(client, open_data_root):
    assert client.get(reverse("open-data-file", args=["partnerships.csv"])).status_code == 404
    publishing.publish()
    for name in ("manifest.json", "..%2Fmanifest.json", "settings.py"):
        assert client.get(f"/open-data/files/{name}").status_code == 404


def test_an_administrator_regenerates_the_files(client, world, django_capture_on_commit_callbacks):
    url = reverse("open-data-publish")
    assert client.post(url).status_code == 403
    client.force_login(admin_user())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert (publishing.root() / "partnerships.csv").exists()
    page = client.get(reverse("open-data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Generate the files now" in page


# --- DCAT-AP-NO ----------------------------------------------------------------------------

#: DCAT-AP-NO 2.x: the mandatory properties of each class.
CATALOG_MANDATORY = ("dct:title", "dct:description", "dct:publisher")
DATASET_MANDATORY = ("dct:title", "dct:description", "dct:identifier", "dct:publisher")
DISTRIBUTION_MANDATORY = ("dcat:accessURL",)
#: Recommended ones the registry gives as well.
DATASET_RECOMMENDED = ("dcat:contactPoint", "dcat:theme", "dcat:keyword", "dcat:distribution")
DISTRIBUTION_RECOMMENDED = ("dcat:downloadURL", "dcat:mediaType", "dct:format", "dct:license")


def test_the_dcat_catalogue(client, world):
    publishing.publish()
    response = client.get(reverse("open-data-catalog"))
    assert response["Content-Type"].startswith("application/ld+json")
    catalog = json.loads(response.content)
    assert catalog["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert catalog["@context"]["dct"] == "http://purl.org/dc/terms/"
    assert catalog["@type"] == "dcat:Catalog"
    for prop in CATALOG_MANDATORY:
        assert catalog[prop], prop
    assert {t["@language"] for t in catalog["dct:title"]} == {"nb", "en"}
    datasets = catalog["dcat:dataset"]
    assert len(datasets) == len(DATASETS) + 1
    for dataset in datasets:
        assert dataset["@type"] == "dcat:Dataset"
        for prop in (*DATASET_MANDATORY, *DATASET_RECOMMENDED, "dct:modified"):
            assert dataset[prop], (dataset["@id"], prop)
        assert {t["@language"] for t in dataset["dct:description"]} == {"nb", "en"}
        assert dataset["dct:publisher"]["foaf:name"]
        for distribution in dataset["dcat:distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            for prop in (*DISTRIBUTION_MANDATORY, *DISTRIBUTION_RECOMMENDED):
                assert distribution[prop], prop
            assert distribution["dct:license"]["@id"] == publishing.NLOD_URL
            path = distribution["dcat:downloadURL"]["@id"].removeprefix("https://registry.example")
            assert client.get(path).status_code == 200
    formats = {
        d["dct:format"]["@id"].rsplit("/", 1)[-1]
        for dataset in datasets
        for d in dataset["dcat:distribution"]
    }
    assert formats == {"CSV", "JSON"}
