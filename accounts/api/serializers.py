from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.choices import MembershipRole
from accounts.models import Membership, User
from accounts.permissions import (
    coordinated_municipality_ids,
    is_admin,
    represented_organisation_ids,
)
from municipalities.models import Municipality
from organisations.models import Organisation

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


class UserInputSerializer(serializers.Serializer):
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


class MembershipInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=MembershipRole.choices)
    municipality = serializers.PrimaryKeyRelatedField(
        queryset=Municipality.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="For a coordinator.",
    )
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="For a representative.",
    )
    email = serializers.EmailField(
        help_text=(
            "The person to add. Someone without an account gets one (username = e-mail) and "
            "an invitation to set a password."
        )
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
