"""Partnership API shapes. Thin: they check the shape of input; the rules are in services."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships import permissions
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
    LinkState,
    OrganisationRole,
    PromotingFactor,
    Status,
)
from partnerships.models import Partnership, PartnershipEvent, is_listed
from registry.api.serializers import RefusesReadOnlyFields


class OrganisationRoleSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    role = serializers.ChoiceField(choices=OrganisationRole.choices)


class ListField(serializers.MultipleChoiceField):
    """A multiple choice answered as a sorted list (DRF's gives a set)."""

    def to_internal_value(self, data):
        return sorted(super().to_internal_value(data))

    def to_representation(self, value):
        return sorted(super().to_representation(value))


class PartnershipInputSerializer(RefusesReadOnlyFields, serializers.Serializer):
    """What a client sends to create or change a partnership."""

    read_only_names = (
        "id", "derived_co_creation_type", "created_by", "created_at", "updated_at",
        "municipality_links", "organisation_links",
    )  # fmt: skip
    # The status changes through the workflow's actions once the partnership exists.
    read_only_on_update = ("status",)

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
        many=True,
        required=False,
        help_text=_(
            "Roles of some or all of the organisations. Exactly one leads: without a lead "
            "the first organisation leads; two leads are refused."
        ),
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
        required=False,
        help_text=_(
            "Only on create; optional, with a default by role. An organisation's "
            "representatives create a `draft` (the default for them; only the organisation "
            "and administrators see it until it is submitted). Coordinators log an "
            "established partnership: `active` (their default), `completed` or "
            "`discontinued`; administrators also a `draft`. `under_review`, "
            "`changes_requested` and `declined` are reached only through the workflow "
            "actions: draft →submit→ under_review →accept→ active →complete→ completed; "
            "under_review →decline→ declined; under_review →request-changes→ "
            "changes_requested →submit→ under_review; active →discontinue→ discontinued."
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
            # Roles not given are None: the service's one default rule picks the lead.
            attrs["organisations"] = {org: roles.get(org) for org in attrs["organisations"]}
        elif roles:
            raise serializers.ValidationError(
                {"organisation_roles": _("Give the organisations too.")}
            )
        return attrs


class MunicipalityLinkSerializer(serializers.Serializer):
    municipality = serializers.IntegerField(source="municipality_id")
    state = serializers.ChoiceField(choices=LinkState.choices)


class OrganisationLinkSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation_id")
    role = serializers.ChoiceField(choices=OrganisationRole.choices)
    state = serializers.ChoiceField(choices=LinkState.choices)
    vouched = serializers.BooleanField(
        help_text=_(
            "Linked without the organisation's confirmation because it had no "
            "representatives; a representative can dispute it (decline-link)."
        )
    )


class PartnershipSerializer(serializers.ModelSerializer):
    """A partnership as the API returns it.

    ``municipalities``, ``organisations`` and ``organisation_roles`` name the parties the
    partnership is listed under: confirmed links, and on a proposal also the links still
    awaiting confirmation (the municipality it is addressed to). An established
    partnership names only confirmed parties there. ``municipality_links`` and
    ``organisation_links`` give every link with its state (``confirmed``, ``pending``:
    awaiting confirmation, ``declined``).
    """

    municipalities = serializers.SerializerMethodField(
        help_text=_("Municipalities it is listed under (see municipality_links for all).")
    )
    organisations = serializers.SerializerMethodField(
        help_text=_("Organisations it is listed under, lead first (see organisation_links).")
    )
    organisation_roles = serializers.SerializerMethodField()
    municipality_links = serializers.SerializerMethodField()
    organisation_links = serializers.SerializerMethodField()
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
            "organisation_roles", "municipality_links", "organisation_links", "fields",
            "co_creation_type", "derived_co_creation_type",
            "initiator", "involvement_phase", "goals_control", "forms", "agreement", "status",
            "start_date", "end_date", "municipal_contribution", "currency", "volunteer_hours",
            "people_reached", "promoting_factors", "hindering_factors", "outcomes",
            "created_at", "updated_at", "created_by",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_municipalities(self, obj) -> list[int]:
        return sorted(
            link.municipality_id for link in obj.municipality_links.all() if is_listed(obj, link)
        )

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_organisations(self, obj) -> list[int]:
        return [link.organisation_id for link in _ordered_roles(obj) if is_listed(obj, link)]

    @extend_schema_field(OrganisationRoleSerializer(many=True))
    def get_organisation_roles(self, obj) -> list[dict]:
        return [{"organisation": link.organisation_id, "role": link.role}
                for link in _ordered_roles(obj) if is_listed(obj, link)]  # fmt: skip

    @extend_schema_field(MunicipalityLinkSerializer(many=True))
    def get_municipality_links(self, obj) -> list[dict]:
        links = sorted(obj.municipality_links.all(), key=lambda link: link.municipality_id)
        return MunicipalityLinkSerializer(links, many=True).data

    @extend_schema_field(OrganisationLinkSerializer(many=True))
    def get_organisation_links(self, obj) -> list[dict]:
        return OrganisationLinkSerializer(_ordered_roles(obj), many=True).data

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


class LinkAnswerSerializer(serializers.Serializer):
    """Which link to confirm or decline: exactly one of ``municipality`` and ``organisation``."""

    municipality = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.all(), required=False
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Declining only: why.")
    )

    def validate(self, attrs):
        if ("municipality" in attrs) == ("organisation" in attrs):
            raise serializers.ValidationError(
                {"municipality": _("Give either a municipality or an organisation.")}
            )
        return attrs


class LinkRequestSerializer(serializers.Serializer):
    """A link awaiting the confirmation of a municipality or organisation the user acts for."""

    partnership = serializers.IntegerField(source="partnership_id")
    title = serializers.CharField(source="partnership.title")
    status = serializers.ChoiceField(source="partnership.status", choices=Status.choices)
    municipality = serializers.IntegerField(source="municipality_id", allow_null=True, default=None)
    organisation = serializers.IntegerField(source="organisation_id", allow_null=True, default=None)
    role = serializers.CharField(allow_null=True, default=None)
    vouched = serializers.BooleanField(
        default=False, help_text=_("A confirmed link a coordinator vouched for: dispute it.")
    )
    state = serializers.ChoiceField(choices=LinkState.choices)


class PartnershipEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(
        help_text=_("Who took the step; only for the partners and administrators.")
    )

    class Meta:
        model = PartnershipEvent
        fields = [
            "id", "action", "from_status", "to_status", "municipality", "organisation",
            "actor", "comment", "created_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "action": {
                "help_text": _(
                    "submit, accept, decline, request_changes, complete, discontinue; or a "
                    "link's consent: link_requested, link_confirmed, link_declined (naming "
                    "the municipality or organisation of the link)."
                )
            }
        }

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event) -> str | None:
        if event.actor_id and self.context.get("shows_personal_data"):
            return event.actor.username
        return None
