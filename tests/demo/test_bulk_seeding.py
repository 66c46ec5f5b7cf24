"""The fast seeding path (``demo.loading``): what it writes is consistent, complete and
reproducible, and the database is left as the ORM expects it (sequences, indexes, keys).

Every test runs on SQLite and on PostgreSQL (``DATABASE_URL``); the PostgreSQL-only ones
(indexes and foreign keys dropped and put back) skip on SQLite.
"""

import datetime
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from demo.generator import DEMO_ROLE_PARTNERSHIPS, reset_demo_data, seed_demo
from municipalities.models import Municipality
from municipalities.services import load_reference_data
from organisations.models import Organisation, OrganisationCategory
from partnerships.choices import (
    ESTABLISHED_STATUSES,
    PROPOSAL_STATUSES,
    OrganisationRole,
    Status,
)
from partnerships.models import (
    Partnership,
    PartnershipEvent,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
)
from partnerships.rules import derive_co_creation_type
from partnerships.services import partnership_create

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 1)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="indexes and keys are dropped on PostgreSQL only"
)
# The columns a partnership's "demo data" history row repeats.
COPIED = (
    "id",
    "title",
    "description",
    "co_creation_type",
    "derived_co_creation_type",
    "initiator",
    "involvement_phase",
    "goals_control",
    "agreement",
    "status",
    "start_date",
    "end_date",
    "municipal_contribution",
    "currency",
    "volunteer_hours",
    "people_reached",
    "promoting_factors",
    "hindering_factors",
    "outcomes",
    "created_at",
    "created_by_id",
)


@pytest.fixture
def reference():
    load_reference_data()


def _bulk(queryset):
    """The seeded partnerships, without the demo logins' own (made through the services)."""
    return queryset.exclude(pk__in=_demo_role_ids())


def _demo_role_ids() -> list[int]:
    return list(Partnership.objects.order_by("-pk").values_list("pk", flat=True))[
        :DEMO_ROLE_PARTNERSHIPS
    ]


def _fingerprint() -> list[tuple]:
    """Everything seeded, ids made relative, organisations named: equal for equal data."""
    ids = list(Partnership.objects.order_by("pk").values_list("pk", flat=True))
    first = ids[0]
    organisations = {
        pk: (country, name, number)
        for pk, country, name, number in Organisation.objects.values_list(
            "pk", "country", "name", "org_number"
        )
    }
    links: dict[int, list] = {pk: [] for pk in ids}
    for pk, municipality in PartnershipMunicipality.objects.values_list(
        "partnership_id", "municipality_id"
    ):
        links[pk].append(("m", municipality))
    for pk, organisation, role in PartnershipOrganisation.objects.values_list(
        "partnership_id", "organisation_id", "role"
    ):
        links[pk].append(("o", organisations[organisation], role))
    for pk, field in PartnershipField.objects.values_list("partnership_id", "field"):
        links[pk].append(("f", field))
    for pk, form in PartnershipForm.objects.values_list("partnership_id", "form"):
        links[pk].append(("c", form))
    fields = [f for f in COPIED if f not in ("id", "created_at", "created_by_id")]
    return [
        (row[0] - first, *row[1:], sorted(links[row[0]], key=repr))
        for row in Partnership.objects.order_by("pk").values_list(
            "pk", *fields, "created_by__username"
        )
    ] + sorted(organisations.values())


def test_every_partnership_is_complete_and_consistent(reference):
    result = seed_demo(partnerships=1_500, today=TODAY)
    assert Partnership.objects.count() == result.partnerships == 1_500
    partnerships = _bulk(Partnership.objects.all())
    assert partnerships.count() == 1_500 - DEMO_ROLE_PARTNERSHIPS

    # Each has one municipality link or two (inter-municipal), one lead organisation and
    # at most two partners, a field or two and at least one form; all confirmed.
    municipalities = Counter(
        PartnershipMunicipality.objects.filter(partnership__in=partnerships).values_list(
            "partnership_id", flat=True
        )
    )
    assert set(municipalities.values()) == {1, 2}
    assert len(municipalities) == partnerships.count()
    leads = Counter(
        PartnershipOrganisation.objects.filter(
            partnership__in=partnerships, role=OrganisationRole.LEAD
        ).values_list("partnership_id", flat=True)
    )
    assert len(leads) == partnerships.count() and set(leads.values()) == {1}
    organisations = Counter(
        PartnershipOrganisation.objects.filter(partnership__in=partnerships).values_list(
            "partnership_id", flat=True
        )
    )
    assert set(organisations.values()) <= {1, 2, 3}
    fields = Counter(
        PartnershipField.objects.filter(partnership__in=partnerships).values_list(
            "partnership_id", flat=True
        )
    )
    assert len(fields) == partnerships.count() and set(fields.values()) == {1, 2}
    forms = PartnershipForm.objects.filter(partnership__in=partnerships)
    assert forms.values("partnership_id").distinct().count() == partnerships.count()
    assert not PartnershipMunicipality.objects.exclude(state="confirmed").filter(
        partnership__in=partnerships
    )
    assert not PartnershipOrganisation.objects.exclude(state="confirmed").filter(
        partnership__in=partnerships
    )

    # The fields follow the model's rules (the database's constraints check some).
    for p in partnerships.iterator():
        assert p.derived_co_creation_type == derive_co_creation_type(
            goals_control=p.goals_control, involvement_phase=p.involvement_phase
        )
        assert p.start_date is not None or p.status in PROPOSAL_STATUSES
        assert p.start_date is None or p.start_date <= TODAY
        assert p.end_date is None or (p.status in ("completed", "discontinued"))
        assert (
            p.currency
            == {"NO": "NOK", "DK": "DKK", "SE": "SEK"}[
                p.municipality_links.order_by("pk").first().municipality.country
            ]
        )
        assert isinstance(p.promoting_factors, list) and isinstance(p.hindering_factors, list)
        assert p.title and p.description and p.created_at


