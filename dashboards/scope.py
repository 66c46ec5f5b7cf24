"""What a statistic looks at (``StatsScope``) and the rules shared by the statistics and
their live reference (``dashboards.live``)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q

DENOMINATOR_REPORTING = "reporting"
DENOMINATOR_ALL = "all"
DENOMINATORS = (DENOMINATOR_REPORTING, DENOMINATOR_ALL)
DEFAULT_WINDOW_YEARS = 5


@dataclass(frozen=True, kw_only=True)
class StatsScope:
    """Which partnerships a statistic looks at.

    ``country`` is a ``Country`` value (NO/DK/SE); ``county`` and ``municipality`` are ids.
    ``field`` (a ``Field`` value) and the inclusive ``start_date_after``/``start_date_before``
    range apply to the partnership statistics (co-creation, initiators, agreements, forms,
    trend); ``stats_fields`` ignores them, as it has its own window and counts every field.
    """

    country: str | None = None
    county: int | None = None
    municipality: int | None = None
    field: str | None = None
    start_date_after: datetime.date | None = None
    start_date_before: datetime.date | None = None

    def place_q(self, prefix: str = "") -> Q:
        """The condition on a municipality (reached through ``prefix``) for the place scope."""
        q = Q()
        if self.country:
            q &= Q(**{f"{prefix}country": self.country})
        if self.county is not None:
            q &= Q(**{f"{prefix}county": self.county})
        if self.municipality is not None:
            q &= Q(**{f"{prefix}id": self.municipality})
        return q

    @property
    def has_place(self) -> bool:
        return bool(self.country) or self.county is not None or self.municipality is not None


def window_start(as_of: datetime.date, years: int) -> datetime.date:
    """``as_of`` minus ``years`` calendar years; 29 February becomes 28 February."""
    try:
        return as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February in a year that has none
        return as_of.replace(year=as_of.year - years, day=28)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
