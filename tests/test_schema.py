"""The OpenAPI schema: generated without a single warning, as an anonymous user would get it."""

import json

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in ["/api/v1/partnerships/{id}/accept/", "/api/v1/stats/fields/",
                 "/api/v1/auth/token/", "/api/v1/organisations/{id}/verify/"]:  # fmt: skip
        assert path in text


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3.0" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    # The docs' assets are served from this site, not from a CDN.
    assert b"cdn." not in docs.content and b"/static/drf_spectacular_sidecar/" in docs.content


def test_unknown_api_path_is_a_json_404(client, db):
    for method in ("get", "delete"):
        response = getattr(client, method)("/api/v1/users/0.5/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


# A schema for machines (issue 12): the same document for everyone, JSON bodies only, the
# token scheme described, and each list's real page shape.


@pytest.fixture
def served_schema(client, db) -> dict:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


@pytest.mark.parametrize("query", ["", "?lang=nb"])
def test_the_schema_is_the_same_bytes_in_every_language(client, db, settings, query):
    settings.LANGUAGE_CODE = "nb"  # as deployed: Norwegian without a language header
    default = client.get(f"/api/v1/schema/{query}")
    english = client.get(f"/api/v1/schema/{query}", HTTP_ACCEPT_LANGUAGE="en")
    norwegian = client.get(f"/api/v1/schema/{query}", HTTP_ACCEPT_LANGUAGE="nb")
    assert default.status_code == english.status_code == norwegian.status_code == 200
    assert norwegian.content == english.content == default.content
    assert norwegian["Content-Language"] == "en"
    # English descriptions, also of the choices (the Norwegian label would be "Norge").
    assert b"`NO` - Norway" in norwegian.content and b"Norge" not in norwegian.content


def test_error_messages_stay_translated(client, db):
    response = client.get("/api/v1/partnerships/0/", HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 404
    assert response.json() == {"detail": "Ikke funnet."}


def test_the_schema_file_is_english_whatever_the_default_language(tmp_path, settings, db):
    settings.LANGUAGE_CODE = "nb"
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    assert "`NO` - Norway" in target.read_text()


def test_the_title_is_ascii_and_the_token_schemes_are_described(served_schema):
    assert served_schema["info"]["title"].isascii()
    schemes = served_schema["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearerAuth"]["description"],
    }
    assert schemes["tokenAuth"]["type"] == "apiKey"
    assert (schemes["tokenAuth"]["in"], schemes["tokenAuth"]["name"]) == ("header", "Authorization")
    create = served_schema["paths"]["/api/v1/partnerships/"]["post"]
    # Either scheme (or the session), as alternatives.
    assert {"bearerAuth": []} in create["security"] and {"tokenAuth": []} in create["security"]


def test_every_request_body_is_json_only(served_schema):
    bodies = {
        (path, method): set(operation["requestBody"]["content"])
        for path, operations in served_schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    }
    assert ("/api/v1/auth/token/", "post") in bodies
    assert {key: types for key, types in bodies.items() if types != {"application/json"}} == {}


def _paginated_lists(schema: dict):
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        content = (operation or {}).get("responses", {}).get("200", {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        if ref.startswith("#/components/schemas/Paginated"):
            yield path, operation, schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_each_list_documents_its_real_page_shape_and_parameters(served_schema, roles):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(roles.admin)
    roles.partnership_in("active")
    lists = list(_paginated_lists(served_schema))
    assert {"/api/v1/partnerships/", "/api/v1/municipalities/"} <= {path for path, *_ in lists}
    for path, operation, component in lists:
        if "{" in path:
            continue
        properties = set(component["properties"])
        parameters = {parameter["name"] for parameter in operation["parameters"]}
        body = api.get(path, {"page_size": 1}).json()
        assert set(body) == properties, path
        assert set(component["required"]) == properties, path
        if "count" in properties:  # numbered pages
            assert {"page", "page_size"} <= parameters and "cursor" not in parameters, path
        else:  # a cursor
            assert {"cursor", "page_size"} <= parameters and "page" not in parameters, path
        assert "null" in component["properties"]["next"]["description"], path


def test_the_api_root_is_in_the_schema(served_schema):
    operation = served_schema["paths"]["/api/v1/"]["get"]
    assert operation["operationId"] == "api_root"
