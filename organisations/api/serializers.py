from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from municipalities.models import Municipality
from organisations.choices import MAX_CATEGORIES, IcnpoCategory
from organisations.models import Organisation
from organisations.permissions import can_view_contact_details
from registry.api.serializers import RefusesReadOnlyFields

CONTACT_FIELDS = ("email", "phone", "contact_person", "address")

_CATEGORIES_HELP = (
    "Up to three ICNPO category values, most important first (the position is the rank), "
    'e.g. ["1", "4"].'
)
_CONTACT_HELP = (
    "Personal contact data: null unless you may see it (the organisation's representatives, "
    "municipal coordinators and administrators); always null for anonymous users and analysts."
)


class OrganisationSerializer(serializers.ModelSerializer):
    """An organisation as the API returns it."""

    categories = serializers.SerializerMethodField(help_text=_CATEGORIES_HELP)
    municipalities = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the municipalities where it operates."
    )
    org_id = serializers.CharField(
        read_only=True, help_text="The org-id.guide identifier, e.g. NO-BRC-974760673."
    )
    email = serializers.EmailField(read_only=True, allow_null=True, help_text=_CONTACT_HELP)
    phone = serializers.CharField(read_only=True, allow_null=True, help_text=_CONTACT_HELP)
    contact_person = serializers.CharField(read_only=True, allow_null=True, help_text=_CONTACT_HELP)
    address = serializers.CharField(read_only=True, allow_null=True, help_text=_CONTACT_HELP)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "country",
            "org_number",
            "org_id",
            "kind",
            "level",
            "categories",
            "municipalities",
            "description",
            "website",
            "verified",
            "verified_at",
            "created_at",
            "updated_at",
            *CONTACT_FIELDS,
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(IcnpoCategory.choices))
    )
    def get_categories(self, organisation: Organisation) -> list[str]:
        # The prefetch is ordered by rank.
        return [link.category for link in organisation.categories.all()]

    def to_representation(self, organisation: Organisation) -> dict:
        data = super().to_representation(organisation)
        request = self.context.get("request")
        user = request.user if request else None
        if not can_view_contact_details(user, organisation):
            for name in CONTACT_FIELDS:
                data[name] = None
        return data


#: Set only by ``organisation_verify`` (and cleared by a change of identity): a write that
#: names one of them is refused, rather than silently ignored.
VERIFICATION_FIELDS = ("verified", "verified_at", "verified_by")


class OrganisationInputSerializer(RefusesReadOnlyFields, serializers.Serializer):
    """What a representative registers and edits; ``verified`` is not accepted here."""

    read_only_names = ("id", "org_id", "created_at", "updated_at", "created_by")

    name = serializers.CharField(max_length=200)
    country = serializers.ChoiceField(choices=Organisation._meta.get_field("country").choices)
    org_number = serializers.CharField(
        max_length=20,
        allow_blank=True,
        required=False,
        help_text=(
            "Norwegian organisation number (9 digits), Danish CVR (8) or Swedish "
            "organisation number (10); spaces and dashes are allowed. Only an informal "
            "group may leave it empty."
        ),
    )
    kind = serializers.ChoiceField(choices=Organisation._meta.get_field("kind").choices)
    level = serializers.ChoiceField(
        choices=Organisation._meta.get_field("level").choices, required=False
    )
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=IcnpoCategory.choices),
        max_length=MAX_CATEGORIES,
        required=False,
        help_text=_CATEGORIES_HELP,
    )
    municipalities = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the municipalities where it operates (replaces the list).",
    )
    description = serializers.CharField(allow_blank=True, required=False)
    website = serializers.URLField(allow_blank=True, required=False, max_length=200)
    email = serializers.EmailField(allow_blank=True, required=False, max_length=254)
    phone = serializers.CharField(allow_blank=True, required=False, max_length=40)
    contact_person = serializers.CharField(allow_blank=True, required=False, max_length=200)
    address = serializers.CharField(allow_blank=True, required=False, max_length=300)

    def validate(self, attrs: dict) -> dict:
        initial = self.initial_data if hasattr(self.initial_data, "keys") else {}
        if named := [name for name in VERIFICATION_FIELDS if name in initial]:
            message = _(
                "This field is read-only: a volunteer coordinator of a municipality where the "
                "organisation operates verifies it."
            )
            raise serializers.ValidationError({name: [message] for name in named})
        return attrs


class VerificationQueueEntrySerializer(OrganisationSerializer):
    """An organisation waiting for verification, and why."""

    verification_requested_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Since when it waits: its registration, or the change that cleared it.",
    )
    reason = serializers.SerializerMethodField(
        help_text=(
            "`registered`: a new registration, never verified; `changed`: it was verified, "
            "then its name, country or number changed (see `changes`)."
        )
    )
    changes = serializers.SerializerMethodField(
        help_text=(
            "The verified values that changed since, by field (`name`, `country`, "
            "`org_number`); empty for a new registration."
        )
    )

    class Meta(OrganisationSerializer.Meta):
        fields = [
            *OrganisationSerializer.Meta.fields,
            "verification_requested_at",
            "reason",
            "changes",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["registered", "changed"]))
    def get_reason(self, organisation: Organisation) -> str:
        return "changed" if organisation.verification_changes else "registered"

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_changes(self, organisation: Organisation) -> dict[str, str]:
        return dict(organisation.verification_changes or {})
