"""factory_boy factories for every model; tests build their data with these."""

import datetime

import factory

from accounts.choices import MembershipRole
from accounts.models import Membership, User
from municipalities.choices import Country
from municipalities.models import County, Municipality, VolunteerCentre
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
    """A valid Norwegian organisation number, unique for each ``n``."""
    for k in range(10):
        number = complete_org_number(Country.NORWAY, f"9{(n * 10 + k) % 10_000_000:07d}")
        if number:
            return number
    raise AssertionError(f"no valid organisation number near {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def email_confirmed(self, create, extracted, **kwargs):
        """Users have confirmed their address unless built with ``email_confirmed=False``."""
        if create and self.email and extracted is not False:
            from accounts.emails import mark_confirmed

            mark_confirmed(self)


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


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = MembershipRole.COORDINATOR
    municipality = factory.SubFactory(MunicipalityFactory)


def coordinator_of(*municipalities, **user_fields) -> User:
    """A user who coordinates the given municipalities."""
    user = UserFactory(**user_fields)
    for municipality in municipalities:
        Membership.objects.create(
            user=user, role=MembershipRole.COORDINATOR, municipality=municipality
        )
    return user


def representative_of(*organisations, **user_fields) -> User:
    """A user who represents the given organisations."""
    user = UserFactory(**user_fields)
    for organisation in organisations:
        Membership.objects.create(
            user=user, role=MembershipRole.REPRESENTATIVE, organisation=organisation
        )
    return user


def analyst(**user_fields) -> User:
    return UserFactory(is_analyst=True, **user_fields)


def admin_user(**user_fields) -> User:
    return UserFactory(is_superuser=True, is_staff=True, **user_fields)


class VolunteerCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerCentre

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Frivilligsentral {n}")
    website = factory.LazyAttribute(lambda c: f"https://sentral{c.municipality.pk}.example.no/")


def organisation_in(*municipalities, categories=(), **fields) -> Organisation:
    """An organisation operating in ``municipalities``, with ranked ICNPO ``categories``."""
    from organisations.models import OrganisationCategory

    organisation = OrganisationFactory(**fields)
    organisation.municipalities.set(municipalities)
    for rank, category in enumerate(categories, start=1):
        OrganisationCategory.objects.create(organisation=organisation, category=category, rank=rank)
    return organisation


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation to coordinate a municipality, as if its e-mail had been sent.

    The key of its link is ``invitation.key`` (pass ``key="..."`` to choose it); only its
    hash is stored.
    """

    class Meta:
        model = "accounts.Invitation"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"invited{n}@example.no")
    role = MembershipRole.COORDINATOR
    municipality = factory.SubFactory(MunicipalityFactory)
    organisation = None
    invited_by = None
    sent_at = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC))

    @factory.post_generation
    def key(obj, create, extracted, **kwargs):
        from accounts.models import hash_invitation_key

        if extracted:
            obj.key, obj.key_hash = extracted, hash_invitation_key(extracted)
        else:
            obj.key = obj.new_key()
        if create:
            obj.save(update_fields=["key_hash"])
