"""Partnership API shapes. Thin: they check the shape of input; the rules are in services."""

from functools import cache
from operator import attrgetter
from typing import NamedTuple

from django.db import connection
from django.db.models.manager import BaseManager
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
from partnerships.models import (
    Partnership,
    PartnershipEvent,
    PartnershipField,
    PartnershipForm,
    PartnershipMunicipality,
    PartnershipOrganisation,
    is_listed,
)
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


class PartnershipListSerializer(serializers.ListSerializer):
    """A page of partnerships. The links and tags of all its rows are read in one query, as
    values (no model instances, no queryset per row), and the creators the reader may see
    in one more, through ``Partnership.objects.restrict`` (the queryset twin of the
    personal data rule), if a row has a creator. The view reads the rows without
    prefetching anything."""

    def to_representation(self, data):
        partnerships = list(data.all() if isinstance(data, BaseManager) else data)
        relations = _relations_of_page([partnership.pk for partnership in partnerships])
        creators = _creators_shown(partnerships, self.context["request"].user)
        child = self.child
        return [
            child.represent(partnership, relations[partnership.pk],
                            creators.get(partnership.pk))
            for partnership in partnerships
        ]  # fmt: skip


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
        list_serializer_class = PartnershipListSerializer

    # --- output ---------------------------------------------------------------------------
    # A row is built in one pass: its links are sorted once and shared by the five fields
    # made of them, the link rows are plain dicts (no nested serializer per row), and the
    # partnership's own columns go straight to their fields. A page (``many=True``) reads the
    # links, tags and creators of all its rows at once (``PartnershipListSerializer``); one
    # partnership reads them from its prefetched relations. The get_* methods describe the
    # computed fields for the schema and give the same values one at a time.

    #: The fields ``represent`` computes itself, from the row's links, tags and creator.
    _COMPUTED = frozenset(
        {
            "municipalities", "organisations", "organisation_roles", "municipality_links",
            "organisation_links", "fields", "forms", "created_by",
        }
    )  # fmt: skip

    @property
    def _columns(self) -> tuple["_Column", ...]:
        return _output_columns(type(self))

    def to_representation(self, instance):
        return self.represent(instance, _relations_of(instance), self.get_created_by(instance))

    def represent(self, instance, relations: "_Relations", created_by: str | None) -> dict:
        """The partnership's JSON object, given its links and tags and its creator's username
        (None where the reader may not see it)."""
        listed = [link for link in relations.organisation_links if is_listed(instance, link)]
        computed = {
            "municipalities": [link.municipality_id for link in relations.municipality_links
                               if is_listed(instance, link)],
            "organisations": [link.organisation_id for link in listed],
            "organisation_roles": _role_rows(listed),
            "municipality_links": _municipality_link_rows(relations.municipality_links),
            "organisation_links": _organisation_link_rows(relations.organisation_links),
            "fields": relations.fields,
            "forms": relations.forms,
            "created_by": created_by,
        }  # fmt: skip
        ret = {}
        for name, field, attribute in self._columns:
            if field is None:
                ret[name] = computed[name]
                continue
            value = getattr(instance, attribute) if attribute else field.get_attribute(instance)
            ret[name] = None if value is None else field.to_representation(value)
        return ret

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_municipalities(self, obj) -> list[int]:
        links = _relations_of(obj).municipality_links
        return [link.municipality_id for link in links if is_listed(obj, link)]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_organisations(self, obj) -> list[int]:
        links = _relations_of(obj).organisation_links
        return [link.organisation_id for link in links if is_listed(obj, link)]

    @extend_schema_field(OrganisationRoleSerializer(many=True))
    def get_organisation_roles(self, obj) -> list[dict]:
        links = _relations_of(obj).organisation_links
        return _role_rows(link for link in links if is_listed(obj, link))

    @extend_schema_field(MunicipalityLinkSerializer(many=True))
    def get_municipality_links(self, obj) -> list[dict]:
        return _municipality_link_rows(_relations_of(obj).municipality_links)

    @extend_schema_field(OrganisationLinkSerializer(many=True))
    def get_organisation_links(self, obj) -> list[dict]:
        return _organisation_link_rows(_relations_of(obj).organisation_links)

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


#: (name, field, attribute) of an output field.
_Column = tuple[str, serializers.Field | None, str | None]


@cache
def _output_columns(serializer_class) -> tuple[_Column, ...]:
    """(name, field, attribute) of each field ``serializer_class`` writes, in order: ``field``
    is None for the fields ``represent`` computes, ``attribute`` None where the field looks
    its value up itself. Built once per process: building a model serializer's fields
    costs more than writing a row, and these read-only fields keep no state between rows
    (a fresh, context-free instance holds them)."""
    columns = []
    for field in serializer_class()._readable_fields:
        name = field.field_name
        if name in serializer_class._COMPUTED:
            columns.append((name, None, None))
        else:
            simple = len(field.source_attrs) == 1 and field.source != "*"
            columns.append((name, field, field.source if simple else None))
    return tuple(columns)


# --- a partnership's links and tags, as the serializer reads them -------------------------


class _MunicipalityLink(NamedTuple):
    municipality_id: int
    state: str


