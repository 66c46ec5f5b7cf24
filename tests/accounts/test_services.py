"""Self-registration: the account rules administrators' accounts follow, and no special role."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.services import user_register
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = {"username": "ola", "email": "Ola@Example.org", "first_name": "Ola",
        "last_name": "Hansen", "password": "Frivillig-2026!"}  # fmt: skip


def test_registers_an_ordinary_active_user():
    user = user_register(**GOOD)
    assert user.check_password("Frivillig-2026!")
    assert user.email == "Ola@example.org"
    assert (user.is_active, user.is_staff, user.is_superuser, user.is_analyst) == (
        True, False, False, False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("change", "bad_field"),
    [({"password": "123"}, "password"), ({"password": ""}, "password"),
     ({"email": "taken@example.org"}, "email"), ({"username": "taken"}, "username")],
)  # fmt: skip
def test_refuses_what_the_account_rules_refuse(change, bad_field):
    UserFactory(username="taken", email="TAKEN@example.org")
    with pytest.raises(ValidationError) as error:
        user_register(**{**GOOD, **change})
    assert bad_field in error.value.message_dict
    assert User.objects.count() == 1


# --- removing members (the API's side is in test_api.py) -------------------------------------


def test_membership_delete_rules():
    from django.core.exceptions import PermissionDenied

    from accounts.choices import MembershipRole
    from accounts.models import Membership
    from accounts.services import membership_delete
    from tests.factories import MembershipFactory, MunicipalityFactory, admin_user

    oslo = MunicipalityFactory(name="Oslo")
    first = MembershipFactory(municipality=oslo)
    second = MembershipFactory(municipality=oslo)

    with pytest.raises(PermissionDenied, match="another coordinator of Oslo"):
        membership_delete(membership=second, actor=first.user)
    membership_delete(membership=second, actor=second.user)  # leaves: one is left
    with pytest.raises(PermissionDenied, match="last coordinator of Oslo"):
        membership_delete(membership=first, actor=first.user)
    membership_delete(membership=first, actor=admin_user())
    assert not Membership.objects.filter(municipality=oslo, role=MembershipRole.COORDINATOR)