def test_every_partnership_and_organisation_has_its_demo_data_history_row(reference):
    seed_demo(partnerships=800, today=TODAY)
    history = {
        row["id"]: row
        for row in Partnership.history.filter(history_change_reason="demo data").values(
            *COPIED, "history_type"
        )
    }
    partnerships = list(_bulk(Partnership.objects.all()).values(*COPIED))
    assert len(history) == len(partnerships) == 800 - DEMO_ROLE_PARTNERSHIPS
    for row in partnerships:
        assert history[row["id"]] == {**row, "history_type": "+"}
    # The history pages read them through the model's own history.
    partnership = Partnership.objects.get(pk=partnerships[0]["id"])
    (record,) = partnership.history.all()
    assert record.instance.title == partnership.title

    organisations = Organisation.objects.exclude(name="Tøyen leksehjelp")
    assert (
        Organisation.history.filter(history_change_reason="demo data", history_type="+").count()
        == organisations.count()
    )
    assert OrganisationCategory.objects.filter(rank=1).count() == Organisation.objects.count()
    local = organisations.filter(level="local")
    assert local.filter(municipalities__isnull=True).count() == 0
    assert not Organisation.objects.exclude(kind="informal_group").filter(org_number="")


def test_ids_come_in_one_block_and_the_services_carry_on_after_it(reference):
    seed_demo(partnerships=300, today=TODAY)
    ids = list(_bulk(Partnership.objects.all()).order_by("pk").values_list("pk", flat=True))
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    # The demo logins' partnerships were made through the services after the load.
    assert min(_demo_role_ids()) > ids[-1]

    oslo = Municipality.objects.get(country="NO", code="0301")
    seeded = max(Organisation.history.values_list("id", flat=True))
    organisation = Organisation.objects.create(
        name="Ny forening", country="NO", kind="informal_group"
    )
    assert organisation.pk > seeded
    partnership = partnership_create(
        title="Etter demoen",
        municipalities=[oslo],
        organisations={organisation: OrganisationRole.LEAD},
        fields=["culture"],
        co_creation_type="equal",
        initiator="municipality",
        involvement_phase="design",
        goals_control="shared",
        status=Status.ACTIVE,
        start_date=TODAY,
    )
    assert partnership.pk > max(_demo_role_ids()[1:])
    assert partnership.history.count() == 1


def test_statuses_and_countries_are_plausible(reference):
    seed_demo(partnerships=9_000, today=TODAY)
    partnerships = _bulk(Partnership.objects.all())
    statuses = Counter(partnerships.values_list("status", flat=True))
    total = sum(statuses.values())
    assert set(statuses) == set(Status.values)
    established = sum(statuses[s] for s in ESTABLISHED_STATUSES)
    assert 0.8 < established / total < 0.95
    assert statuses["active"] > statuses["completed"] > statuses["discontinued"]
    for status in PROPOSAL_STATUSES:
        assert 0.01 < statuses[status] / total < 0.05, status

    countries = Counter(
        PartnershipMunicipality.objects.filter(partnership__in=partnerships).values_list(
            "municipality__country", flat=True
        )
    )
    shares = {c: n / sum(countries.values()) for c, n in countries.items()}
    # The first ~4,400 cover each municipality's fields (Norway 357 municipalities, Denmark
    # 98, Sweden 290); the others are 70 % Norwegian, 15 % Danish, 15 % Swedish.
    assert 0.5 < shares["NO"] < 0.7
    assert 0.1 < shares["DK"] < 0.2 and 0.2 < shares["SE"] < 0.33
    # Every current municipality has partnerships; none of a former one.
    assert Municipality.objects.filter(is_current=True, partnership_links__isnull=True).count() == 0
    assert not PartnershipMunicipality.objects.filter(municipality__is_current=False)


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(reference):
    seed_demo(partnerships=400, seed=7, today=TODAY)
    first = _fingerprint()
    reset_demo_data()
    assert not Partnership.objects.exists() and not Partnership.history.exists()
    seed_demo(partnerships=400, seed=7, today=TODAY)
    assert _fingerprint() == first
    reset_demo_data()
    seed_demo(partnerships=400, seed=8, today=TODAY)
    assert _fingerprint() != first


