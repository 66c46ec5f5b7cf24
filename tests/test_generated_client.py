"""A client generated from the served schema works, unmodified (issue 12).

``openapi-python-client`` (a dev dependency) generates a Python package from
``/api/v1/schema/`` as a live server serves it; every module of it imports, and a short script
goes through the registry's main journey with it: a token, the Norwegian municipalities, a
partnership logged by a coordinator, a proposal drafted and submitted by an organisation's
representative and accepted by the coordinator, and the statistics.
"""

import datetime
import importlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from partnerships.models import Partnership
from tests.roles import make_roles

PASSWORD = "correct horse battery"  # the factories' password
PACKAGE = "generated_registry_client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def generated_client(live_server, tmp_path):
    """The package generated from the live server's schema, importable as ``PACKAGE``."""
    schema = httpx.get(f"{live_server.url}/api/v1/schema/", trust_env=False, timeout=60)
    assert schema.status_code == 200
    (tmp_path / "schema.yaml").write_bytes(schema.content)
    # No post hooks: the generated code is used as generated (no formatter needed on PATH).
    (tmp_path / "config.yaml").write_text("post_hooks: []\n")
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.yaml"),
            "--meta",
            "none",
            "--config",
            str(tmp_path / "config.yaml"),
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output and "Error" not in output, output
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path / PACKAGE
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def module_names(package: Path) -> list[str]:
    names = []
    for file in sorted(package.rglob("*.py")):
        parts = file.relative_to(package.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_imports_and_goes_through_the_main_journey(
    live_server, generated_client
):
    # Every generated module imports (the request bodies are JSON only).
    names = module_names(generated_client)
    assert len(names) > 50
    failures = {}
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as error:  # each failure is reported by name
            failures[name] = repr(error)
    assert failures == {}

    roles = make_roles()
    script(live_server.url, roles)


def script(url: str, roles) -> None:
    """The journey, written as a user of the generated package would write it."""
    client = importlib.import_module(PACKAGE)
    auth = importlib.import_module(f"{PACKAGE}.api.auth.auth_token_create")
    municipalities_list = importlib.import_module(
        f"{PACKAGE}.api.municipalities.municipalities_list"
    )
    partnerships = {
        name: importlib.import_module(f"{PACKAGE}.api.partnerships.partnerships_{name}")
        for name in ("create", "submit_create", "accept_create", "retrieve")
    }
    stats_fields = importlib.import_module(f"{PACKAGE}.api.statistics.stats_fields_retrieve")
    models = importlib.import_module(f"{PACKAGE}.models")

    options = {"base_url": url, "httpx_args": {"trust_env": False}, "timeout": httpx.Timeout(60)}
    anonymous = client.Client(raise_on_unexpected_status=True, **options)

    def signed_in(username: str):
        token = auth.sync(
            client=anonymous, body=models.AuthTokenRequest(username=username, password=PASSWORD)
        )
        assert isinstance(token, models.Token), token
        # The generated client sends "Authorization: Bearer <key>".
        return client.AuthenticatedClient(token=token.token, **options)

    coordinator = signed_in(roles.coordinator.username)
    representative = signed_in(roles.representative.username)

    # The Norwegian municipalities, read without signing in.
    page = municipalities_list.sync(client=anonymous, country=models.MunicipalitiesListCountry.NO)
    assert isinstance(page, models.PaginatedMunicipalityList), page
    assert page.count == 2
    assert {m.name for m in page.results} == {"Oslo", "Bergen"}
    oslo = next(m for m in page.results if m.name == "Oslo")
    assert oslo.id == roles.municipality.pk

    answers = {
        "municipalities": [oslo.id],
        "organisations": [roles.organisation.pk],
        "fields": [models.FieldsEnum.CULTURE, models.FieldsEnum.INCLUSION],
        "co_creation_type": models.CoCreationTypeEnum.EQUAL,
        "initiator": models.InitiatorEnum.LOCAL_CIVIC,
        "involvement_phase": models.InvolvementPhaseEnum.IMPLEMENTATION,
        "goals_control": models.GoalsControlEnum.SHARED,
    }

    # A coordinator logs a partnership of their municipality.
    logged = partnerships["create"].sync(
        client=coordinator,
        body=models.PartnershipInputRequest(
            title="Språkkafé på biblioteket",
            status=models.StatusEnum.ACTIVE,
            start_date=datetime.date(2026, 9, 1),
            **answers,
        ),
    )
    assert isinstance(logged, models.Partnership), logged
    assert logged.derived_co_creation_type == models.CoCreationTypeEnum.MUNICIPALITY_LED

    # An organisation's representative drafts a proposal and submits it.
    draft = partnerships["create"].sync(
        client=representative,
        body=models.PartnershipInputRequest(title="Leksehjelp på Tøyen", **answers),
    )
    assert isinstance(draft, models.Partnership), draft
    assert draft.status == models.StatusEnum.DRAFT
    submitted = partnerships["submit_create"].sync(id=draft.id, client=representative)
    assert isinstance(submitted, models.Partnership), submitted
    assert submitted.status == models.StatusEnum.UNDER_REVIEW

    # The coordinator accepts it.
    accepted = partnerships["accept_create"].sync(
        id=draft.id,
        client=coordinator,
        body=models.TransitionRequest(start_date=datetime.date(2026, 10, 1)),
    )
    assert isinstance(accepted, models.Partnership), accepted
    assert accepted.status == models.StatusEnum.ACTIVE
    assert Partnership.objects.get(pk=draft.id).status == "active"

    # The statistics: Oslo has new partnerships in culture.
    fields = stats_fields.sync(client=anonymous, country=models.StatsFieldsRetrieveCountry.NO)
    assert isinstance(fields, models.StatsFields), fields
    culture = next(row for row in fields.results if row.field == "culture")
    assert culture.municipalities >= 1
