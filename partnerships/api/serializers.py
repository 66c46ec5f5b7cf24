"""Partnership API shapes. Thin: they check the shape of input; the rules are in services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships.choices import (
    Agreement,
    CoCreationType,
    CollaborationForm,
    Currency,
    Field,
    GoalsControl,
    HinderingFactor,
    Initiator,
    InvolvementPhase,
    OrganisationRole,
    PromotingFactor,
    Status,
)
from partnerships.models import Partnership, PartnershipEvent


class OrganisationRoleSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    role = serializers.ChoiceField(choices=OrganisationRole.choices)


class ListField(serializers.MultipleChoiceField):
    """A multiple choice answered as a sorted list (DRF's gives a set)."""

    def to_internal_value(self, data):
        return sorted(super().to_internal_value(data))

    def to_representation(self, value):
        return sorted(super().to_representation(value))


class PartnershipInputSerializer(serializers.Serializer):
    """What a client sends to create or change a partnership."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    municipalities = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.all(), many=True, allow_empty=False
    )
    organisations = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        many=True,
        allow_empty=False,
        help_text=_(
            "Organisation ids. The first is the lead partner unless organisation_roles "
            "says otherwise."
        ),
    )
    organisation_roles = OrganisationRoleSerializer(
        many=True, required=False, help_text=_("Roles of some or all of the organisations.")
    )
    fields = ListField(choices=Field.choices, allow_empty=False)
    forms = ListField(choices=CollaborationForm.choices, required=False, default=list)
    co_creation_type = serializers.ChoiceField(choices=CoCreationType.choices)
    initiator = serializers.ChoiceField(choices=Initiator.choices)
    involvement_phase = serializers.ChoiceField(choices=InvolvementPhase.choices)
    goals_control = serializers.ChoiceField(choices=GoalsControl.choices)
    agreement = serializers.ChoiceField(choices=Agreement.choices, default=Agreement.NONE)
    status = serializers.ChoiceField(
        choices=Status.choices,
        default=Status.PROPOSED,
        help_text=_(
            "Only on create. Organisation representatives create proposals; "
            "afterwards the status changes through the workflow actions."
        ),
    )
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    municipal_contribution = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
    )
    currency = serializers.ChoiceField(choices=Currency.choices, default=Currency.NOK)
    volunteer_hours = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=2_000_000_000
    )
    people_reached = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=2_000_000_000
    )
    promoting_factors = ListField(choices=PromotingFactor.choices, required=False, default=list)
    hindering_factors = ListField(choices=HinderingFactor.choices, required=False, default=list)
    outcomes = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        roles = {item["organisation"]: item["role"] for item in attrs.pop("organisation_roles", [])}
        if "organisations" in attrs:
            unknown = [o.pk for o in roles if o not in attrs["organisations"]]
            if unknown:
                raise serializers.ValidationError(
                    {
                        "organisation_roles": _("Organisations not among “organisations”: %s")
                        % ", ".join(map(str, unknown))
                    }
                )
            attrs["organisations"] = {
                org: roles.get(org, OrganisationRole.LEAD if i == 0 else OrganisationRole.PARTNER)
                for i, org in enumerate(attrs["organisations"])
            }
        elif roles:
            raise serializers.ValidationError(
                {"organisation_roles": _("Give the organisations too.")}
            )
        return attrs


class PartnershipSerializer(serializers.ModelSerializer):
    """A partnership as the API returns it."""

    municipalities = serializers.SerializerMethodField()
    organisations = serializers.SerializerMethodField()
    organisation_roles = serializers.SerializerMethodField()
    fields = serializers.SerializerMethodField(method_name="get_field_values")
    forms = serializers.SerializerMethodField()
    promoting_factors = serializers.ListField(
        child=serializers.ChoiceField(PromotingFactor.choices)
    )
    hindering_factors = serializers.ListField(
        child=serializers.ChoiceField(HinderingFactor.choices)
    )
    created_by = serializers.SerializerMethodField(
        help_text=_("Username of the creator; only for the partners and administrators.")
    )

    class Meta:
        model = Partnership
        fields = [
            "id", "title", "description", "municipalities", "organisations",
            "organisation_roles", "fields", "co_creation_type", "derived_co_creation_type",
            "initiator", "involvement_phase", "goals_control", "forms", "agreement", "status",
            "start_date", "end_date", "municipal_contribution", "currency", "volunteer_hours",
            "people_reached", "promoting_factors", "hindering_factors", "outcomes",
            "created_at", "updated_at", "created_by",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_municipalities(self, obj) -> list[int]:
        return sorted(link.municipality_id for link in obj.municipality_links.all())

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_organisations(self, obj) -> list[int]:
        return [link.organisation_id for link in _ordered_roles(obj)]

    @extend_schema_field(OrganisationRoleSerializer(many=True))
    def get_organisation_roles(self, obj) -> list[dict]:
        return [{"organisation": link.organisation_id, "role": link.role}
                for link in _ordered_roles(obj)]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Field.choices)))
    def get_field_values(self, obj) -> list[str]:
        return sorted(obj.field_values)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(CollaborationForm.choices))
    )
    def get_forms(self, obj) -> list[str]:
        return sorted(obj.form_values)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, obj) -> str | None:
        user = self.context["request"].user
        if obj.created_by_id and permissions.can_view_partnership_personal_data(user, obj):
            return obj.created_by.username
        return None


_ROLE_ORDER = {role: i for i, role in enumerate(OrganisationRole.values)}


def _ordered_roles(obj):
    return sorted(obj.organisation_links.all(), key=lambda link: (_ROLE_ORDER[link.role], link.pk))


class TransitionSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required to decline, ask for changes or discontinue."),
    )
    start_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Accept only: the start date, if the proposal has none (default today)."),
    )


class PartnershipEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(
        help_text=_("Who took the step; only for the partners and administrators.")
    )

    class Meta:
        model = PartnershipEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "comment", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event) -> str | None:
        if event.actor_id and self.context.get("shows_personal_data"):
            return event.actor.username
        return None
