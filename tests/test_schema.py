"""The OpenAPI schema: generated without a single warning, as an anonymous user would get it."""

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