class _OrganisationLink(NamedTuple):
    pk: int
    organisation_id: int
    role: str
    state: str
    vouched: bool


class _Relations(NamedTuple):
    municipality_links: list[_MunicipalityLink]  # by municipality id
    organisation_links: list[_OrganisationLink]  # by role (lead first), then id
    fields: list[str]  # sorted
    forms: list[str]  # sorted


_ROLE_ORDER = {role: i for i, role in enumerate(OrganisationRole.values)}


def _organisation_link_order(link: _OrganisationLink) -> tuple[int, int]:
    return _ROLE_ORDER[link.role], link.pk


def _relations_of(obj) -> _Relations:
    """One partnership's links and tags, from its (prefetched) relations."""
    return _Relations(
        sorted(
            (_MunicipalityLink(link.municipality_id, link.state)
             for link in obj.municipality_links.all()),
            key=attrgetter("municipality_id"),
        ),
        sorted(
            (_OrganisationLink(link.pk, link.organisation_id, link.role, link.state, link.vouched)
             for link in obj.organisation_links.all()),
            key=_organisation_link_order,
        ),
        sorted(obj.field_values),
        sorted(obj.form_values),
    )  # fmt: skip


_ORGANISATION, _MUNICIPALITY, _FIELD, _FORM = range(4)
#: SQL constants for the columns a table lacks.
_ZERO, _BLANK, _FALSE = "0", "''", "FALSE"
#: Each table of ``_relation_rows``: its kind, and its party id, role or tag, state and
#: vouched columns (fields, or constants).
_RELATION_TABLES = (
    (PartnershipOrganisation, _ORGANISATION, ("organisation", "role", "state", "vouched")),
    (PartnershipMunicipality, _MUNICIPALITY, ("municipality", _BLANK, "state", _FALSE)),
    (PartnershipField, _FIELD, (_ZERO, "field", _BLANK, _FALSE)),
    (PartnershipForm, _FORM, (_ZERO, "form", _BLANK, _FALSE)),
)


def _relation_rows(ids: list[int]) -> list[tuple]:
    """Every link and tag of the partnerships ``ids`` as (partnership id, kind, link id,
    party id, role or tag, state, vouched): the four tables in one ``UNION ALL``, one round
    trip to the database. Written out in SQL, from the models' table and column names and
    nothing specific to a database: built with the ORM, the union took longer to put
    together than the database took to answer it."""
    quote = connection.ops.quote_name

    def column(model, name: str) -> str:
        if name in (_ZERO, _BLANK, _FALSE):
            return name
        return quote(model._meta.get_field(name).column)

    # The ids are integers (int() sees to it), written into the statement: the driver binds
    # parameters on the client anyway, and parsing a statement with 200 of them took
    # longer than the query.
    ids_sql = ", ".join(str(int(partnership_id)) for partnership_id in ids)
    selects = []
    for model, kind, names in _RELATION_TABLES:
        partnership = column(model, "partnership")
        columns = [partnership, str(kind), column(model, "id")]
        columns += [column(model, name) for name in names]
        selects.append(
            f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)} "
            f"WHERE {partnership} IN ({ids_sql})"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects))
        return cursor.fetchall()


def _relations_of_page(ids: list[int]) -> dict[int, _Relations]:
    """The links and tags of the partnerships ``ids``: one query, whatever their number."""
    found = {partnership_id: _Relations([], [], [], []) for partnership_id in ids}
    if not found:
        return found
    for partnership_id, kind, pk, party_id, text, state, vouched in _relation_rows(ids):
        relations = found[partnership_id]
        if kind == _ORGANISATION:
            relations.organisation_links.append(
                _OrganisationLink(pk, party_id, text, state, vouched)
            )
        elif kind == _MUNICIPALITY:
            relations.municipality_links.append(_MunicipalityLink(party_id, state))
        elif kind == _FIELD:
            relations.fields.append(text)
        else:
            relations.forms.append(text)
    for relations in found.values():
        relations.municipality_links.sort(key=attrgetter("municipality_id"))
        relations.organisation_links.sort(key=_organisation_link_order)
        relations.fields.sort()
        relations.forms.sort()
    return found


def _creators_shown(partnerships, user) -> dict[int, str | None]:
    """The creators' usernames ``user`` may see, by partnership id: one query, none if no
    row has a creator or the user may see no creator at all."""
    ids = [partnership.pk for partnership in partnerships if partnership.created_by_id]
    if not ids:
        return {}
    return dict(
        Partnership.objects.restrict(user, "personal_data")
        .filter(pk__in=ids)
        .order_by()
        .values_list("pk", "created_by__username")
    )


# The link rows as MunicipalityLinkSerializer, OrganisationLinkSerializer and
# OrganisationRoleSerializer write them (ids, choice values and booleans as they are).


def _municipality_link_rows(links) -> list[dict]:
    return [{"municipality": link.municipality_id, "state": link.state} for link in links]


def _organisation_link_rows(links) -> list[dict]:
    return [
        {
            "organisation": link.organisation_id,
            "role": link.role,
            "state": link.state,
            "vouched": bool(link.vouched),
        }
        for link in links
    ]


def _role_rows(links) -> list[dict]:
    return [{"organisation": link.organisation_id, "role": link.role} for link in links]


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
