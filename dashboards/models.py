"""Pre-aggregated statistics: summary tables kept equal to the base tables.

The statistics (``dashboards.statistics``) read these instead of grouping every
partnership, so that a dashboard costs the same at 10,000 and at 1,000,000 partnerships.
``dashboards.tallies`` maintains them: every write to a partnership or its links marks the
partnership in ``PendingTally`` (in the write's own transaction), and the marks are folded
in by a task right after the commit, or at the latest by the next statistics read — so the
figures are exact as soon as the write returns. ``manage.py rebuild_statistics`` rebuilds
everything from scratch.

Only *established* partnerships (active, completed, discontinued) are tallied, and a
municipality or organisation only through a *confirmed* link, as the statistics count.

Places are written as keys: ``""`` every established partnership, ``"*"`` those with at
least one confirmed municipality, ``"NO"``/``"DK"``/``"SE"`` a country, ``"c<id>"`` a county.
Days are integers ``yyyymmdd`` (0: no start date), months ``yyyymm`` (0: no start date).
"""

from django.db import models

# Summary rows are never shown one by one: no __str__.
# ruff: noqa: DJ008
from dashboards.measures import AMOUNTS, MEASURES


class TalliedPartnership(models.Model):
    """What an established partnership contributed when it was last tallied, so that a
    change can subtract exactly that; the statistics also count the partial months at the
    edges of a date range from it (one narrow row per partnership, by ``day``). Lists are
    sorted and wrapped in commas (``",a,b,"``; ``""`` for none); ``places`` holds the place
    keys but ``""``."""

    partnership_id = models.BigIntegerField(primary_key=True)
    day = models.IntegerField()
    co_creation = models.CharField(max_length=20, blank=True)
    derived = models.CharField(max_length=20, blank=True)
    initiator = models.CharField(max_length=20, blank=True)
    agreement = models.CharField(max_length=30, blank=True)
    places = models.TextField(blank=True)
    fields = models.TextField(blank=True)
    forms = models.TextField(blank=True)
    municipalities = models.TextField(blank=True)
    organisations = models.TextField(blank=True)
    promoting = models.TextField(blank=True)
    hindering = models.TextField(blank=True)
    hours = models.IntegerField(null=True)
    reached = models.IntegerField(null=True)
    #: The municipal contribution in ``currency``'s minor unit.
    money = models.BigIntegerField(null=True)
    currency = models.CharField(max_length=3, blank=True)

    class Meta:
        indexes = [models.Index(fields=["day"], name="tallied_partnership_day")]


class PlaceTally(models.Model):
    """Established partnerships per place, field (``""``: any) and start month, with one
    column per measure (``dashboards.measures.MEASURES``: counts, and the sums of the
    ``AMOUNTS``); each partnership once per place and field."""

    place = models.CharField(max_length=12)
    field = models.CharField(max_length=20)
    month = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "field", "month"], name="place_tally_key")
        ]


class PlaceDayTally(models.Model):
    """``PlaceTally`` per start day instead of month (dated partnerships only): the partial
    months at the edges of a date range ("the last five years" up to today) are sums of a
    few of these rows, whatever the number of partnerships."""

    place = models.CharField(max_length=12)
    field = models.CharField(max_length=20)
    day = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "field", "day"], name="place_day_tally_key")
        ]


for _name in MEASURES:
    _column = models.BigIntegerField if _name in AMOUNTS else models.IntegerField
    PlaceTally.add_to_class(_name, _column(default=0))
    PlaceDayTally.add_to_class(_name, _column(default=0))


class MunicipalityTally(models.Model):
    """Established partnerships per municipality, field (``""``: any) and start day (and,
    with ``day = -year``, per start year): what the distinct-municipality counts probe."""

    municipality_id = models.BigIntegerField()
    field = models.CharField(max_length=20)
    day = models.IntegerField()
    partnerships = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_id", "field", "day"], name="municipality_tally_key"
            )
        ]
        indexes = [
            # The per-year rows, read by year for the trend.
            models.Index(
                fields=["day", "field", "municipality_id"],
                condition=models.Q(day__lt=0),
                name="municipality_tally_years",
            )
        ]


class MunicipalityYearCount(models.Model):
    """Distinct municipalities per place (``"*"``, a country or ``"c<county id>"``), field
    (``""``: any) and year with an established partnership starting that year: the trend's
    municipality counts for whole years, read in one row instead of counted. Kept by the
    per-year ``MunicipalityTally`` rows going from zero to some and back."""

    place = models.CharField(max_length=12)
    field = models.CharField(max_length=20)
    year = models.IntegerField()
    municipalities = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["place", "field", "year"], name="municipality_year_count_key"
            )
        ]


class OrganisationTally(models.Model):
    """Established partnerships per place (not per municipality), organisation and start
    day; ``day = -1`` counts them whatever the day (the organisations present in a place)."""

    place = models.CharField(max_length=12)
    organisation_id = models.BigIntegerField()
    day = models.IntegerField()
    partnerships = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["place", "organisation_id", "day"], name="organisation_tally_key"
            )
        ]
        indexes = [models.Index(fields=["place", "day"], name="organisation_tally_presence")]


class PendingTally(models.Model):
    """A partnership written since it was last tallied."""

    partnership_id = models.BigIntegerField(primary_key=True)


class TallyVersion(models.Model):
    """One row whose number grows whenever the summary tables change: what is computed
    from them can be cached under it."""

    number = models.BigIntegerField(default=0)
