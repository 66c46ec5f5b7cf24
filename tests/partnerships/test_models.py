"""Database constraints and the create service: bad input is refused and nothing is half-written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships.choices import Status
from partnerships.models import Partnership, PartnershipField
from partnerships.services import partnership_create
from tests.factories import MunicipalityFactory, OrganisationFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def _valid(**overrides):
    data = {
        "title": "Språkkafé",
        "municipalities": [MunicipalityFactory()],
        "organisations": {OrganisationFactory(): "lead"},
        "fields": ["inclusion", "culture"],
        "forms": ["premises", "dialogue"],
        "co_creation_type": "equal",
        "initiator": "local_civic",
        "involvement_phase": "implementation",
        "goals_control": "shared",
        "agreement": "written",
        "status": "active",
        "start_date": datetime.date(2024, 1, 15),
    }
    data.update(overrides)
    return data


def test_create_writes_partnership_with_links_and_derived_type():
    partnership = partnership_create(**_valid())
    assert sorted(partnership.field_values) == ["culture", "inclusion"]
    assert sorted(partnership.form_values) == ["dialogue", "premises"]
    assert partnership.municipalities.count() == 1
    assert partnership.organisation_links.get().role == "lead"
    # Shared control but volunteers only came in at implementation: municipality-led in practice.
    assert partnership.derived_co_creation_type == "municipality_led"
    assert partnership.history.count() == 1


@pytest.mark.parametrize(
    ("overrides", "bad_fields"),
    [
        ({"end_date": datetime.date(2023, 1, 1)}, {"end_date"}),
        ({"start_date": None}, {"start_date"}),
        ({"fields": []}, {"fields"}),
        ({"fields": ["knitting"]}, {"fields"}),
        ({"forms": ["lottery"]}, {"forms"}),
        ({"municipalities": []}, {"municipalities"}),
        ({"organisations": {}}, {"organisations"}),
        ({"initiator": "mayor", "agreement": "handshake"}, {"initiator", "agreement"}),
        ({"municipal_contribution": Decimal("-1")}, {"municipal_contribution"}),
        ({"promoting_factors": ["luck"]}, {"promoting_factors"}),
    ],
)
def test_create_names_every_bad_field_and_writes_nothing(overrides, bad_fields):
    with pytest.raises(ValidationError) as error:
        partnership_create(**_valid(**overrides))
    assert set(error.value.message_dict) == bad_fields
    assert Partnership.objects.count() == 0
    assert PartnershipField.objects.count() == 0


def test_unknown_field_message_lists_the_choices():
    with pytest.raises(ValidationError) as error:
        partnership_create(**_valid(fields=["knitting"]))
    message = error.value.message_dict["fields"][0]
    assert "knitting" in message and "children_youth" in message


def test_proposal_may_lack_start_date():
    partnership = partnership_create(**_valid(status=Status.DRAFT, start_date=None))
    assert partnership.start_date is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "update",
    [
        {"end_date": datetime.date(2024, 2, 1)},  # before the factory's start date
        {"municipal_contribution": Decimal("-100")},
        {"start_date": None},  # an active partnership
        {"volunteer_hours": -5},
    ],
)
def test_database_constraints_hold_without_model_validation(update):
    partnership = PartnershipFactory(start_date=datetime.date(2024, 3, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.filter(pk=partnership.pk).update(**update)


@pytest.mark.django_db(transaction=True)
def test_same_field_twice_is_refused_by_the_database():
    partnership = PartnershipFactory(links__fields=["sport"])
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipField.objects.create(partnership=partnership, field="sport")
