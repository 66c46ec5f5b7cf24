"""The shared world of roles is what it says it is."""

import itertools

import pytest

from organisations.models import Organisation
from partnerships.choices import LinkState, Status
from partnerships.models import Partnership
from tests.roles import ROLE_NAMES


def test_every_role_is_a_distinct_user(roles):
    users = [roles.user(name) for name in ROLE_NAMES]
    assert not users[0].is_authenticated
    assert len({user.pk for user in users[1:]}) == len(ROLE_NAMES) - 1
    assert all(user.emailaddress_set.filter(verified=True).exists() for user in users[1:])
    assert roles.municipality.county_id != roles.other_municipality.county_id
    assert roles.organisation.verified
    assert list(roles.organisation.municipalities.all()) == [roles.municipality]
    with pytest.raises(KeyError):
        roles.user("nobody")


@pytest.mark.parametrize("status", Status.values)
def test_partnership_in_any_status(roles, status):
    partnership = roles.partnership_in(status, title="Leksehjelp")
    partnership.full_clean()
    assert Partnership.objects.get(pk=partnership.pk).status == status
    assert partnership.title == "Leksehjelp"
    assert {link.state for link in partnership.municipality_links.all()} == {LinkState.CONFIRMED}
    assert {link.state for link in partnership.organisation_links.all()} == {LinkState.CONFIRMED}
    steps = [(e.from_status, e.to_status) for e in partnership.events.order_by("id")]
    if status == Status.DRAFT:
        assert steps == []
    else:
        assert steps[0] == (Status.DRAFT, Status.UNDER_REVIEW)
        assert steps[-1][1] == status
        assert all(a[1] == b[0] for a, b in itertools.pairwise(steps))


def test_the_unrepresented_organisation_is_made_on_first_use_only(roles):
    assert Organisation.objects.count() == 2
    organisation = roles.unrepresented_organisation
    assert roles.unrepresented_organisation == organisation  # the same one each time
    assert Organisation.objects.count() == 3
    assert not organisation.memberships.exists()
    assert organisation not in (roles.organisation, roles.other_organisation)


def test_unverify_keeps_the_people(roles):
    organisation = roles.unverify(roles.organisation)
    assert not Organisation.objects.get(pk=organisation.pk).verified
    assert not organisation.verified and organisation.verified_by is None
    assert roles.representative.memberships.get().organisation == organisation
    assert Organisation.objects.get(pk=roles.other_organisation.pk).verified
