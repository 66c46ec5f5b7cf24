"""Account and membership services."""

import pytest

pytestmark = pytest.mark.django_db

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
