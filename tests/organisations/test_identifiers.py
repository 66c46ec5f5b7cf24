"""Organisation numbers: validation with clear messages, org-id, and the database's uniqueness."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organisations.identifiers import complete_org_number, normalise_org_number, org_id
from organisations.models import Organisation
from tests.factories import OrganisationFactory

# Real numbers: Norges Røde Kors (NO), Københavns Kommune's CVR (DK), a Swedish municipality (SE).
VALID = [
    ("NO", "864 139 442", "864139442"),
    ("DK", "64942212", "64942212"),
    ("SE", "212000-1355", "2120001355"),
]


@pytest.mark.parametrize(("country", "typed", "compact"), VALID)
def test_valid_numbers_are_normalised(country, typed, compact):
    assert normalise_org_number(country, typed) == compact


@pytest.mark.parametrize(
    ("country", "value", "expected"),
    [
        ("NO", "864139443", "check digit does not match"),
        ("NO", "86413944", "wrong number of digits"),
        ("NO", "86413944X", "only digits"),
        ("DK", "64942213", "check digit does not match"),
        ("SE", "2120001356", "check digit does not match"),
    ],
)
def test_invalid_numbers_get_a_message_that_says_what_is_wrong(country, value, expected):
    with pytest.raises(ValidationError) as error:
        normalise_org_number(country, value)
    message = error.value.messages[0]
    assert expected in message
    assert value in message


def test_org_id_prefixes():
    assert org_id("NO", "864139442") == "NO-BRC-864139442"
    assert org_id("DK", "64942212") == "DK-CVR-64942212"
    assert org_id("SE", "2120001355") == "SE-BLV-2120001355"
    assert org_id("NO", "") == ""


@pytest.mark.parametrize("country", ["NO", "DK", "SE"])
def test_complete_org_number_makes_valid_numbers(country):
    prefix = {"NO": "91234568", "DK": "3123456", "SE": "802123456"}[country]
    number = complete_org_number(country, prefix)
    assert normalise_org_number(country, number) == number


@pytest.mark.django_db
def test_model_clean_normalises_and_rejects():
    org = Organisation(name="Røde Kors", country="NO", org_number="864 139 442", kind="association")
    org.full_clean()
    assert org.org_number == "864139442"
    assert org.org_id == "NO-BRC-864139442"
    org.org_number = "864139443"
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "org_number" in error.value.message_dict


@pytest.mark.django_db
def test_only_an_informal_group_may_lack_a_number():
    Organisation(name="Nabolagsgruppa", country="NO", kind="informal_group").full_clean()
    with pytest.raises(ValidationError) as error:
        Organisation(name="Idrettslaget", country="NO", kind="association").full_clean()
    assert "org_number" in error.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_database_refuses_duplicate_number_and_missing_number():
    OrganisationFactory(org_number="864139442")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(org_number="864139442")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Lag", country="NO", kind="association", org_number="")
    # Two informal groups without numbers are fine.
    Organisation.objects.create(name="A", country="NO", kind="informal_group")
    Organisation.objects.create(name="B", country="NO", kind="informal_group")
