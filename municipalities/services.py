"""Loading the official county and municipality lists shipped in ``municipalities/data``."""

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from municipalities.choices import Country
from municipalities.identifiers import normalise_org_number
from municipalities.models import County, Municipality, VolunteerCentre
from municipalities.permissions import can_edit_municipality

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


# --- the municipality's profile -------------------------------------------------------------

PROFILE_FIELDS = (
    "population",
    "volunteer_policy_adopted",
    "volunteer_policy_year",
    "volunteer_policy_url",
)


@transaction.atomic
def municipality_update_profile(*, municipality: Municipality, user, data: Mapping[str, Any]):
    """Change a municipality's profile: its coordinators' and administrators' task.

    ``data`` holds any of ``PROFILE_FIELDS`` and ``volunteer_centres``, a list of
    ``{"name", "website", "organisation"}`` that replaces the municipality's centres
    (a centre is matched on its name: kept and updated if listed, removed if not).
    The reference data (code, name, county, country) is not changed here.
    Raises ``PermissionDenied`` or ``ValidationError`` and then writes nothing.
    """
    if not can_edit_municipality(user, municipality):
        raise PermissionDenied(_("Only this municipality's coordinators may edit its profile."))
    unknown = set(data) - {*PROFILE_FIELDS, "volunteer_centres"}
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")

    for name in PROFILE_FIELDS:
        if name in data:
            setattr(municipality, name, data[name])
    errors: dict[str, list[str]] = {}
    if municipality.volunteer_policy_year is not None and not municipality.volunteer_policy_adopted:
        errors["volunteer_policy_year"] = [
            _("A year of adoption needs an adopted volunteer policy.")
        ]
    try:
        municipality.full_clean(validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    centres = data.get("volunteer_centres")
    if centres is not None:
        names = [centre["name"].strip() for centre in centres]
        if duplicates := sorted({n for n in names if names.count(n) > 1}):
            errors["volunteer_centres"] = [
                _("A volunteer centre is listed twice: %(names)s.")
                % {"names": ", ".join(duplicates)}
            ]
    if errors:
        raise ValidationError(errors)

    municipality.save()
    if centres is not None:
        _replace_volunteer_centres(municipality, centres)
    return municipality


def _replace_volunteer_centres(municipality: Municipality, centres) -> None:
    existing = {centre.name: centre for centre in municipality.volunteer_centres.all()}
    wanted = {centre["name"].strip(): centre for centre in centres}
    municipality.volunteer_centres.exclude(name__in=wanted).delete()
    for name, values in wanted.items():
        centre = existing.get(name) or VolunteerCentre(municipality=municipality, name=name)
        centre.website = values.get("website") or ""
        centre.organisation = values.get("organisation")
        centre.full_clean(exclude=["municipality"], validate_unique=False)
        centre.save()
