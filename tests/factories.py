"""factory_boy factories for every model; tests build their data with these."""

import datetime

import factory

from accounts.models import User
from municipalities.choices import Country
from municipalities.models import County, Municipality
from organisations.choices import OrganisationKind
from organisations.identifiers import complete_org_number
from organisations.models import Organisation
from partnerships.choices import (
    Agreement,
    CoCreationType,
    GoalsControl,
    Initiator,
    InvolvementPhase,
    Status,
)
from partnerships.models import Partnership
from partnerships.services import set_links


def norwegian_org_number(n: int) -> str:
    """A valid Norwegian organisation number derived from ``n``."""
    while (number := complete_org_number(Country.NORWAY, f"9{n % 10_000_000:07d}")) is None:
        n += 1
    return number


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery")


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("country", "code")

    country = Country.NORWAY
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Testfylke {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    country = Country.NORWAY
    code = factory.Sequence(lambda n: f"X{n:04d}")
    name = factory.Sequence(lambda n: f"Testkommune {n}")
    county = factory.SubFactory(CountyFactory, country=factory.SelfAttribute("..country"))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testlag {n}")
    country = Country.NORWAY
    org_number = factory.Sequence(norwegian_org_number)
    kind = OrganisationKind.ASSOCIATION


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A partnership with one municipality, one organisation and one field.

    Pass ``municipalities=[...]``, ``organisations={org: role}``, ``fields=[...]`` and
    ``forms=[...]`` to choose the links.
    """

    class Meta:
        model = Partnership
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Samarbeid {n}")
    co_creation_type = CoCreationType.EQUAL
    initiator = Initiator.MUNICIPALITY
    involvement_phase = InvolvementPhase.DESIGN
    goals_control = GoalsControl.SHARED
    agreement = Agreement.WRITTEN
    status = Status.ACTIVE
    start_date = datetime.date(2024, 3, 1)

    @factory.post_generation
    def links(obj, create, extracted, **kwargs):
        if not create:
            return
        municipalities = kwargs.get("municipalities") or [MunicipalityFactory()]
        organisations = kwargs.get("organisations") or {OrganisationFactory(): "lead"}
        set_links(
            obj,
            municipalities=municipalities,
            organisations=organisations,
            fields=kwargs.get("fields") or ["culture"],
            forms=kwargs.get("forms") or [],
        )
