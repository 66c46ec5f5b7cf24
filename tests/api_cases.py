"""Shared test cases for the API's resources, after NetBox's ``APIViewTestCases``.

A resource's test class declares what it is and who may do what; the cases run each
action for every role of ``tests.roles.ROLE_NAMES``::

    class TestCountyAPI(ListCase, RetrieveCase):
        url = "/api/v1/counties/"
        model = County

        def make_object(self, roles):
            return roles.municipality.county

Every ``*_status`` table maps each role to the HTTP status it must get (all roles must be
named, so the table reads as the rule). For a write:

- an allowed role gets the success status and the write did what the data says;
- a refused role gets the refusal with an error body of ``detail`` only, nothing changed;
- a refused role gets the same refusal for a body that is not even valid (a user without
  the right learns nothing from validation: 403 before 400).

A single cell known to fail is marked in ``xfail = {("create", "plain"): "reason"}``
(strict: it fails once fixed, so the mark is removed).
"""

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest
from django.db import models

from tests.roles import ROLE_NAMES, Roles

SUCCESS = (200, 201, 202, 204)


def client_as(api_client, user):
    """``api_client`` acting as ``user`` (an anonymous user sends no credentials)."""
    api_client.force_authenticate(None)
    if user is not None and user.is_authenticated:
        api_client.force_authenticate(user)
    return api_client


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The stored values of ``obj``'s own columns."""
    fresh = type(obj)._base_manager.get(pk=obj.pk)
    return {f.attname: getattr(fresh, f.attname) for f in type(obj)._meta.concrete_fields}


class APICase:
    """What every case needs: the resource's URL and model, and one object to act on."""

    url: ClassVar[str]  # the list URL, e.g. "/api/v1/counties/"
    model: ClassVar[type[models.Model]]
    #: The roles that find the object made by ``make_object`` (others: 404 on its URL).
    visible_to: ClassVar[tuple[str, ...]] = ROLE_NAMES
    #: ``(action, role) -> reason`` for cells expected to fail, e.g. ``("update", "plain")``.
    xfail: ClassVar[Mapping[tuple[str, str], str]] = {}
    #: The table that decides each write's refused roles.
    _tables: ClassVar[dict[str, str]] = {"create": "create_status", "update": "update_status"}

    def make_object(self, roles: Roles) -> models.Model:
        raise NotImplementedError

    def detail_url(self, obj: models.Model) -> str:
        return f"{self.url}{obj.pk}/"

    def queryset(self) -> models.QuerySet:
        """What a create adds to (and a refused one must not)."""
        return self.model._base_manager.all()

    def table(self, name: str) -> dict[str, int]:
        table = getattr(self, name)
        missing = [role for role in ROLE_NAMES if role not in table]
        assert not missing, f"{type(self).__name__}.{name} names no status for {missing}"
        return dict(table)

    def pytest_generate_tests(self, metafunc) -> None:
        """Run each case once per role, with the declared expected-failure cells marked."""
        if "role" not in metafunc.fixturenames:
            return
        action = metafunc.function.__name__.removeprefix("test_")
        roles = ROLE_NAMES
        if action.endswith("_refused_before_validation"):
            table = self.table(self._tables[action.removesuffix("_refused_before_validation")])
            roles = tuple(role for role in ROLE_NAMES if table[role] not in SUCCESS)
        metafunc.parametrize(
            "role",
            [
                pytest.param(
                    role,
                    id=role,
                    marks=[pytest.mark.xfail(strict=True, reason=self.xfail[(action, role)])]
                    if (action, role) in self.xfail
                    else [],
                )
                for role in roles
            ],
        )

    def assert_refused(self, response, expected: int) -> None:
        assert response.status_code == expected, response.content
        assert set(response.json()) == {"detail"}, response.json()

    def assert_fields(self, obj: models.Model, data: Mapping[str, Any], response) -> None:
        """Each value sent is what the record now holds (a column) or what the API shows."""
        body = response.json() if response.content else {}
        fresh = type(obj)._base_manager.get(pk=obj.pk)
        columns = {f.name: f for f in type(obj)._meta.concrete_fields if not f.is_relation}
        for name, value in data.items():
            if name in columns:
                assert getattr(fresh, name) == columns[name].to_python(value), name
            elif name in body:
                assert body[name] == value, name


class ListCase(APICase):
    """``GET url``: the status for each role, and whether the object is listed."""

    list_status: ClassVar[Mapping[str, int]] = dict.fromkeys(ROLE_NAMES, 200)
    #: Roles that find the object in the list (default: ``visible_to``).
    listed_for: ClassVar[tuple[str, ...] | None] = None
    list_params: ClassVar[Mapping[str, Any]] = {"page_size": 100}

    def test_list(self, roles, api_client, role):
        obj = self.make_object(roles)
        response = client_as(api_client, roles.user(role)).get(self.url, self.list_params)
        expected = self.table("list_status")[role]
        if expected not in SUCCESS:
            self.assert_refused(response, expected)
            return
        assert response.status_code == expected, response.content
        ids = {row["id"] for row in response.json()["results"]}
        listed_for = self.visible_to if self.listed_for is None else self.listed_for
        assert (obj.pk in ids) == (role in listed_for)