def test_queries_do_not_grow_with_the_partnerships(reference):
    """Rows are written in chunks of 5,000: 10,000 more partnerships cost at most two more
    statements per table (none on PostgreSQL, where COPY bypasses Django's cursor)."""
    with CaptureQueriesContext(connection) as small:
        seed_demo(partnerships=200, today=TODAY)
    reset_demo_data()
    with CaptureQueriesContext(connection) as large:
        seed_demo(partnerships=10_200, today=TODAY)
    assert Partnership.objects.count() == 10_200
    assert len(large.captured_queries) <= len(small.captured_queries) + 2 * 6


def test_reset_removes_the_demo_data_without_history_of_the_deletion(reference):
    seed_demo(partnerships=300, today=TODAY)
    reset_demo_data()
    assert not Partnership.objects.exists()
    assert not Partnership.history.exists()
    assert not Organisation.objects.exists() and not Organisation.history.exists()
    assert not PartnershipOrganisation.objects.exists()
    assert not User.objects.filter(username="koordinator").exists()
    assert not Municipality.objects.filter(volunteer_policy_adopted=True).exists()


def test_a_failed_seed_keeps_the_data_it_was_to_replace(reference):
    call_command("seed_demo", partnerships=100, stdout=StringIO(), verbosity=0)
    before = _fingerprint()
    # No current municipality: the seed fails after the reset, which is undone with it.
    Municipality.objects.update(is_current=False)
    with pytest.raises(ValueError, match="No municipalities"):
        call_command("seed_demo", partnerships=100, reset=True, verbosity=0)
    assert _fingerprint() == before
    assert User.objects.filter(username="koordinator").exists()


def test_the_progress_bar_goes_to_stderr_and_only_when_verbose(reference):
    out, err = StringIO(), StringIO()
    call_command("seed_demo", partnerships=60, stdout=out, stderr=err, verbosity=1)
    assert "100%" in err.getvalue() and "partnerships/s" in err.getvalue()
    assert "60 partnerships" in out.getvalue()
    out, err = StringIO(), StringIO()
    call_command("seed_demo", partnerships=60, reset=True, stdout=out, stderr=err, verbosity=0)
    assert err.getvalue() == ""


def _schema() -> tuple[set, set]:
    """The names of the indexes and foreign keys of the tables the seed writes."""
    tables = [
        model._meta.db_table
        for model in (
            Partnership,
            Partnership.history.model,
            PartnershipMunicipality,
            PartnershipOrganisation,
            PartnershipField,
            PartnershipForm,
            Organisation,
            Organisation.history.model,
            OrganisationCategory,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables]
        )
        indexes = set(cursor.fetchall())
        cursor.execute(
            """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
               FROM pg_constraint WHERE contype = 'f'""",
        )
        keys = set(cursor.fetchall())
    return indexes, keys


@on_postgresql
def test_a_bulk_load_puts_the_indexes_and_foreign_keys_back(reference):
    before = _schema()
    assert len(before[0]) > 30 and len(before[1]) > 20
    seed_demo(partnerships=700, today=TODAY, bulk=True)
    assert _schema() == before
    # The keys are checked again: a link to a partnership that does not exist is refused.
    link = PartnershipField.objects.first()
    with pytest.raises(IntegrityError, match="foreign key"), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "UPDATE partnerships_partnershipfield SET partnership_id = -1 WHERE id = %s", [link.pk]
        )


@on_postgresql
def test_a_bulk_load_writes_what_a_small_one_writes(reference):
    seed_demo(partnerships=700, seed=3, today=TODAY, bulk=False)
    small = _fingerprint()
    reset_demo_data()
    seed_demo(partnerships=700, seed=3, today=TODAY, bulk=True)
    assert _fingerprint() == small


@pytest.mark.parametrize("bulk", [False, True])
def test_reset_removes_what_hangs_on_the_demo_data_and_keeps_the_rest(reference, bulk):
    from accounts.choices import MembershipRole
    from accounts.models import Membership
    from tests.factories import MembershipFactory, UserFactory

    seed_demo(partnerships=300, today=TODAY)
    oslo = Municipality.objects.get(country="NO", code="0301")
    colleague = UserFactory(username="kollega")
    kept = MembershipFactory(user=colleague, municipality=oslo)
    Membership.objects.create(
        user=colleague,
        role=MembershipRole.REPRESENTATIVE,
        organisation=Organisation.objects.get(name="Tøyen leksehjelp"),
    )
    reset_demo_data(bulk=bulk)
    assert not Partnership.objects.exists() and not Partnership.history.exists()
    assert not Organisation.objects.exists() and not Organisation.history.exists()
    assert not PartnershipEvent.objects.exists() and not OrganisationCategory.objects.exists()
    assert list(Membership.objects.all()) == [kept]
    assert User.objects.filter(username="kollega").exists()
    # The seed starts again from there.
    seed_demo(partnerships=100, today=TODAY)
    assert Partnership.objects.count() == 100


@on_postgresql
def test_a_bulk_reset_puts_the_foreign_keys_back(reference):
    seed_demo(partnerships=300, today=TODAY)
    before = _schema()
    reset_demo_data(bulk=True)
    assert not Partnership.objects.exists() and not Organisation.objects.exists()
    assert _schema() == before
