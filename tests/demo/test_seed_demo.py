"""The demo data set: its shape resembles the research, and re-running is safe."""

import datetime

import pytest
from django.core.management import call_command
from django.db.models import Count

from accounts.models import User
from municipalities.services import load_reference_data
from organisations.models import Organisation
from partnerships.choices import ESTABLISHED_STATUSES
from partnerships.models import Partnership, PartnershipMunicipality

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 1)


@pytest.fixture
def seeded():
    from demo.generator import seed_demo

    load_reference_data()
    return seed_demo(partnerships=2_600, today=TODAY)


def _norwegian_field_shares() -> dict[str, float]:
    established = PartnershipMunicipality.objects.filter(
        partnership__status__in=ESTABLISHED_STATUSES, municipality__country="NO"
    )
    reporting = established.values("municipality").distinct().count()
    rows = (
        established.filter(
            partnership__start_date__gt=TODAY.replace(year=TODAY.year - 5),
            partnership__start_date__lte=TODAY,
        )
        .values("partnership__field_tags__field")
        .annotate(n=Count("municipality", distinct=True))
    )
    return {row["partnership__field_tags__field"]: row["n"] / reporting for row in rows}


def test_norwegian_field_shares_resemble_the_survey(seeded):
    shares = _norwegian_field_shares()
    for field, research in {"culture": 0.84, "sport": 0.81, "children_youth": 0.80,
                            "inclusion": 0.78}.items():  # fmt: skip
        assert research - 0.08 < shares[field] < research + 0.08, (field, shares[field])
    assert shares["other"] < 0.4


def test_declared_equal_is_more_common_than_practised_equal(seeded):
    established = Partnership.objects.established()
    declared = established.filter(co_creation_type="equal").count()
    derived = established.filter(derived_co_creation_type="equal").count()
    assert declared > 1.5 * derived > 0


def test_bulk_inserts_keep_the_audit_history(seeded):
    assert Partnership.history.count() == Partnership.objects.count() == 2_600
    assert Organisation.history.count() == Organisation.objects.count() == seeded.organisations


def test_every_partnership_has_links(seeded):
    assert not Partnership.objects.filter(municipality_links__isnull=True).exists()
    assert not Partnership.objects.filter(organisation_links__isnull=True).exists()
    assert not Partnership.objects.filter(field_tags__isnull=True).exists()


def test_command_runs_once_then_needs_reset(capsys):
    call_command("seed_demo", partnerships=50)
    out = capsys.readouterr().out
    assert "admin" in out and "50 partnerships" in out
    assert User.objects.get(username="admin").check_password("demo")
    call_command("seed_demo", partnerships=80)
    assert "already there" in capsys.readouterr().out
    assert Partnership.objects.count() == 50
    call_command("seed_demo", partnerships=80, reset=True)
    assert Partnership.objects.count() == 80


def test_more_organisations_than_template_names_get_district_names():
    """Asking for more organisations than a few municipalities have names for must finish."""
    import random

    from demo.generator import _create_organisations
    from tests.factories import MunicipalityFactory

    by_country = {c: [MunicipalityFactory(country=c, name=f"Sted{c}")] for c in ("NO", "DK", "SE")}
    _create_organisations(random.Random(1), by_country, count=200)
    names = list(Organisation.objects.values_list("name", flat=True))
    assert len(names) == 200 == len(set(names))
    assert Organisation.objects.filter(name__endswith=" Nord").exists()


def test_demo_logins_have_drafts_and_links_to_confirm():
    from demo.generator import seed_demo
    from partnerships.selectors import link_requests

    load_reference_data()
    seed_demo(partnerships=60, today=TODAY)
    coordinator = User.objects.get(username="koordinator")
    representative = User.objects.get(username="organisasjon")
    oslo_requests = link_requests(user=coordinator)
    assert len(oslo_requests) >= 2
    assert all(link.municipality.code == "0301" for link in oslo_requests)
    assert [link.organisation.name for link in link_requests(user=representative)] == [
        "Tøyen leksehjelp"
    ]
    drafts = Partnership.objects.visible_to(representative).filter(
        status="draft", organisations__name="Tøyen leksehjelp"
    )
    assert drafts.count() == 2
    # The drafts are the organisation's: Oslo's coordinator does not see them.
    assert not Partnership.objects.visible_to(coordinator).filter(pk__in=drafts).exists()
    # The proposals under review are in Oslo's inbox, addressed through a pending link.
    from partnerships.selectors import proposals_to_answer

    assert proposals_to_answer(user=coordinator).count() >= 2
