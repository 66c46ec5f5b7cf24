"""Loading the official county and municipality lists shipped in ``municipalities/data``."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from municipalities.choices import Country
from municipalities.models import County, Municipality
from organisations.identifiers import normalise_org_number

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    changes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.retired} no longer current"
        )


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _upsert(model, existing: dict, key: str, values: dict, report: LoadReport, label: str):
    """Create or update one row; record what changed."""
    obj = existing.get(key)
    if obj is None:
        obj = model.objects.create(**values)
        report.created += 1
        report.changes.append(f"+ {label}")
        return obj
    changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(obj, name, value)
        obj.save(update_fields=list(changed))
        report.updated += 1
        report.changes.append(f"~ {label}: {', '.join(sorted(changed))}")
    else:
        report.unchanged += 1
    return obj


def _retire(queryset, report: LoadReport, kind: str) -> None:
    for obj in queryset.filter(is_current=True):
        report.changes.append(f"- {kind} {obj.country}:{obj.code} {obj.name}")
        report.retired += 1
    queryset.filter(is_current=True).update(is_current=False)


@transaction.atomic
def load_reference_data(
    *, countries: list[str] | None = None, data_dir: Path = DATA_DIR
) -> LoadReport:
    """Bring counties and municipalities in line with the data files, idempotently.

    Rows are matched on country and official code: a renamed municipality or one
    moved to another county is updated in place and keeps its partnerships. A
    municipality or county missing from the files (merged away, split, or from an
    older division) is kept, marked as no longer current, so no partnership is lost.
    A new code (a merger's new municipality) is created.
    """
    report = LoadReport()
    for country in countries or Country.values:
        folder = data_dir / country
        counties = {c.code: c for c in County.objects.filter(country=country)}
        for row in _read(folder / "counties.csv"):
            counties[row["code"]] = _upsert(
                County,
                counties,
                row["code"],
                {
                    "country": country,
                    "code": row["code"],
                    "name": row["name"],
                    "short_name": row.get("short_name", ""),
                    "is_current": True,
                },
                report,
                f"county {country}:{row['code']} {row['name']}",
            )
        file_county_codes = {row["code"] for row in _read(folder / "counties.csv")}
        _retire(
            County.objects.filter(country=country).exclude(code__in=file_county_codes),
            report,
            "county",
        )

        municipalities = {m.code: m for m in Municipality.objects.filter(country=country)}
        rows = _read(folder / "municipalities.csv")
        for row in rows:
            current = municipalities.get(row["code"])
            # The file is authoritative where it gives a number; an empty cell keeps what
            # the database has (a number added by an administrator is not wiped).
            org_number = (
                normalise_org_number(country, row["org_number"])
                if row.get("org_number")
                else (current.org_number if current else "")
            )
            _upsert(
                Municipality,
                municipalities,
                row["code"],
                {
                    "country": country,
                    "code": row["code"],
                    "name": row["name"],
                    "county": counties[row["county_code"]],
                    "org_number": org_number,
                    "is_current": True,
                },
                report,
                f"municipality {country}:{row['code']} {row['name']}",
            )
        _retire(
            Municipality.objects.filter(country=country).exclude(
                code__in=[row["code"] for row in rows]
            ),
            report,
            "municipality",
        )
    return report
