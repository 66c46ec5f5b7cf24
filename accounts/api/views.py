from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.api.permissions import ActionRules, ManagesUsers
from accounts.api.serializers import (
    MembershipInputSerializer,
    MembershipSerializer,
    MeSerializer,
    TokenSerializer,
    UserInputSerializer,
    UserSerializer,
)
from accounts.models import Membership, User
from accounts.permissions import can_delete_membership
from accounts.services import (
    membership_create,
    membership_delete,
    user_create,
    user_deactivate,
    user_update,
)
from registry.api.schema import error_responses

_ADMIN_ONLY = "Registry administrators only; anyone else gets 403 (401 when not signed in)."


@extend_schema_view(
    list=extend_schema(
        summary="List user accounts",
        description=_ADMIN_ONLY,
        responses={200: UserSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        summary="A user account",
        description=_ADMIN_ONLY,
        responses={200: UserSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        summary="Create a user account",
        description=_ADMIN_ONLY,
        request=UserInputSerializer,
        responses={201: UserSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        summary="Replace a user account",
        description=_ADMIN_ONLY,
        request=UserInputSerializer,
        responses={200: UserSerializer, **error_responses(400, 401, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a user account",
        description=_ADMIN_ONLY,
        request=UserInputSerializer,
        responses={200: UserSerializer, **error_responses(400, 401, 403, 404)},
    ),
)
class UserViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = User.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("municipality", "organisation"),
        )
    ).order_by("username")
    serializer_class = UserSerializer
    permission_classes = [ManagesUsers]
    filterset_fields = ["is_active", "is_analyst"]
    ordering_fields = ["username", "date_joined", "last_login"]

    def _output(self, user: User, status_code=status.HTTP_200_OK) -> Response:
        return Response(
            UserSerializer(self.get_queryset().get(pk=user.pk)).data, status=status_code
        )

    def create(self, request, *args, **kwargs):
        serializer = UserInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create(actor=request.user, **serializer.validated_data)
        return self._output(user, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        user = self.get_object()
        serializer = UserInputSerializer(data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        user_update(user=user, actor=request.user, data=serializer.validated_data)
        return self._output(user)

    @extend_schema(
        summary="Deactivate a user account",
        description=(
            "The account can no longer sign in (nor use its token); it is kept, since "
            "records name it. Reactivate with `PATCH {is_active: true}`. " + _ADMIN_ONLY
        ),
        request=None,
        responses={200: UserSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = user_deactivate(user=self.get_object(), actor=request.user)
        return self._output(user)

    @extend_schema(
        summary="The signed-in user",
        description="Your profile, memberships and roles. Any signed-in user (401 otherwise).",
        responses={200: MeSerializer, **error_responses(401)},
    )
    @action(
        detail=False,
        methods=["get"],
        permission_classes=[IsAuthenticated],
        filter_backends=[],
        pagination_class=None,
    )
    def me(self, request):
        return Response(MeSerializer(self.get_queryset().get(pk=request.user.pk)).data)


@extend_schema_view(
    list=extend_schema(
        summary="List memberships",
        description=(
            "Administrators see all; anyone else their own and those of the municipalities "
            "they coordinate and the organisations they represent."
        ),
        responses={200: MembershipSerializer(many=True), **error_responses(401)},
    ),
    retrieve=extend_schema(
        summary="A membership",
        responses={200: MembershipSerializer, **error_responses(401, 404)},
    ),
    create=extend_schema(
        summary="Add a coordinator or representative (invite by e-mail)",
        description=(
            "Administrators add anyone anywhere; a coordinator invites coordinators to his own "
            "municipality, a representative invites representatives to his own organisation. "
            "Give `municipality` for a coordinator, `organisation` for a representative. "
            "An unknown e-mail address gets a new account and an e-mail with a link to set a "
            "password."
        ),
        request=MembershipInputSerializer,
        responses={201: MembershipSerializer, **error_responses(400, 401, 403)},
    ),
    destroy=extend_schema(
        summary="Remove a membership",
        description=(
            "Administrators, and the coordinators or representatives of the same "
            "municipality or organisation. The user account is kept."
        ),
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class MembershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MembershipSerializer
    permission_classes = [IsAuthenticated, ActionRules]
    object_rules = {"destroy": can_delete_membership}
    filterset_fields = ["role", "municipality", "organisation", "user"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return (
            Membership.objects.visible_to(self.request.user)
            .select_related("user", "municipality", "organisation")
            .order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = MembershipInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = membership_create(
            actor=request.user,
            site_url=request.build_absolute_uri("/"),
            **serializer.validated_data,
        )
        return Response(
            MembershipSerializer(self.get_queryset().get(pk=membership.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def perform_destroy(self, membership):
        membership_delete(membership=membership, actor=self.request.user)


class TokenView(ObtainAuthToken):
    """DRF's token view, described with the registry's error body."""

    @extend_schema(
        summary="Obtain an API token",
        description=(
            "Username and password in, a token out; send it as `Authorization: Token <key>`. "
            "The same token is returned until it is deleted."
        ),
        responses={200: TokenSerializer, **error_responses(400)},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
