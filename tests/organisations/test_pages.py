"""The organisation pages: list, profile, history, registration, editing, verification and
the organisation-number check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import MembershipRole
from accounts.models import Membership
from organisations.choices import OrganisationKind
from organisations.models import Organisation, OrganisationCategory
from organisations.services import organisation_update
from partnerships.choices import Status
from tests.factories import (
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
    analyst,
    coordinator_of,
    organisation_in,
    representative_of,
)

pytestmark = pytest.mark.django_db

LIST = "/organisations/"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}
VALID_NUMBER = "974760673"  # Brønnøysundregistrene's own


def detail_url(organisation) -> str:
    return reverse("organisation-detail", args=[organisation.pk])


def sign_in(client, user):
    if user.is_authenticated:
        client.force_login(user)
    return client


def form_data(**overrides) -> dict:
    data = {
        "name": "Nabolagshjelpen",
        "country": "NO",
        "org_number": "974 760 673",
        "kind": OrganisationKind.ASSOCIATION,
        "level": "local",
        "category_1": "4",
        "category_2": "1",
        "category_3": "",
        "description": "Hjelp i hverdagen.",
        "website": "https://nabolagshjelpen.example.no/",
        "email": "post@nabolagshjelpen.example.no",
        "phone": "+47 22 00 00 00",
        "contact_person": "Kari Hansen",
        "address": "Storgata 1, 0155 Oslo",
    }
    data.update(overrides)
    return data


# --- the list -------------------------------------------------------------------------------


def test_list_shows_organisations_without_contact_data(client):
    municipality = MunicipalityFactory(name="Tromsø")
    organisation = organisation_in(
        municipality, name="Tromsø turlag", email="hemmelig@turlag.example.no", verified=True
    )
    OrganisationFactory(name="Ikke verifisert lag")

    response = client.get(LIST)

    assert response.status_code == 200
    body = response.content.decode()
    # A plain link: the results section's hx-boost would load the profile into the list.
    assert f'<a hx-boost="false" href="{detail_url(organisation)}">Tromsø turlag</a>' in body
    assert organisation.org_id in body
    assert "Tromsø" in body
    assert "Not verified" in body and 'class="badge verified"' in body
    assert "hemmelig@turlag.example.no" not in body
    assert body.count("<h1") == 1


def test_list_filters_and_searches(client):
    OrganisationFactory(name="Kor i Bergen", kind=OrganisationKind.ASSOCIATION)
    OrganisationFactory(name="Frivilligsentralen", kind=OrganisationKind.VOLUNTEER_CENTRE)

    response = client.get(LIST, {"kind": OrganisationKind.VOLUNTEER_CENTRE})
    assert [o.name for o in response.context["table"].data] == ["Frivilligsentralen"]

    response = client.get(LIST, {"q": "bergen"})
    assert [o.name for o in response.context["table"].data] == ["Kor i Bergen"]


def test_list_htmx_request_gets_only_the_results(client):
    OrganisationFactory(name="Fragmentlaget")

    response = client.get(LIST, {"q": "Fragment"}, **HTMX)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="results"')
    assert "Fragmentlaget" in body
    assert "<html" not in body and "<h1" not in body
    assert "HX-Request" in response["Vary"]


def test_list_exports_csv_without_contact_data(client):
    organisation_in(MunicipalityFactory(name="Bodø"), name="Bodø kor", email="kor@example.no")

    response = client.get(LIST, {"_export": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content if response.streaming else [response.content])
    text = content.decode()
    assert "Bodø kor" in text and "Bodø" in text
    assert "kor@example.no" not in text


def test_list_exports_xlsx(client):
    OrganisationFactory()
    response = client.get(LIST, {"_export": "xlsx"})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]


def _make_organisations(count: int) -> None:
    municipalities = [MunicipalityFactory() for _ in range(4)]
    for _ in range(count):
        organisation_in(*municipalities, categories=["1", "4"])


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_rows(client, django_assert_max_num_queries):
    _make_organisations(3)
    few = _list_queries(client)
    _make_organisations(27)
    with django_assert_max_num_queries(few):
        many = _list_queries(client)
    assert many == few
    assert few <= 8  # no COUNT(*) of every row: counted up to a cap (registry.paginators)


def test_list_survives_a_page_out_of_range(client):
    OrganisationFactory()
    assert client.get(LIST, {"page": 999}).status_code == 200
    assert client.get(LIST, {"page": "x"}).status_code == 200


def _detail_queries(client, organisation) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(detail_url(organisation))
    assert response.status_code == 200
    return len(queries)


def test_profile_query_count_does_not_grow_with_its_partnerships(client):
    municipalities = [MunicipalityFactory() for _ in range(3)]
    organisation = organisation_in(*municipalities, categories=["1", "2", "3"])
    client.force_login(representative_of(organisation))

    def add_partnerships(count):
        for _ in range(count):
            PartnershipFactory(
                links__municipalities=municipalities, links__organisations={organisation: "lead"}
            )
            PartnershipFactory(
                status=Status.DRAFT,
                start_date=None,
                links__municipalities=municipalities,
                links__organisations={organisation: "lead"},
            )

    add_partnerships(3)
    few = _detail_queries(client, organisation)
    add_partnerships(27)
    assert _detail_queries(client, organisation) == few


# --- the profile ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_contact"),
    [
        ("anonymous", False),
        ("analyst", False),
        ("other_representative", False),
        ("representative", True),
        ("other_coordinator", True),  # a coordinator where the organisation does not operate
        ("admin", True),
    ],
)
def test_profile_shows_contact_details_only_to_those_allowed(client, roles, role, sees_contact):
    organisation = roles.organisation
    Organisation.objects.filter(pk=organisation.pk).update(
        name="Lillehammer besøkstjeneste",
        email="besok@example.no",
        contact_person="Per Persen",
        description="Besøksvenner for eldre.",
    )
    for rank, category in enumerate(["4", "1"], start=1):
        OrganisationCategory.objects.create(organisation=organisation, category=category, rank=rank)
    sign_in(client, roles.user(role))

    response = client.get(detail_url(organisation))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Lillehammer besøkstjeneste" in body
    assert organisation.org_id in body
    assert "Besøksvenner for eldre." in body
    # Ranked categories: the main one first.
    assert body.index("Social services") < body.index("Culture and recreation")
    assert ("besok@example.no" in body) is sees_contact
    assert ("Per Persen" in body) is sees_contact


def test_profile_of_an_unknown_organisation_is_404(client):
    assert client.get("/organisations/999999/").status_code == 404


def test_profile_lists_partnerships_and_proposals_to_those_who_may_see_them(client, roles):
    organisation = roles.organisation
    roles.partnership_in(Status.ACTIVE, title="Leksehjelp på biblioteket")
    roles.partnership_in(Status.UNDER_REVIEW, title="Sommerskole (forslag)")

    anonymous = client.get(detail_url(organisation)).content.decode()
    assert "Leksehjelp på biblioteket" in anonymous
    assert "Sommerskole (forslag)" not in anonymous

    for user, sees in [
        (roles.representative, True),
        (roles.coordinator, True),
        (roles.other_coordinator, False),
    ]:
        client.force_login(user)
        body = client.get(detail_url(organisation)).content.decode()
        assert "Leksehjelp på biblioteket" in body
        assert ("Sommerskole (forslag)" in body) is sees, user


@pytest.mark.parametrize(
    ("role", "edit", "verify", "history"),
    [
        ("anonymous", False, False, False),
        ("analyst", False, False, False),
        ("representative", True, False, True),
        ("coordinator", False, True, True),  # where the organisation operates
        ("other_coordinator", False, False, False),
        ("admin", True, True, True),
    ],
)
def test_profile_buttons_follow_the_permissions(client, roles, role, edit, verify, history):
    organisation = roles.unverify(roles.organisation)
    sign_in(client, roles.user(role))

    body = client.get(detail_url(organisation)).content.decode()

    assert (reverse("organisation-edit", args=[organisation.pk]) in body) is edit
    assert (reverse("organisation-verify", args=[organisation.pk]) in body) is verify
    assert (reverse("organisation-history", args=[organisation.pk]) in body) is history


def test_no_verify_button_once_verified(client, roles):
    organisation = roles.organisation  # verified
    client.force_login(roles.coordinator)
    body = client.get(detail_url(organisation)).content.decode()
    assert reverse("organisation-verify", args=[organisation.pk]) not in body
    assert 'class="badge verified"' in body


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("anonymous", False),
        ("plain", False),
        ("analyst", False),
        ("other_representative", False),
        ("coordinator", False),  # where the organisation operates
        ("admin", False),  # logs partnerships; proposing is the representatives'
        ("representative", True),
    ],
)
def test_the_representatives_next_step_is_proposing(client, roles, role, offered):
    """Only the organisation's representatives are offered to propose: in a "Next step" box
    while it has neither partnership nor proposal (just registered, not yet verified), then
    as a button under its partnerships."""
    organisation = roles.unverify(roles.organisation)
    sign_in(client, roles.user(role))
    propose = f'<a class="button" href="{reverse("partnership-create")}">Propose a partnership'

    body = client.get(detail_url(organisation)).content.decode()
    assert (propose in body) is offered
    assert ('id="next-step-heading"' in body) is offered
    assert ("You need not wait for the verification." in body) is offered

    roles.partnership_in(Status.DRAFT)
    body = client.get(detail_url(organisation)).content.decode()
    assert 'id="next-step-heading"' not in body
    assert body.count(propose) == (1 if offered else 0)
    if offered:  # under the partnerships, not above the profile
        assert body.index('id="partnerships-heading"') < body.index(propose)


# --- history --------------------------------------------------------------------------------


def test_history_shows_who_changed_what(client):
    organisation = OrganisationFactory(name="Gammelt navn")
    representative = representative_of(organisation, username="kari")
    organisation_update(
        organisation=organisation,
        user=representative,
        data={"name": "Nytt navn", "kind": OrganisationKind.VOLUNTEER_CENTRE},
    )
    client.force_login(representative)

    response = client.get(reverse("organisation-history", args=[organisation.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "kari" in body
    assert "Gammelt navn → Nytt navn" in body
    assert "Association → Volunteer centre" in body  # choice labels, not slugs


def test_history_shows_a_verification_readably(client):
    municipality = MunicipalityFactory()
    organisation = organisation_in(municipality)
    coordinator = coordinator_of(municipality, username="kari")
    client.force_login(coordinator)
    client.post(reverse("organisation-verify", args=[organisation.pk]))

    body = client.get(reverse("organisation-history", args=[organisation.pk])).content.decode()

    assert "no → yes" in body
    assert "– → kari" in body  # verified by: the username, not the user id
    assert "+00:00" not in body  # the moment formatted, not ISO


@pytest.mark.parametrize(
    ("role", "status"),
    [("analyst", 403), ("other_representative", 403), ("other_coordinator", 403)],
)
def test_history_is_forbidden_to_others(client, roles, role, status):
    organisation = roles.organisation
    client.force_login(roles.user(role))
    assert client.get(reverse("organisation-history", args=[organisation.pk])).status_code == 403


def test_history_asks_anonymous_users_to_sign_in(client):
    organisation = OrganisationFactory()
    url = reverse("organisation-history", args=[organisation.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- editing --------------------------------------------------------------------------------


def test_edit_form_shows_the_current_profile(client):
    oslo = MunicipalityFactory(name="Oslo")
    organisation = organisation_in(oslo, categories=["4", "1"], name="Tøyen leksehjelp")
    client.force_login(representative_of(organisation))

    response = client.get(reverse("organisation-edit", args=[organisation.pk]))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["name"].value() == "Tøyen leksehjelp"
    assert form["category_1"].value() == "4" and form["category_2"].value() == "1"
    assert form["municipalities"].value() == [oslo.pk]
    body = response.content.decode()
    assert f'<option value="{oslo.pk}" selected>Oslo</option>' in body  # the picker's select
    assert 'aria-live="polite"' in body
    # The check as typed does not call the organisation's own number "already registered".
    assert f'hx-vals="{{&quot;exclude&quot;: &quot;{organisation.pk}&quot;}}"' in body


def test_valid_edit_writes_through_the_service_and_redirects(client):
    oslo, bergen = MunicipalityFactory(name="Oslo"), MunicipalityFactory(name="Bergen")
    organisation = organisation_in(oslo, categories=["1"])
    representative = representative_of(organisation)
    client.force_login(representative)

    response = client.post(
        reverse("organisation-edit", args=[organisation.pk]),
        form_data(municipalities=[oslo.pk, bergen.pk]),
        follow=True,
    )

    assert response.redirect_chain == [(detail_url(organisation), 302)]
    assert "The profile is saved." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Nabolagshjelpen"
    assert organisation.org_number == VALID_NUMBER  # normalised by the service
    assert {m.pk for m in organisation.municipalities.all()} == {oslo.pk, bergen.pk}
    assert [c.category for c in organisation.categories.order_by("rank")] == ["4", "1"]
    assert organisation.history.first().history_user == representative


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"org_number": "123"}, "org_number", "it has the wrong number of digits"),
        ({"org_number": "974760674"}, "org_number", "the check digit does not match"),
        ({"org_number": ""}, "org_number", "required unless this is an informal group"),
        ({"category_2": "4"}, "category_1", "A category is listed twice"),
        ({"website": "not a url"}, "website", "Enter a valid URL"),
    ],
)
def test_invalid_edit_shows_the_error_beside_the_field_and_writes_nothing(
    client, overrides, field, message
):
    organisation = OrganisationFactory(name="Uendret")
    before = organisation.org_number
    client.force_login(representative_of(organisation))

    response = client.post(
        reverse("organisation-edit", args=[organisation.pk]), form_data(**overrides)
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body  # beside the field, tied with aria-describedby
    assert 'value="Nabolagshjelpen"' in body  # what was typed is kept
    organisation.refresh_from_db()
    assert (organisation.name, organisation.org_number) == ("Uendret", before)


def test_a_number_already_registered_is_refused(client):
    OrganisationFactory(name="Førstemann", org_number=VALID_NUMBER)
    organisation = OrganisationFactory()
    client.force_login(representative_of(organisation))
    response = client.post(reverse("organisation-edit", args=[organisation.pk]), form_data())
    errors = response.context["form"].errors["org_number"]
    assert "already registered: Førstemann" in " ".join(errors)


@pytest.mark.parametrize("role", ["analyst", "other_representative", "coordinator"])
def test_edit_is_forbidden_to_others(client, roles, role):
    organisation = roles.organisation  # the coordinator's municipality is where it operates
    name = organisation.name
    client.force_login(roles.user(role))
    url = reverse("organisation-edit", args=[organisation.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, form_data()).status_code == 403
    organisation.refresh_from_db()
    assert organisation.name == name


def test_edit_asks_anonymous_users_to_sign_in(client):
    organisation = OrganisationFactory()
    response = client.get(reverse("organisation-edit", args=[organisation.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- verification ---------------------------------------------------------------------------


def test_a_coordinator_where_it_operates_verifies(client):
    municipality = MunicipalityFactory()
    organisation = organisation_in(municipality)
    coordinator = coordinator_of(municipality)
    client.force_login(coordinator)

    response = client.post(reverse("organisation-verify", args=[organisation.pk]), follow=True)

    assert response.redirect_chain == [(detail_url(organisation), 302)]
    organisation.refresh_from_db()
    assert organisation.verified and organisation.verified_by == coordinator
    assert "is verified" in response.content.decode()


@pytest.mark.parametrize("role", ["representative", "other_coordinator", "analyst"])
def test_others_may_not_verify(client, roles, role):
    organisation = roles.unverify(roles.organisation)
    client.force_login(roles.user(role))
    response = client.post(reverse("organisation-verify", args=[organisation.pk]))
    assert response.status_code == 403
    organisation.refresh_from_db()
    assert not organisation.verified


def test_verify_needs_a_post(client):
    municipality = MunicipalityFactory()
    organisation = organisation_in(municipality)
    client.force_login(coordinator_of(municipality))
    response = client.get(reverse("organisation-verify", args=[organisation.pk]))
    assert response.status_code == 405
    organisation.refresh_from_db()
    assert not organisation.verified


# --- registering another organisation -------------------------------------------------------


def test_a_signed_in_user_registers_an_organisation(client):
    oslo = MunicipalityFactory(name="Oslo")
    user = coordinator_of(MunicipalityFactory())
    client.force_login(user)
    assert client.get(reverse("organisation-create")).status_code == 200

    response = client.post(
        reverse("organisation-create"), form_data(municipalities=[oslo.pk]), follow=True
    )

    organisation = Organisation.objects.get(name="Nabolagshjelpen")
    assert response.redirect_chain == [(detail_url(organisation), 302)]
    assert not organisation.verified
    assert organisation.created_by == user
    assert list(organisation.municipalities.all()) == [oslo]
    assert Membership.objects.filter(
        user=user, organisation=organisation, role=MembershipRole.REPRESENTATIVE
    ).exists()
    assert "awaits verification" in response.content.decode()


def test_an_informal_group_registers_without_a_number(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("organisation-create"),
        form_data(org_number="", kind=OrganisationKind.INFORMAL_GROUP),
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="Nabolagshjelpen").org_number == ""


def test_invalid_registration_keeps_the_input_and_writes_nothing(client):
    client.force_login(UserFactory())
    response = client.post(reverse("organisation-create"), form_data(org_number="12345"))
    assert response.status_code == 200
    assert "wrong number of digits" in " ".join(response.context["form"].errors["org_number"])
    assert 'value="12345"' in response.content.decode()
    assert not Organisation.objects.exists()
    assert not Membership.objects.exists()


def test_analysts_may_not_register_organisations(client):
    client.force_login(analyst())
    assert client.get(reverse("organisation-create")).status_code == 403
    assert client.post(reverse("organisation-create"), form_data()).status_code == 403
    assert not Organisation.objects.exists()


def test_registering_needs_a_signed_in_user(client):
    response = client.get(reverse("organisation-create"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- the organisation number, checked as it is typed ----------------------------------------


def check(client, **params):
    response = client.get(reverse("organisation-check-number"), params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def test_check_number_confirms_a_valid_number_with_its_org_id(client):
    body = check(client, country="NO", org_number="974 760 673")
    assert "✓ Valid Norwegian organisation number: NO-BRC-974760673" in body
    assert "<html" not in body


def test_check_number_explains_an_invalid_number(client):
    body = check(client, country="NO", org_number="123")
    assert (
        "“123” is not a valid Norwegian organisation number (9 digits): "
        "it has the wrong number of digits."
    ) in body
    assert "✓" not in body


def test_check_number_follows_the_country(client):
    assert "Valid Danish CVR number: DK-CVR-13585628" in check(
        client, country="DK", org_number="13585628"
    )
    assert "not a valid Norwegian" in check(client, country="NO", org_number="13585628")


def test_check_number_names_an_organisation_already_registered(client):
    existing = OrganisationFactory(name="Røde Kors Oslo", org_number=VALID_NUMBER)
    body = check(client, country="NO", org_number=VALID_NUMBER)
    assert "Already registered:" in body
    assert f'<a href="{detail_url(existing)}">Røde Kors Oslo</a>' in body
    # ... but not the organisation being edited.
    assert "✓ Valid" in check(
        client, country="NO", org_number=VALID_NUMBER, exclude=str(existing.pk)
    )


def test_check_number_is_quiet_for_an_empty_number_and_asks_for_a_country(client):
    assert check(client, country="NO", org_number="").strip() == ""
    assert "Choose the country first." in check(client, country="", org_number="123")


def test_the_form_wires_the_check_to_the_number_and_the_country(client):
    client.force_login(UserFactory())
    body = client.get(reverse("organisation-create")).content.decode()
    url = reverse("organisation-check-number")
    assert body.count(f'hx-get="{url}"') == 2  # the number field and the country select
    assert 'hx-trigger="keyup changed delay:500ms, change"' in body
    assert 'id="org-number-check" class="number-check" aria-live="polite"' in body


# --- the country starts at the user's own (issue 11) ----------------------------------------


def _country_select(html: str) -> str:
    import re

    return re.search(r'<select name="country".*?</select>', html, re.S)[0]


def _selected_country(html: str) -> list[str]:
    import re

    return re.findall(r'<option value="([A-Z]*)"[^>]*selected', _country_select(html))


@pytest.mark.parametrize(
    ("role", "country"),
    [
        ("plain", "NO"),
        ("coordinator_in_sweden", "SE"),
        ("representative_in_denmark", "DK"),
    ],
)
def test_registration_starts_at_the_users_country(client, role, country):
    if role == "plain":
        user = UserFactory()
    elif role == "coordinator_in_sweden":
        user = coordinator_of(MunicipalityFactory(country="SE", name="Lund"))
    else:
        user = representative_of(
            OrganisationFactory(country="DK", org_number="", kind=OrganisationKind.INFORMAL_GROUP)
        )
    client.force_login(user)
    html = client.get(reverse("organisation-create")).content.decode()
    assert _selected_country(html) == [country]
    select = _country_select(html)
    assert "---------" not in select and 'value=""' not in select


def test_editing_keeps_the_organisations_own_country(client):
    organisation = OrganisationFactory(
        country="DK", org_number="", kind=OrganisationKind.INFORMAL_GROUP
    )
    client.force_login(representative_of(organisation))
    html = client.get(reverse("organisation-edit", args=[organisation.pk])).content.decode()
    assert _selected_country(html) == ["DK"]


def test_registration_form_marks_required_fields(client):
    client.force_login(UserFactory())
    html = client.get(reverse("organisation-create")).content.decode()
    assert '<label for="id_name">Name <span class="required">(required)</span>' in html
    assert '<label for="id_org_number">' in html
    assert 'for="id_org_number">Organisation number <span class="required">' not in html