class RetrieveCase(APICase):
    """``GET url/<pk>/``: 200 for the roles in ``visible_to``, 404 for the others."""

    retrieve_status: ClassVar[Mapping[str, int] | None] = None

    def test_retrieve(self, roles, api_client, role):
        obj = self.make_object(roles)
        response = client_as(api_client, roles.user(role)).get(self.detail_url(obj))
        if self.retrieve_status is None:
            expected = 200 if role in self.visible_to else 404
        else:
            expected = self.table("retrieve_status")[role]
        if expected != 200:
            self.assert_refused(response, expected)
            return
        assert response.status_code == 200, response.content
        assert response.json()["id"] == obj.pk


class CreateCase(APICase):
    """``POST url`` with ``create_data``: only the allowed roles add a record."""

    #: Roles whose refusal depends on the place the body names: an invalid body gets 400.
    invalid_create_status: ClassVar[Mapping[str, int]] = {}

    create_status: ClassVar[Mapping[str, int]]
    create_data: ClassVar[Mapping[str, Any]] = {}
    #: A body no role could save; a refused role must still get its refusal for it.
    invalid_create_data: ClassVar[Mapping[str, Any]] = {}

    def get_create_data(self, roles: Roles) -> dict[str, Any]:
        return dict(self.create_data)

    def get_invalid_create_data(self, roles: Roles) -> dict[str, Any]:
        return dict(self.invalid_create_data)

    def assert_created(self, roles: Roles, role: str, data: Mapping[str, Any], response) -> None:
        """What an allowed create must have done (extend for more)."""
        created = self.queryset().get(pk=response.json()["id"])
        self.assert_fields(created, data, response)

    def test_create(self, roles, api_client, role):
        self.make_object(roles)
        data = self.get_create_data(roles)
        before = self.queryset().count()
        response = client_as(api_client, roles.user(role)).post(self.url, data, format="json")
        expected = self.table("create_status")[role]
        if expected in SUCCESS:
            assert response.status_code == expected, response.content
            assert self.queryset().count() == before + 1
            self.assert_created(roles, role, data, response)
        else:
            self.assert_refused(response, expected)
            assert self.queryset().count() == before

    def test_create_refused_before_validation(self, roles, api_client, role):
        self.make_object(roles)
        before = self.queryset().count()
        response = client_as(api_client, roles.user(role)).post(
            self.url, self.get_invalid_create_data(roles), format="json"
        )
        if self.invalid_create_status.get(role) == 400:
            # A role that may create, but not for the place the body names: the body is what
            # names the place, so a body that names none it can read is a bad request.
            assert response.status_code == 400, response.content
            assert response.json()["errors"]
        else:
            self.assert_refused(response, self.table("create_status")[role])
        assert self.queryset().count() == before


class UpdateCase(APICase):
    """``PATCH url/<pk>/`` with ``update_data``: only the allowed roles change the record."""

    update_status: ClassVar[Mapping[str, int]]
    update_data: ClassVar[Mapping[str, Any]] = {}
    #: A change no role could save; a refused role must still get its refusal for it.
    invalid_update_data: ClassVar[Mapping[str, Any]] = {}

    def get_update_data(self, roles: Roles) -> dict[str, Any]:
        return dict(self.update_data)

    def get_invalid_update_data(self, roles: Roles) -> dict[str, Any]:
        return dict(self.invalid_update_data)

    def assert_updated(self, roles: Roles, obj, data: Mapping[str, Any], response) -> None:
        """What an allowed update must have done (extend for more)."""
        self.assert_fields(obj, data, response)

    def test_update(self, roles, api_client, role):
        obj = self.make_object(roles)
        data = self.get_update_data(roles)
        before = snapshot(obj)
        response = client_as(api_client, roles.user(role)).patch(
            self.detail_url(obj), data, format="json"
        )
        expected = self.table("update_status")[role]
        if expected in SUCCESS:
            assert response.status_code == expected, response.content
            self.assert_updated(roles, obj, data, response)
        else:
            self.assert_refused(response, expected)
            assert snapshot(obj) == before

    def test_update_refused_before_validation(self, roles, api_client, role):
        obj = self.make_object(roles)
        before = snapshot(obj)
        response = client_as(api_client, roles.user(role)).patch(
            self.detail_url(obj), self.get_invalid_update_data(roles), format="json"
        )
        self.assert_refused(response, self.table("update_status")[role])
        assert snapshot(obj) == before


class DeleteCase(APICase):
    """``DELETE url/<pk>/``: only the allowed roles remove the record."""

    delete_status: ClassVar[Mapping[str, int]]

    def assert_deleted(self, roles: Roles, obj, response) -> None:
        """What an allowed delete must have done (override where it is not a removal)."""
        assert not self.queryset().filter(pk=obj.pk).exists()

    def test_delete(self, roles, api_client, role):
        obj = self.make_object(roles)
        before = snapshot(obj)
        response = client_as(api_client, roles.user(role)).delete(self.detail_url(obj))
        expected = self.table("delete_status")[role]
        if expected in SUCCESS:
            assert response.status_code == expected, response.content
            self.assert_deleted(roles, obj, response)
        else:
            self.assert_refused(response, expected)
            assert snapshot(obj) == before
