"""The OpenAPI description of the accounts, municipality and organisation endpoints."""

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

ERROR = {"$ref": "#/components/schemas/Error"}


@pytest.fixture(scope="module")
def schema():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.accounts.schema_urls").get_schema(public=True)
    warnings = dict(GENERATOR_STATS._warn_cache)
    errors = dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    return schema, warnings, errors


def test_schema_is_valid_without_warnings(schema):
    document, warnings, errors = schema
    validate_schema(document)
    assert (warnings, errors) == ({}, {})


def error_of(operation, code: str):
    return operation["responses"][code]["content"]["application/json"]["schema"]


WRITES = [
    ("/api/v1/organisations/", "post", ["400", "401", "403"]),
    ("/api/v1/organisations/{id}/", "patch", ["400", "401", "403", "404"]),
    ("/api/v1/organisations/{id}/verify/", "post", ["401", "403", "404"]),
    ("/api/v1/organisations/{id}/history/", "get", ["401", "403", "404"]),
    ("/api/v1/municipalities/{id}/", "put", ["400", "401", "403", "404"]),
    ("/api/v1/users/", "get", ["401", "403"]),
    ("/api/v1/users/", "post", ["400", "401", "403"]),
    ("/api/v1/users/me/", "get", ["401"]),
    ("/api/v1/memberships/", "post", ["400", "401", "403"]),
    ("/api/v1/memberships/{id}/", "delete", ["401", "403", "404"]),
    ("/api/v1/auth/token/", "post", ["400"]),
]


@pytest.mark.parametrize(("path", "method", "codes"), WRITES)
def test_errors_are_described_with_the_shared_body(schema, path, method, codes):
    operation = schema[0]["paths"][path][method]
    for code in codes:
        assert error_of(operation, code) == ERROR, (path, method, code)


def test_contact_fields_are_documented_as_nullable(schema):
    properties = schema[0]["components"]["schemas"]["Organisation"]["properties"]
    for field in ("email", "phone", "contact_person", "address"):
        assert properties[field]["nullable"] is True
        assert "analysts" in properties[field]["description"]


def test_organisation_list_is_cursor_paginated_with_its_filters(schema):
    operation = schema[0]["paths"]["/api/v1/organisations/"]["get"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"cursor", "country", "kind", "level", "municipality", "category", "verified", "q"} <= (
        parameters
    )
    assert "page" not in parameters
