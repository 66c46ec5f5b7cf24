"""Abuse limits of the API and the list pages: what a hostile or careless client sends
gets a clear 4xx answer in the registry's error shape, never a 500 or an unbounded page."""

import base64
import json

import pytest
from django.urls import reverse

from tests.factories import PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _cursor(querystring: str) -> str:
    return base64.b64encode(querystring.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("p=not-a-number"),  # a position the id ordering cannot compare with
        _cursor("p=2024-13-45"),
        _cursor("o=-5"),
        _cursor("r=x"),
        "%%%not-base64",
    ],
)
def test_a_tampered_cursor_answers_400(api_client, cursor):
    PartnershipFactory.create_batch(3)
    response = api_client.get("/api/v1/partnerships/", {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["errors"]


def test_a_tampered_cursor_on_a_date_ordering_answers_400(api_client):
    PartnershipFactory.create_batch(3)
    response = api_client.get(
        "/api/v1/partnerships/", {"ordering": "start_date", "cursor": _cursor("p=yesterday")}
    )
    assert response.status_code == 400, response.content


def test_a_real_cursor_still_pages(api_client):
    PartnershipFactory.create_batch(3)
    first = api_client.get("/api/v1/partnerships/", {"page_size": 2}).json()
    second = api_client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # Anonymous writes are refused before the body is read (401 before 400)...
        ("/api/v1/partnerships/", 401),
        # ...but the token endpoint reads an anonymous body: the nesting limit answers.
        ("/api/v1/auth/token/", 400),
    ],
)
def test_deeply_nested_json_from_an_anonymous_client_never_answers_500(api_client, path, expected):
    body = "[" * 100_000 + "]" * 100_000
    response = api_client.generic("POST", path, body, content_type="application/json")
    assert response.status_code == expected, response.content
    assert response["Content-Type"].startswith("application/json")
    if expected == 400:
        assert "nested" in response.json()["detail"].lower()


def test_deeply_nested_json_is_refused_for_a_signed_in_writer(api_client):
    api_client.force_authenticate(UserFactory(is_superuser=True))
    body = '{"title": ' + "[" * 5000 + "]" * 5000 + "}"
    response = api_client.generic(
        "POST", "/api/v1/partnerships/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "nested" in response.json()["detail"].lower()


def test_an_oversize_body_under_the_api_answers_json(api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api_client.force_authenticate(UserFactory(is_superuser=True))
    body = json.dumps({"title": "x" * 5000})
    response = api_client.generic(
        "POST", "/api/v1/partnerships/", body, content_type="application/json"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "too large" in response.json()["detail"].lower()


def test_not_found_is_translated(api_client):
    response = api_client.get("/api/v1/partnerships/999999/", HTTP_ACCEPT_LANGUAGE="nb")
    assert response.status_code == 404
    assert response.json() == {"detail": "Ikke funnet."}


def test_list_pages_cap_per_page(client):
    PartnershipFactory.create_batch(3)
    response = client.get(reverse("partnership-list"), {"per_page": 60000})
    assert response.status_code == 200
    assert response.context["table"].paginator.per_page == 100


def test_anonymous_api_requests_are_throttled(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "3/min",
        },
    }
    answers = [api_client.get("/api/v1/counties/").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = api_client.get("/api/v1/counties/")
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()


def test_signed_in_users_have_their_own_rate(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "1/min",
            "user": "2/min",
        },
    }
    api_client.force_authenticate(UserFactory())
    answers = [api_client.get("/api/v1/counties/").status_code for _ in range(3)]
    assert answers == [200, 200, 429]


# --- read-only fields -----------------------------------------------------------------------


def _partnership_body(partnership) -> dict:
    return {
        "title": partnership.title,
        "municipalities": [m.pk for m in partnership.municipalities.all()],
        "organisations": [o.pk for o in partnership.organisations.all()],
        "fields": ["culture"],
        "co_creation_type": "equal",
        "initiator": "municipality",
        "involvement_phase": "design",
        "goals_control": "shared",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "declined"),
        ("created_by", "someone"),
        ("derived_co_creation_type", "equal"),
        ("id", 12345),
    ],
)
def test_a_write_that_sets_a_read_only_field_answers_400_naming_it(api_client, field, value):
    partnership = PartnershipFactory(status="active")
    api_client.force_authenticate(UserFactory(is_superuser=True))
    before = partnership.status, partnership.title
    response = api_client.patch(
        f"/api/v1/partnerships/{partnership.pk}/", {field: value, "title": "Changed"}
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]
    partnership.refresh_from_db()
    assert (partnership.status, partnership.title) == before


def test_status_is_still_chosen_on_create(api_client):
    partnership = PartnershipFactory(status="active")
    api_client.force_authenticate(UserFactory(is_superuser=True))
    body = {**_partnership_body(partnership), "status": "completed", "start_date": "2024-01-01"}
    response = api_client.post("/api/v1/partnerships/", body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "completed"


def test_a_municipality_profile_refuses_its_reference_data(api_client):
    from tests.factories import MunicipalityFactory, coordinator_of

    municipality = MunicipalityFactory(name="Oslo")
    api_client.force_authenticate(coordinator_of(municipality))
    response = api_client.patch(
        f"/api/v1/municipalities/{municipality.pk}/", {"name": "Kristiania"}
    )
    assert response.status_code == 400
    assert "name" in response.json()["errors"]
    municipality.refresh_from_db()
    assert municipality.name == "Oslo"


def test_drf_messages_come_out_in_norwegian(api_client):
    from tests.factories import admin_user

    api_client.force_authenticate(admin_user())
    response = api_client.post(
        "/api/v1/partnerships/", {"title": {"not": "a string"}}, HTTP_ACCEPT_LANGUAGE="nb"
    )
    assert response.status_code == 400
    message = response.json()["errors"]["title"][0]
    assert message != "Not a valid string." and "gyldig" in message


def test_whole_list_downloads_are_throttled(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "exports": "2/hour",
        },
    }
    url = reverse("partnership-list")
    answers = [client.get(url, {"_export": "csv"}).status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    response = client.get(url, {"_export": "xlsx"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert client.get(url).status_code == 200  # the page itself is not limited


def test_the_token_endpoint_has_its_own_rate(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "token": "2/min",
        },
    }
    user = UserFactory(username="ola")
    body = {"username": user.username, "password": "correct horse battery"}
    answers = [api_client.post("/api/v1/auth/token/", body).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.parametrize("body", ["[null, null]", "42", '"text"', "null"])
def test_a_body_that_is_not_an_object_answers_400(api_client, body):
    from tests.factories import admin_user

    partnership = PartnershipFactory(status="active")
    answers = [
        api_client.generic("POST", "/api/v1/auth/token/", body, content_type="application/json")
    ]
    api_client.force_authenticate(admin_user())
    for action in ("confirm-link", "decline-link"):
        answers.append(
            api_client.generic(
                "POST",
                f"/api/v1/partnerships/{partnership.pk}/{action}/",
                body,
                content_type="application/json",
            )
        )
    for response in answers:
        assert response.status_code == 400, (response.wsgi_request.path, response.content)
        assert response["Content-Type"].startswith("application/json")
