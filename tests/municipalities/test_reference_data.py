"""The shipped municipality lists, and the loader's idempotence across reforms."""

import csv
import shutil
from collections import Counter

import pytest

from municipalities.models import County, Municipality
from municipalities.services import DATA_DIR, load_reference_data
from tests.factories import PartnershipFactory

pytestmark = pytest.mark.django_db

# Statistics Norway's 2024 division (Haram separate from Ålesund again: 357 in 15 counties),
# Denmark's 98 municipalities in 5 regions, Sweden's 290 in 21 län.
NORWAY_PER_COUNTY = {
    "03": 1, "11": 23, "15": 27, "18": 41, "31": 12, "32": 21, "33": 18, "34": 46,
    "39": 6, "40": 17, "42": 25, "46": 43, "50": 38, "55": 21, "56": 18,
}  # fmt: skip
DENMARK_PER_REGION = {"1081": 11, "1082": 19, "1083": 22, "1084": 29, "1085": 17}
SWEDEN_PER_LAN = {
    "01": 26, "03": 8, "04": 9, "05": 13, "06": 13, "07": 8, "08": 12, "09": 1, "10": 5,
    "12": 33, "13": 6, "14": 49, "17": 16, "18": 12, "19": 10, "20": 15, "21": 10, "22": 7,
    "23": 8, "24": 15, "25": 14,
}  # fmt: skip


@pytest.fixture
def loaded():
    return load_reference_data()


@pytest.mark.parametrize(
    ("country", "per_county", "total"),
    [("NO", NORWAY_PER_COUNTY, 357), ("DK", DENMARK_PER_REGION, 98), ("SE", SWEDEN_PER_LAN, 290)],
)
def test_counts_per_country_and_county(loaded, country, per_county, total):
    assert Municipality.objects.filter(country=country).count() == total
    assert County.objects.filter(country=country).count() == len(per_county)
    counted = Counter(
        Municipality.objects.filter(country=country).values_list("county__code", flat=True)
    )
    assert dict(counted) == per_county


def test_norway_2024_division_details(loaded):
    haram = Municipality.objects.get(country="NO", code="1580")
    alesund = Municipality.objects.get(country="NO", code="1508")
    assert (haram.name, haram.county.code) == ("Haram", "15")
    assert alesund.name == "Ålesund"
    assert Municipality.objects.get(country="NO", code="0301").org_number == "958935420"
    assert Municipality.objects.get(country="DK", code="101").org_number == "64942212"


def test_org_numbers_in_the_files_are_valid(loaded):
    from organisations.identifiers import normalise_org_number

    for municipality in Municipality.objects.exclude(org_number=""):
        assert normalise_org_number(municipality.country, municipality.org_number)


def test_running_twice_changes_nothing(loaded):
    assert loaded.created == 357 + 15 + 98 + 5 + 290 + 21
    again = load_reference_data()
    assert (again.created, again.updated, again.retired) == (0, 0, 0)
    assert again.unchanged == loaded.created


def _copy_data(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _rewrite(path, change):
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fieldnames = list(rows[0])
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def test_a_merger_updates_names_and_counties_and_keeps_partnerships(loaded, tmp_path):
    data = _copy_data(tmp_path)
    vestby = Municipality.objects.get(country="NO", code="3216")
    aas = Municipality.objects.get(country="NO", code="3218")
    kept = PartnershipFactory(links__municipalities=[vestby])
    merged_away = PartnershipFactory(links__municipalities=[aas])

    def reform(rows):
        # Ås is merged into Vestby, which is renamed and moved to Østfold.
        rows = [row for row in rows if row["code"] != "3218"]
        for row in rows:
            if row["code"] == "3216":
                row.update(name="Vestby og Ås", county_code="31")
        return rows

    _rewrite(data / "NO" / "municipalities.csv", reform)
    report = load_reference_data(countries=["NO"], data_dir=data)

    assert (report.created, report.updated, report.retired) == (0, 1, 1)
    vestby.refresh_from_db()
    aas.refresh_from_db()
    assert (vestby.name, vestby.county.code) == ("Vestby og Ås", "31")
    assert aas.is_current is False
    assert list(kept.municipalities.all()) == [vestby]
    assert list(merged_away.municipalities.all()) == [aas]
    # And once more: nothing changes.
    again = load_reference_data(countries=["NO"], data_dir=data)
    assert (again.created, again.updated, again.retired) == (0, 0, 0)


def test_bad_org_number_in_a_file_loads_nothing(tmp_path):
    data = _copy_data(tmp_path)

    def corrupt(rows):
        rows[5]["org_number"] = "123456789"
        return rows

    _rewrite(data / "NO" / "municipalities.csv", corrupt)
    with pytest.raises(Exception, match="123456789"):
        load_reference_data(data_dir=data)
    assert Municipality.objects.count() == 0
