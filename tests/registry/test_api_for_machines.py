"""The API for programs (issue 12): a root that lists the endpoints, the token accepted as
``Bearer`` as well as ``Token``, and request bodies as JSON only."""

import pytest

from accounts.tokens import token_get

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_every_endpoint_with_its_absolute_url(api_client):
    response = api_client.get("/api/v1/")
    assert response.status_code == 200
    endpoints = response.json()
    for name in [
        "auth/token",
        "counties",
        "municipalities",
        "organisations",
        "partnerships",
        "users",
        "memberships",
        "invitations",
        "stats/fields",
        "stats/co-creation",
        "stats/counties",
        "schema",
        "docs",
    ]:
        assert endpoints[name] == f"http://testserver/api/v1/{name}/", name
    # Only endpoints without an id in their path; never the catch-all 404.
    assert all("{" not in url and "(" not in url for url in endpoints.values())


def test_every_endpoint_the_root_lists_exists(api_client, roles):
    api_client.force_authenticate(roles.admin)
    for name, url in api_client.get("/api/v1/").json().items():
        response = api_client.get(url)
        # A POST-only endpoint answers 405 to GET; none answers the catch-all's 404.
        assert response.status_code in (200, 405), (name, response.status_code)


def test_the_root_does_not_swallow_unknown_paths_below_it(api_client):
    for path in ("/api/v1/nothing/", "/api/v1/partnerships/x/y/"):
        response = api_client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_the_token_is_accepted_with_either_keyword(api_client, roles, keyword):
    key = token_get(roles.coordinator).key
    response = api_client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"{keyword} {key}")
    assert response.status_code == 200
    assert response.json()["username"] == roles.coordinator.username


@pytest.mark.parametrize("keyword", ["Bearer", "Token"])
def test_a_wrong_key_is_refused_with_either_keyword(api_client, roles, keyword):
    response = api_client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"{keyword} not-a-key")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("header", ["Bearer", "Bearer two keys"])
def test_a_malformed_bearer_header_is_refused(api_client, header):
    response = api_client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert "Invalid token header" in response.json()["detail"]


def test_a_bearer_token_can_write(api_client, roles):
    key = token_get(roles.representative).key
    response = api_client.patch(
        f"/api/v1/organisations/{roles.organisation.pk}/",
        {"description": "Leksehjelp hver tirsdag."},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 200, response.content
    roles.organisation.refresh_from_db()
    assert roles.organisation.description == "Leksehjelp hver tirsdag."


def test_the_token_endpoint_takes_json(api_client, roles):
    response = api_client.post(
        "/api/v1/auth/token/",
        {"username": roles.coordinator.username, "password": "correct horse battery"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {"token": token_get(roles.coordinator).key}


@pytest.mark.parametrize("format_", ["multipart", "form"])
def test_the_token_endpoint_refuses_form_bodies(api_client, roles, format_):
    credentials = {"username": roles.coordinator.username, "password": "correct horse battery"}
    if format_ == "multipart":
        response = api_client.post("/api/v1/auth/token/", credentials, format="multipart")
    else:
        response = api_client.post(
            "/api/v1/auth/token/",
            "username=coordinator&password=correct+horse+battery",
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 415
    assert "detail" in response.json()
