from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from municipalities.models import County, Municipality, VolunteerCentre
from registry.api.serializers import RefusesReadOnlyFields


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["id", "code", "name", "short_name", "country", "is_current"]
        read_only_fields = fields


class VolunteerCentreSerializer(serializers.ModelSerializer):
    class Meta:
        model = VolunteerCentre
        fields = ["id", "name", "website", "organisation"]
        read_only_fields = fields


class MunicipalitySerializer(serializers.ModelSerializer):
    county_name = serializers.CharField(source="county.name", read_only=True)
    volunteer_centres = VolunteerCentreSerializer(many=True, read_only=True)

    class Meta:
        model = Municipality
        fields = [
            "id",
            "code",
            "name",
            "country",
            "county",
            "county_name",
            "org_number",
            "is_current",
            "population",
            "volunteer_policy_adopted",
            "volunteer_policy_year",
            "volunteer_policy_url",
            "volunteer_centres",
            "updated_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class CentreOrganisationField(serializers.PrimaryKeyRelatedField):
    """A volunteer centre's organisation, by id, among ``context["organisations"]``.

    Organisations are an app above this one: the view that composes the API
    (``registry.municipality_api``) gives the organisations, this app does not import them.
    """

    def get_queryset(self):
        return self.context["organisations"]


class VolunteerCentreInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    website = serializers.URLField(required=False, allow_blank=True, default="")
    organisation = CentreOrganisationField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The centre's own organisation record, if it has one.",
    )

    def validate(self, attrs):
        # A PATCH makes every nested field optional; a centre still needs its name.
        if not attrs.get("name"):
            raise serializers.ValidationError({"name": [_("This field is required.")]})
        return attrs


class MunicipalityProfileSerializer(RefusesReadOnlyFields, serializers.Serializer):
    """The profile a municipality's coordinators keep; the reference data is read-only."""

    # (The docstring is the schema's description. The serializer's context names the
    # ``organisations`` a volunteer centre may link: see ``CentreOrganisationField``.)

    read_only_names = (
        "id", "code", "name", "country", "county", "county_name", "org_number", "is_current",
        "updated_at",
    )  # fmt: skip

    population = serializers.IntegerField(min_value=0, allow_null=True)
    volunteer_policy_adopted = serializers.BooleanField()
    volunteer_policy_year = serializers.IntegerField(
        min_value=1990, max_value=2100, allow_null=True
    )
    volunteer_policy_url = serializers.URLField(allow_blank=True, max_length=200)
    volunteer_centres = VolunteerCentreInputSerializer(
        many=True,
        help_text="Replaces the municipality's volunteer centres; a centre is matched on its name.",
    )
