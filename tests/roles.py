"""One world of roles for every test that asks "who may do this?".

The ``roles`` fixture gives two municipalities in two counties, two verified organisations
and a person in every role the access rules know::

    def test_something(roles, api_client):
        partnership = roles.partnership_in("under_review")
        user = roles.user("coordinator")

A few extras are made only when a test asks for them, so the world of every other test stays
the same: ``roles.unrepresented_organisation`` (an organisation nobody represents). And
``roles.unverify(roles.organisation)`` takes its verification back, for the tests of verifying.

``ROLE_NAMES`` lists the roles in the order the rules tables are written.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships.choices import PROPOSAL_STATUSES, Status
from partnerships.models import Partnership, PartnershipEvent
from tests.factories import (
    CountyFactory,
    MunicipalityFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
    admin_user,
    analyst,
    coordinator_of,
    organisation_in,
    representative_of,
)

ROLE_NAMES = (
    "anonymous",
    "plain",
    "representative",
    "other_representative",
    "coordinator",
    "other_coordinator",
    "analyst",
    "admin",
)

# The workflow steps that bring a proposal of ``organisation`` to each status, as
# (action, from status, to status, who takes it). A draft has none.
_SUBMIT = ("submit", Status.DRAFT, Status.UNDER_REVIEW, "representative")
_ACCEPT = ("accept", Status.UNDER_REVIEW, Status.ACTIVE, "coordinator")
_PATHS: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    Status.DRAFT: (),
    Status.UNDER_REVIEW: (_SUBMIT,),
    Status.CHANGES_REQUESTED: (
        _SUBMIT,
        ("request_changes", Status.UNDER_REVIEW, Status.CHANGES_REQUESTED, "coordinator"),
    ),
    Status.DECLINED: (
        _SUBMIT,
        ("decline", Status.UNDER_REVIEW, Status.DECLINED, "coordinator"),
    ),
    Status.ACTIVE: (_SUBMIT, _ACCEPT),
    Status.COMPLETED: (
        _SUBMIT,
        _ACCEPT,
        ("complete", Status.ACTIVE, Status.COMPLETED, "coordinator"),
    ),
    Status.DISCONTINUED: (
        _SUBMIT,
        _ACCEPT,
        ("discontinue", Status.ACTIVE, Status.DISCONTINUED, "coordinator"),
    ),
}
_COMMENTED = {"request_changes", "decline", "discontinue"}

START = datetime.date(2024, 3, 1)
END = datetime.date(2025, 1, 31)


@dataclass
class Roles:
    municipality: Municipality
    other_municipality: Municipality
    organisation: Organisation
    other_organisation: Organisation
    anonymous: AnonymousUser
    plain: User
    representative: User
    other_representative: User
    coordinator: User
    other_coordinator: User
    analyst: User
    admin: User

    def user(self, name: str) -> User | AnonymousUser:
        """The user playing role ``name`` (one of ``ROLE_NAMES``)."""
        if name not in ROLE_NAMES:
            raise KeyError(f"no role {name!r}; the roles are {', '.join(ROLE_NAMES)}")
        return getattr(self, name)

    def unverify(self, organisation: Organisation) -> Organisation:
        """``organisation`` (verified in this world) as a registration nobody has verified yet;
        its representative and the coordinators where it operates stay who they are."""
        Organisation.objects.filter(pk=organisation.pk).update(
            verified=False, verified_at=None, verified_by=None
        )
        organisation.refresh_from_db()
        return organisation

    @cached_property
    def unrepresented_organisation(self) -> Organisation:
        """An organisation nobody represents and that operates nowhere yet, made on first use:
        a link to it cannot await a representative's answer (it is vouched for instead)."""
        return OrganisationFactory(name="Tromsø kor")

    def partnership_in(self, status: str, **kwargs) -> Partnership:
        """A partnership of ``municipality`` and ``organisation`` (lead), both links confirmed,
        in ``status``, as if ``organisation`` had proposed it and ``municipality`` answered.

        Its events are the workflow steps that lead to ``status`` (none for a draft), its
        start date is set once established and its end date once ended. ``kwargs`` go to
        ``PartnershipFactory`` (e.g. ``title=``, ``links__fields=[...]``).
        """
        if status not in _PATHS:
            raise ValueError(f"unknown status {status!r}")
        attributes = {
            "status": status,
            "created_by": self.representative,
            "start_date": None if status in PROPOSAL_STATUSES else START,
            "end_date": END if status in (Status.COMPLETED, Status.DISCONTINUED) else None,
            "links__municipalities": [self.municipality],
            "links__organisations": {self.organisation: "lead"},
        }
        attributes.update(kwargs)
        partnership = PartnershipFactory(**attributes)
        for action, from_status, to_status, actor in _PATHS[status]:
            PartnershipEvent.objects.create(
                partnership=partnership,
                action=action,
                from_status=from_status,
                to_status=to_status,
                actor=getattr(self, actor),
                comment="A reason." if action in _COMMENTED else "",
                notified_at=datetime.datetime.now(datetime.UTC),
            )
        return partnership


def make_roles() -> Roles:
    """Build the world (needs database access)."""
    municipality = MunicipalityFactory(name="Oslo", county=CountyFactory(name="Oslo fylke"))
    other_municipality = MunicipalityFactory(name="Bergen", county=CountyFactory(name="Vestland"))
    organisation = organisation_in(municipality, name="Oslo Røde Kors", verified=True)
    other_organisation = organisation_in(other_municipality, name="Bergen kor", verified=True)
    return Roles(
        municipality=municipality,
        other_municipality=other_municipality,
        organisation=organisation,
        other_organisation=other_organisation,
        anonymous=AnonymousUser(),
        plain=UserFactory(username="plain"),
        representative=representative_of(organisation, username="representative"),
        other_representative=representative_of(other_organisation, username="other_representative"),
        coordinator=coordinator_of(municipality, username="coordinator"),
        other_coordinator=coordinator_of(other_municipality, username="other_coordinator"),
        analyst=analyst(username="analyst"),
        admin=admin_user(username="admin"),
    )


@pytest.fixture
def roles(db) -> Roles:
    """Two places, two organisations and one user in each of ``ROLE_NAMES``."""
    return make_roles()
