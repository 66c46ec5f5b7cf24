"""Every write endpoint of the API asks the rules before it validates the body.

A user with no right who sends an invalid body gets 403 (or 404 for a record they may not
see), never a 400 listing field errors. The endpoints are read from the OpenAPI schema, so
a new write endpoint is covered (or must be named among the exceptions) without editing
this test.
"""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch", "delete")

#: Endpoints that need no right beyond what the body proves.
NO_RIGHT_NEEDED = {
    ("post", "/api/v1/auth/token/"),  # signing in: the body is the credentials
    ("post", "/api/v1/invitations/accept/"),  # the invitation's key is the right
}

#: Endpoints a plain signed-in user may use: any user who is not an analyst registers an
#: organisation (so the body is validated: 400).
PLAIN_USER_MAY = {("post", "/api/v1/organisations/")}

INVALID_BODY = {
    "title": ["not", "a", "title"],
    "municipalities": "many",
    "municipality": "not an id",
    "organisation": "not an id",
    "role": "emperor",
    "email": "not an address",
    "username": "",
    "comment": {"nested": True},
    "key": "",
    "name": "",
    "country": "XX",
    "volunteer_centres": "nope",
    "is_active": "perhaps",
}


def _write_endpoints() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in WRITE_METHODS
    )


def _url(path: str, roles, ids: dict[str, int]) -> str:
    resource = path.split("/")[3]
    return path.replace("{id}", str(ids[resource]))


@pytest.fixture
def ids(roles) -> dict[str, int]:
    return {
        "partnerships": roles.partnership_in("active").pk,
        "organisations": roles.organisation.pk,
        "municipalities": roles.municipality.pk,
        "users": roles.coordinator.pk,
        "memberships": roles.coordinator.memberships.get().pk,
        "invitations": InvitationFactory(municipality=roles.municipality).pk,
    }


def test_the_schema_lists_the_write_endpoints():
    endpoints = _write_endpoints()
    assert ("post", "/api/v1/partnerships/") in endpoints
    assert ("post", "/api/v1/partnerships/{id}/accept/") in endpoints
    assert set(endpoints) >= NO_RIGHT_NEEDED


@pytest.mark.parametrize("role", ["plain", "analyst"])
def test_no_right_and_an_invalid_body_answers_403_not_400(role, roles, ids, api_client):
    api_client.force_authenticate(roles.user(role))
    answers = {}
    for method, path in _write_endpoints():
        if (method, path) in NO_RIGHT_NEEDED:
            continue
        response = getattr(api_client, method)(_url(path, roles, ids), INVALID_BODY, format="json")
        answers[f"{method.upper()} {path}"] = response.status_code
    expected = {}
    for endpoint in answers:
        method, path = endpoint.split(" ")
        if role == "plain" and (method.lower(), path) in PLAIN_USER_MAY:
            expected[endpoint] = 400
        elif method == "DELETE":
            # Memberships and invitations of others are not even found.
            expected[endpoint] = 404
        else:
            expected[endpoint] = 403
    assert answers == expected


def test_anonymous_writes_answer_401_or_403(roles, ids, api_client):
    for method, path in _write_endpoints():
        if (method, path) in NO_RIGHT_NEEDED:
            continue
        response = getattr(api_client, method)(_url(path, roles, ids), INVALID_BODY, format="json")
        assert response.status_code in (401, 403), (method, path, response.status_code)
