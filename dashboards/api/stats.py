"""The public statistics endpoints under ``/api/v1/stats/``.

Read-only and open to everyone: they return aggregate counts of *established*
partnerships only (``dashboards.statistics``), never personal data. Each view
validates its query string with an input serializer (an empty value such as
``county=`` counts as absent) and describes its answer with an output serializer.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards.statistics import (
    DEFAULT_WINDOW_YEARS,
    DENOMINATOR_ALL,
    DENOMINATOR_REPORTING,
    StatsScope,
    stats_agreements,
    stats_by_county,
    stats_co_creation,
    stats_factors,
    stats_fields,
    stats_forms,
    stats_initiators,
    stats_outcomes,
    stats_trend,
)
from municipalities.choices import Country
from municipalities.models import County, Municipality
from partnerships.choices import (
    Agreement,
    CoCreationType,
    CollaborationForm,
    Currency,
    Field,
    HinderingFactor,
    Initiator,
    PromotingFactor,
)
from registry.api.schema import error_responses

TAGS = ["statistics"]
MAX_YEARS = 50
MIN_YEAR = 1900
MAX_YEAR = 2100


def _values(choices) -> str:
    return ", ".join(f"`{value}`" for value in choices.values)


# --- input: the query string ------------------------------------------------------------


class _CountryQuery(serializers.Serializer):
    country = serializers.ChoiceField(
        choices=Country.choices,
        required=False,
        help_text=_("Only municipalities in this country (ISO code)."),
        error_messages={
            "invalid_choice": _('"{input}" is not a country of the registry (NO, DK, SE).')
        },
    )


class _WindowQuery(serializers.Serializer):
    years = serializers.IntegerField(
        min_value=1,
        max_value=MAX_YEARS,
        default=DEFAULT_WINDOW_YEARS,
        help_text=_(
            "Length of the window in years: partnerships with "
            "as_of − years < start_date ≤ as_of count."
        ),
    )
    as_of = serializers.DateField(
        required=False,
        help_text=_("End of the window (ISO date, included). Default: today."),
    )


class StatsPlaceQuerySerializer(_CountryQuery):
    """The place scope every statistic takes."""

    county = serializers.PrimaryKeyRelatedField(
        queryset=County.objects.all(),
        required=False,
        help_text=_("Only municipalities in the county (region, län) with this id."),
        error_messages={
            "does_not_exist": _("There is no county with the id {pk_value}."),
            "incorrect_type": _("A county is given by its id, a whole number."),
        },
    )
    municipality = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.all(),
        required=False,
        help_text=_("Only the municipality with this id."),
        error_messages={
            "does_not_exist": _("There is no municipality with the id {pk_value}."),
            "incorrect_type": _("A municipality is given by its id, a whole number."),
        },
    )

    def validate(self, attrs):
        country, county = attrs.get("country"), attrs.get("county")
        municipality = attrs.get("municipality")
        errors = {}
        if county and country and county.country != country:
            errors["county"] = [_("The county is not in the country chosen.")]
        if municipality:
            if country and municipality.country != country:
                errors["municipality"] = [_("The municipality is not in the country chosen.")]
            elif county and municipality.county_id != county.pk:
                errors["municipality"] = [_("The municipality is not in the county chosen.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class StatsFieldsQuerySerializer(_WindowQuery, StatsPlaceQuerySerializer):
    denominator = serializers.ChoiceField(
        choices=[
            (DENOMINATOR_REPORTING, _("Municipalities with an established partnership")),
            (DENOMINATOR_ALL, _("All municipalities")),
        ],
        default=DENOMINATOR_REPORTING,
        help_text=_(
            "`reporting`: municipalities in scope with at least one established partnership "
            "starting on or before as_of. `all`: every current municipality in scope (plus "
            "former ones with a partnership in the window)."
        ),
    )


class StatsFilterQuerySerializer(StatsPlaceQuerySerializer):
    """Place scope plus a field and an inclusive start-date range."""

    field = serializers.ChoiceField(
        choices=Field.choices,
        required=False,
        help_text=_("Only partnerships in this field."),
    )
    start_date_after = serializers.DateField(
        required=False, help_text=_("Only partnerships starting on or after this date.")
    )
    start_date_before = serializers.DateField(
        required=False, help_text=_("Only partnerships starting on or before this date.")
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        after, before = attrs.get("start_date_after"), attrs.get("start_date_before")
        if after and before and after > before:
            message = _("start_date_after must be on or before start_date_before.")
            raise serializers.ValidationError(
                {"start_date_after": [message], "start_date_before": [message]}
            )
        return attrs


class StatsTrendQuerySerializer(StatsFilterQuerySerializer):
    year_from = serializers.IntegerField(
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        required=False,
        help_text=_("First year shown. Default: the first year with a partnership."),
    )
    year_to = serializers.IntegerField(
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        required=False,
        help_text=_("Last year shown. Default: the last year with a partnership."),
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        year_from, year_to = attrs.get("year_from"), attrs.get("year_to")
        if year_from is not None and year_to is not None and year_from > year_to:
            message = _("year_from must not be after year_to.")
            raise serializers.ValidationError({"year_from": [message], "year_to": [message]})
        return attrs


class StatsCountiesQuerySerializer(_WindowQuery, _CountryQuery):
    pass


# --- output -----------------------------------------------------------------------------
# Values of the taxonomies are plain strings here (listed in each description) rather than
# enums, so these components never clash with the enum names of the other endpoints.


class StatsResearchFigureSerializer(serializers.Serializer):
    share = serializers.FloatField()
    source = serializers.CharField()


class StatsFieldResultSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=_values(Field))
    municipalities = serializers.IntegerField(
        help_text=_("Municipalities with an established partnership in the field in the window.")
    )
    share = serializers.FloatField(
        help_text=_("municipalities / municipalities_total, 4 decimals.")
    )
    research = StatsResearchFigureSerializer(
        allow_null=True, help_text=_("The research's figure for the field, if any.")
    )


class StatsFieldsSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    years = serializers.IntegerField()
    denominator = serializers.CharField(help_text="`reporting` or `all`")
    municipalities_total = serializers.IntegerField(help_text=_("The denominator."))
    results = StatsFieldResultSerializer(many=True)


class StatsCoCreationCountsSerializer(serializers.Serializer):
    equal = serializers.IntegerField()
    municipality_led = serializers.IntegerField()
    organisation_led = serializers.IntegerField()


class StatsCoCreationCellSerializer(serializers.Serializer):
    declared = serializers.CharField(help_text=_values(CoCreationType))
    derived = serializers.CharField(help_text=_values(CoCreationType))
    count = serializers.IntegerField()


class StatsCoCreationSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    declared = StatsCoCreationCountsSerializer()
    derived = StatsCoCreationCountsSerializer()
    matrix = StatsCoCreationCellSerializer(many=True)


class StatsInitiatorResultSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_values(Initiator))
    count = serializers.IntegerField()
    share = serializers.FloatField(help_text=_("count / total, 4 decimals."))


class StatsInitiatorsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    results = StatsInitiatorResultSerializer(many=True)


class StatsAgreementResultSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_values(Agreement))
    count = serializers.IntegerField()
    share = serializers.FloatField(help_text=_("count / total, 4 decimals."))


class StatsAgreementsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    results = StatsAgreementResultSerializer(many=True)


class StatsFormResultSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_values(CollaborationForm))
    count = serializers.IntegerField()
    share = serializers.FloatField(
        help_text=_("count / total, 4 decimals; the shares may sum to more than 1.")
    )


class StatsFormsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    without_form = serializers.IntegerField(
        help_text=_("Established partnerships with no form of collaboration recorded.")
    )
    results = StatsFormResultSerializer(many=True)


class StatsPromotingResultSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_values(PromotingFactor))
    count = serializers.IntegerField(help_text=_("Established partnerships naming the factor."))
    share = serializers.FloatField(
        help_text=_("count / reporting, 4 decimals; the shares may sum to more than 1.")
    )


class StatsHinderingResultSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_values(HinderingFactor))
    count = serializers.IntegerField(help_text=_("Established partnerships naming the factor."))
    share = serializers.FloatField(
        help_text=_("count / reporting, 4 decimals; the shares may sum to more than 1.")
    )


class StatsPromotingSerializer(serializers.Serializer):
    reporting = serializers.IntegerField(
        help_text=_("Established partnerships that name at least one factor of this kind.")
    )
    results = StatsPromotingResultSerializer(many=True)


class StatsHinderingSerializer(serializers.Serializer):
    reporting = serializers.IntegerField(
        help_text=_("Established partnerships that name at least one factor of this kind.")
    )
    results = StatsHinderingResultSerializer(many=True)


class StatsFactorsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("Established partnerships in scope."))
    promoting = StatsPromotingSerializer(help_text=_("What helped."))
    hindering = StatsHinderingSerializer(help_text=_("What hindered."))


class StatsAmountSerializer(serializers.Serializer):
    sum = serializers.IntegerField()
    reported = serializers.IntegerField(
        help_text=_("Established partnerships that reported it (zero included).")
    )


class StatsMoneySerializer(serializers.Serializer):
    currency = serializers.CharField(help_text=_values(Currency))
    sum = serializers.DecimalField(max_digits=20, decimal_places=2)
    reported = serializers.IntegerField(
        help_text=_("Established partnerships that reported a contribution in this currency.")
    )


class StatsFieldOutcomesSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=_values(Field))
    partnerships = serializers.IntegerField()
    volunteer_hours = StatsAmountSerializer()
    people_reached = StatsAmountSerializer()
    municipal_contribution = StatsMoneySerializer(many=True)


class StatsOutcomesSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("Established partnerships in scope."))
    volunteer_hours = StatsAmountSerializer()
    people_reached = StatsAmountSerializer()
    municipal_contribution = StatsMoneySerializer(
        many=True,
        help_text=_("One entry per currency: amounts in different currencies are never added."),
    )
    by_field = StatsFieldOutcomesSerializer(
        many=True,
        help_text=_("The same per field; a partnership in several fields counts in each."),
    )


class StatsTrendResultSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    field = serializers.CharField(help_text=_values(Field))
    partnerships = serializers.IntegerField()
    municipalities = serializers.IntegerField()


class StatsTrendTotalSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    partnerships = serializers.IntegerField()
    municipalities = serializers.IntegerField()


class StatsTrendSerializer(serializers.Serializer):
    year_from = serializers.IntegerField(allow_null=True)
    year_to = serializers.IntegerField(allow_null=True)
    results = StatsTrendResultSerializer(many=True)
    totals = StatsTrendTotalSerializer(many=True)


class StatsCountyResultSerializer(serializers.Serializer):
    county = serializers.IntegerField(help_text=_("The county's id."))
    country = serializers.CharField(help_text=_values(Country))
    code = serializers.CharField()
    name = serializers.CharField()
    is_current = serializers.BooleanField()
    municipalities_total = serializers.IntegerField()
    municipalities_with_partnerships = serializers.IntegerField()
    share = serializers.FloatField(
        help_text=_("municipalities_with_partnerships / municipalities_total, 4 decimals.")
    )
    partnerships = serializers.IntegerField()


class StatsCountiesSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    years = serializers.IntegerField()
    country = serializers.CharField(allow_null=True)
    results = StatsCountyResultSerializer(many=True)


# --- views ------------------------------------------------------------------------------


class _StatsView(APIView):
    permission_classes = [AllowAny]
    query_serializer_class: type[serializers.Serializer]

    def query(self) -> dict:
        """The validated query string; empty values count as absent."""
        data = {key: value for key, value in self.request.query_params.items() if value.strip()}
        serializer = self.query_serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @staticmethod
    def scope(params: dict) -> StatsScope:
        county, municipality = params.get("county"), params.get("municipality")
        return StatsScope(
            country=params.get("country"),
            county=county.pk if county else None,
            municipality=municipality.pk if municipality else None,
            field=params.get("field"),
            start_date_after=params.get("start_date_after"),
            start_date_before=params.get("start_date_before"),
        )


def _schema(*, query, output, summary, description, examples=None):
    return extend_schema(
        tags=TAGS,
        summary=summary,
        description=description,
        parameters=[query],
        responses={200: output, **error_responses(400)},
        examples=examples,
    )


class StatsFieldsView(_StatsView):
    query_serializer_class = StatsFieldsQuerySerializer

    @_schema(
        query=StatsFieldsQuerySerializer,
        output=StatsFieldsSerializer,
        summary=_("Municipalities with new partnerships, per field"),
        description=_(
            "For every field, how many municipalities in scope established at least one "
            "partnership in it with as_of − years < start_date ≤ as_of, and their share of "
            "the denominator, beside the research's reference figure "
            "(Eimhjellen & Loga 2017)."
        ),
        examples=[
            OpenApiExample(
                "Norway, last five years",
                response_only=True,
                value={
                    "as_of": "2026-01-01",
                    "years": 5,
                    "denominator": "reporting",
                    "municipalities_total": 4,
                    "results": [
                        {
                            "field": "culture",
                            "municipalities": 2,
                            "share": 0.5,
                            "research": {"share": 0.84, "source": "Eimhjellen & Loga 2017"},
                        },
                        {
                            "field": "health_care",
                            "municipalities": 1,
                            "share": 0.25,
                            "research": None,
                        },
                    ],
                },
            )
        ],
    )
    def get(self, request):
        params = self.query()
        data = stats_fields(
            scope=self.scope(params),
            as_of=params.get("as_of") or timezone.localdate(),
            years=params["years"],
            denominator=params["denominator"],
        )
        return Response(StatsFieldsSerializer(data).data)


class StatsCoCreationView(_StatsView):
    query_serializer_class = StatsFilterQuerySerializer

    @_schema(
        query=StatsFilterQuerySerializer,
        output=StatsCoCreationSerializer,
        summary=_("Declared and practised co-creation"),
        description=_(
            "Established partnerships by declared co-creation type, by the type derived from "
            "who controls goals and content and when the voluntary actors were involved, and "
            "the declared × derived matrix (all nine cells)."
        ),
    )
    def get(self, request):
        data = stats_co_creation(scope=self.scope(self.query()))
        return Response(StatsCoCreationSerializer(data).data)


class StatsInitiatorsView(_StatsView):
    query_serializer_class = StatsFilterQuerySerializer

    @_schema(
        query=StatsFilterQuerySerializer,
        output=StatsInitiatorsSerializer,
        summary=_("Who takes the initiative"),
        description=_("Established partnerships by who took the initiative, every choice."),
    )
    def get(self, request):
        data = stats_initiators(scope=self.scope(self.query()))
        return Response(StatsInitiatorsSerializer(data).data)


class StatsAgreementsView(_StatsView):
    query_serializer_class = StatsFilterQuerySerializer

    @_schema(
        query=StatsFilterQuerySerializer,
        output=StatsAgreementsSerializer,
        summary=_("Agreements"),
        description=_("Established partnerships by kind of agreement, every choice."),
    )
    def get(self, request):
        data = stats_agreements(scope=self.scope(self.query()))
        return Response(StatsAgreementsSerializer(data).data)


class StatsFormsView(_StatsView):
    query_serializer_class = StatsFilterQuerySerializer

    @_schema(
        query=StatsFilterQuerySerializer,
        output=StatsFormsSerializer,
        summary=_("Forms of collaboration"),
        description=_(
            "Established partnerships per form of collaboration. A partnership counts once "
            "for each form it has, so the shares may sum to more than 1."
        ),
    )
    def get(self, request):
        data = stats_forms(scope=self.scope(self.query()))
        return Response(StatsFormsSerializer(data).data)


class StatsFactorsView(_StatsView):
    query_serializer_class = StatsFilterQuerySerializer

    @_schema(
        query=StatsFilterQuerySerializer,
        output=StatsFactorsSerializer,
        summary=_("What helped and what hindered"),
        description=_(
            "Established partnerships per factor that helped (promoting) and per factor that "
            "hindered the collaboration, every factor, with the share of the partnerships "
            "that name at least one factor of the kind. A partnership may name several."
        ),
    )
    def get(self, request):
        data = stats_factors(scope=self.scope(self.query()))
        return Response(StatsFactorsSerializer(data).data)


class StatsOutcomesView(_StatsView):
    query_serializer_class = StatsFilterQuerySerializer

    @_schema(
        query=StatsFilterQuerySerializer,
        output=StatsOutcomesSerializer,
        summary=_("Outcomes: volunteer hours, people reached, municipal money"),
        description=_(
            "The volunteer hours, people reached and municipal contributions the established "
            "partnerships report, summed in total and per field, each with the number of "
            "partnerships that reported it. Money is summed per currency."
        ),
        examples=[
            OpenApiExample(
                "A county",
                response_only=True,
                value={
                    "total": 12,
                    "volunteer_hours": {"sum": 5400, "reported": 9},
                    "people_reached": {"sum": 830, "reported": 7},
                    "municipal_contribution": [
                        {"currency": "NOK", "sum": "1250000.00", "reported": 8},
                        {"currency": "DKK", "sum": "0.00", "reported": 0},
                        {"currency": "SEK", "sum": "0.00", "reported": 0},
                    ],
                    "by_field": [
                        {
                            "field": "culture",
                            "partnerships": 5,
                            "volunteer_hours": {"sum": 2100, "reported": 4},
                            "people_reached": {"sum": 300, "reported": 3},
                            "municipal_contribution": [
                                {"currency": "NOK", "sum": "400000.00", "reported": 3},
                                {"currency": "DKK", "sum": "0.00", "reported": 0},
                                {"currency": "SEK", "sum": "0.00", "reported": 0},
                            ],
                        }
                    ],
                },
            )
        ],
    )
    def get(self, request):
        data = stats_outcomes(scope=self.scope(self.query()))
        return Response(StatsOutcomesSerializer(data).data)


class StatsTrendView(_StatsView):
    query_serializer_class = StatsTrendQuerySerializer

    @_schema(
        query=StatsTrendQuerySerializer,
        output=StatsTrendSerializer,
        summary=_("New partnerships per year and field"),
        description=_(
            "Established partnerships started each year, per field (a partnership in several "
            "fields counts in each), with the distinct municipalities; every year of the "
            "range and every field, zeros included. `totals` counts each partnership once "
            "per year."
        ),
    )
    def get(self, request):
        params = self.query()
        data = stats_trend(
            scope=self.scope(params),
            year_from=params.get("year_from"),
            year_to=params.get("year_to"),
        )
        return Response(StatsTrendSerializer(data).data)


class StatsCountiesView(_StatsView):
    query_serializer_class = StatsCountiesQuerySerializer

    @_schema(
        query=StatsCountiesQuerySerializer,
        output=StatsCountiesSerializer,
        summary=_("Municipalities with new partnerships, per county"),
        description=_(
            "Per county: its municipalities, those with an established partnership started in "
            "the window as_of − years < start_date ≤ as_of, their share, and the number of "
            "such partnerships."
        ),
    )
    def get(self, request):
        params = self.query()
        data = stats_by_county(
            country=params.get("country"),
            as_of=params.get("as_of") or timezone.localdate(),
            years=params["years"],
        )
        return Response(StatsCountiesSerializer(data).data)
