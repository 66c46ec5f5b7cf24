from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import MembershipRole
from accounts.models import Invitation, InvitationStatus, Membership, User
from accounts.permissions import (
    coordinated_municipality_ids,
    is_admin,
    represented_organisation_ids,
)
from registry.api.serializers import RefusesReadOnlyFields

# --- output ---------------------------------------------------------------------------------


class MembershipSummarySerializer(serializers.ModelSerializer):
    """A user's membership, as listed with the user."""

    name = serializers.SerializerMethodField(help_text="The municipality's or organisation's name.")

    class Meta:
        model = Membership
        fields = ["id", "role", "municipality", "organisation", "name"]
        read_only_fields = fields

    def get_name(self, membership: Membership) -> str:
        return str(membership.municipality or membership.organisation)


class UserSerializer(serializers.ModelSerializer):
    is_admin = serializers.BooleanField(
        source="is_superuser", read_only=True, help_text="A registry administrator."
    )
    memberships = MembershipSummarySerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "is_active",
            "is_analyst",
            "is_admin",
            "last_login",
            "date_joined",
            "memberships",
        ]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    """The signed-in user, with the roles the registry gives them."""

    is_admin = serializers.SerializerMethodField()
    coordinator_of = serializers.SerializerMethodField(
        help_text="Ids of the municipalities this user coordinates."
    )
    representative_of = serializers.SerializerMethodField(
        help_text="Ids of the organisations this user represents."
    )
    memberships = MembershipSummarySerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "is_admin",
            "is_analyst",
            "coordinator_of",
            "representative_of",
            "memberships",
        ]
        read_only_fields = fields

    def get_is_admin(self, user: User) -> bool:
        return is_admin(user)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_coordinator_of(self, user: User) -> list[int]:
        return sorted(coordinated_municipality_ids(user))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_representative_of(self, user: User) -> list[int]:
        return sorted(represented_organisation_ids(user))


class MembershipSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.SerializerMethodField(help_text="The municipality's or organisation's name.")

    class Meta:
        model = Membership
        fields = [
            "id",
            "role",
            "user",
            "username",
            "email",
            "municipality",
            "organisation",
            "name",
            "invited_by",
            "created_at",
            "invitation_sent_at",
        ]
        read_only_fields = fields

    def get_name(self, membership: Membership) -> str:
        return str(membership.municipality or membership.organisation)


# --- input ----------------------------------------------------------------------------------


class UserInputSerializer(RefusesReadOnlyFields, serializers.Serializer):
    read_only_names = ("id", "is_admin", "last_login", "date_joined", "memberships")

    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(allow_blank=True, required=False)
    first_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    last_name = serializers.CharField(max_length=150, allow_blank=True, required=False)
    is_active = serializers.BooleanField(required=False)
    is_analyst = serializers.BooleanField(required=False)
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        help_text=(
            "Optional. Without one, a new account cannot sign in until a password is set "
            "(here, in the admin, or through an invitation)."
        ),
    )


def _linked(field: str):
    """Every municipality or organisation, reached through ``Membership``'s own foreign key
    (``accounts`` imports no domain app)."""
    return Membership._meta.get_field(field).related_model._default_manager.all()


class MembershipTargetSerializer(serializers.Serializer):
    """The role and place of an invitation: what the rules are asked about first."""

    role = serializers.ChoiceField(choices=MembershipRole.choices)
    municipality = serializers.PrimaryKeyRelatedField(
        queryset=_linked("municipality"),
        required=False,
        allow_null=True,
        default=None,
        help_text="For a coordinator.",
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=_linked("organisation"),
        required=False,
        allow_null=True,
        default=None,
        help_text="For a representative.",
    )


class MembershipInputSerializer(MembershipTargetSerializer):
    email = serializers.EmailField(
        help_text=(
            "The address to invite. An invitation with a single-use link goes there; the "
            "role takes effect only when the owner of the address accepts it."
        )
    )


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as the inviter sees it: the same fields whether or not the address has
    an account, and never the account itself."""

    id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Null only in the answer to an invitation of an address that already belongs to a "
            "member of the place: nothing is sent or recorded then."
        ),
    )
    status = serializers.ChoiceField(
        choices=InvitationStatus.choices,
        read_only=True,
        help_text="`pending` until accepted, revoked or expired.",
    )

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "municipality", "organisation", "status", "expires_at"]
        read_only_fields = fields


class InvitationDetailSerializer(InvitationSerializer):
    """An invitation in the list of the invitations one manages."""

    name = serializers.SerializerMethodField(help_text="The municipality's or organisation's name.")
    id = serializers.IntegerField(read_only=True)

    class Meta(InvitationSerializer.Meta):
        fields = [
            *InvitationSerializer.Meta.fields,
            "name",
            "invited_by",
            "created_at",
            "sent_at",
            "accepted_at",
            "revoked_at",
        ]
        read_only_fields = fields

    def get_name(self, invitation: Invitation) -> str:
        return str(invitation.place)


class InvitationAcceptSerializer(serializers.Serializer):
    key = serializers.CharField(
        max_length=200,
        help_text="The key from the invitation link (`/accounts/invitations/<key>/`).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
