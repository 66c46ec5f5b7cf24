"""The dashboards' filters: one GET form, and the statistics scopes it stands for.

The filters live in the query string, so a view of the dashboard can be shared as a link;
an empty or missing value takes its default (Norway, five years, today, every field).
"""

import datetime
from dataclasses import dataclass, replace

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from dashboards.statistics import (
    DEFAULT_WINDOW_YEARS,
    DENOMINATOR_ALL,
    DENOMINATOR_REPORTING,
    StatsScope,
    window_start,
)
from municipalities.choices import Country
from municipalities.models import County
from partnerships.choices import Field

DEFAULT_COUNTRY = Country.NORWAY
PERIODS = (1, 3, 5, 10)
EARLIEST_AS_OF = datetime.date(1990, 1, 1)
LATEST_AS_OF = datetime.date(2100, 12, 31)
# Query-string names that are not filters (kept out of the form, and out of CSV links).
NOT_FILTERS = frozenset({"format", "chart"})


@dataclass(frozen=True)
class Place:
    """One column of figures: a place scope with the names it is shown under.

    ``key`` names the column in CSV files; ``series`` is its short name on a bar
    ("Municipality", "County", ...); ``name`` is the place itself ("Bergen").
    """

    key: str
    series: str
    name: str
    scope: StatsScope


@dataclass(frozen=True, kw_only=True)
class DashboardQuery:
    """The validated filters."""

    country: str
    county: County | None
    years: int
    as_of: datetime.date
    field: str | None
    denominator: str

    @cached_property
    def window_start(self) -> datetime.date:
        """The day before the period: ``stats_fields`` counts ``start_date > window_start``."""
        return window_start(self.as_of, self.years)

    @property
    def first_day(self) -> datetime.date:
        return self.window_start + datetime.timedelta(days=1)

    def period_scope(self, place: StatsScope) -> StatsScope:
        """``place`` limited to partnerships started in the period (every field)."""
        return replace(place, start_date_after=self.first_day, start_date_before=self.as_of)

    def chart_scope(self, place: StatsScope) -> StatsScope:
        """``period_scope`` limited to the chosen field, if any."""
        return replace(self.period_scope(place), field=self.field)

    @property
    def country_label(self) -> str:
        return str(Country(self.country).label)

    @property
    def field_label(self) -> str | None:
        return Field(self.field).label if self.field else None

    @property
    def field_text(self) -> str:
        """The field the figures are limited to, for a sentence: "in the field Culture"."""
        if self.field:
            return _("in the field %(field)s") % {"field": self.field_label}
        return str(_("in every field"))

    @property
    def period_text(self) -> str:
        return _("started %(first)s – %(last)s") % {
            "first": date_format(self.first_day, "DATE_FORMAT"),
            "last": date_format(self.as_of, "DATE_FORMAT"),
        }


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: County) -> str:
        if obj.is_current:
            return obj.name
        return _("%(name)s (former county)") % {"name": obj.name}


class DashboardFilterForm(forms.Form):
    """The dashboard's filters. ``place_fields=False`` leaves out country and county (the
    municipality dashboard's place is in its URL)."""

    country = forms.ChoiceField(
        label=_("Country"),
        choices=Country.choices,
        error_messages={"invalid_choice": _("Choose Norway, Denmark or Sweden.")},
    )
    county = CountyChoiceField(
        label=_("County"),
        queryset=County.objects.none(),
        required=False,
        empty_label=_("All counties"),
        error_messages={
            "invalid_choice": _("Choose a county of the chosen country, or all counties.")
        },
    )
    period = forms.TypedChoiceField(
        label=_("Period"),
        choices=[
            (years, ngettext_lazy("Last year", "Last %(years)d years", "years") % {"years": years})
            for years in PERIODS
        ],
        coerce=int,
        error_messages={"invalid_choice": _("Choose a period of 1, 3, 5 or 10 years.")},
    )
    as_of = forms.DateField(
        label=_("As of"),
        help_text=_("The last day of the period."),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date, for example 2025-12-31.")},
    )
    field = forms.ChoiceField(
        label=_("Field"),
        choices=[("", _("All fields")), *Field.choices],
        required=False,
        help_text=_(
            "For the headline numbers, co-creation, initiative, agreements, forms and the trend."
        ),
        error_messages={"invalid_choice": _("Choose one of the fields in the list.")},
    )
    denominator = forms.ChoiceField(
        label=_("Field shares of"),
        help_text=_("Municipalities with a partnership, or all."),
        choices=[
            (DENOMINATOR_REPORTING, _("Reporting municipalities")),
            (DENOMINATOR_ALL, _("All municipalities")),
        ],
        error_messages={
            "invalid_choice": _("Choose reporting municipalities or all municipalities.")
        },
    )

    def __init__(self, params, *, place_fields: bool = True, url: str = ""):
        data = {
            "country": DEFAULT_COUNTRY,
            "period": str(DEFAULT_WINDOW_YEARS),
            "as_of": timezone.localdate().isoformat(),
            "denominator": DENOMINATOR_REPORTING,
        }
        data |= {
            name: value.strip()
            for name, value in params.items()
            if name not in NOT_FILTERS and value.strip()
        }
        super().__init__(data)
        if not place_fields:
            del self.fields["country"], self.fields["county"]
            return
        country = data["country"] if data["country"] in Country.values else DEFAULT_COUNTRY
        self.fields["county"].queryset = County.objects.filter(country=country).order_by("code")
        if url:
            # Choosing another country drops the county (it belongs to the old country).
            self.fields["country"].widget.attrs.update(
                {
                    "hx-get": url,
                    "hx-include": "closest form",
                    "hx-params": "not county",
                    "hx-trigger": "change consume",
                }
            )

    def clean_as_of(self) -> datetime.date:
        as_of = self.cleaned_data["as_of"]
        if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s.")
                % {
                    "first": date_format(EARLIEST_AS_OF, "DATE_FORMAT"),
                    "last": date_format(LATEST_AS_OF, "DATE_FORMAT"),
                }
            )
        return as_of

    def query(self) -> DashboardQuery:
        """The filters, once ``is_valid()``; country comes from the county when given."""
        data = self.cleaned_data
        county = data.get("county")
        return DashboardQuery(
            country=county.country if county else data.get("country", DEFAULT_COUNTRY),
            county=county,
            years=data["period"],
            as_of=data["as_of"],
            field=data["field"] or None,
            denominator=data["denominator"],
        )
