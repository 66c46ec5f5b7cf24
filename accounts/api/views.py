import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.api.permissions import ActionRules, ManagesUsers
from accounts.api.serializers import (
    InvitationAcceptSerializer,
    InvitationDetailSerializer,
    InvitationSerializer,
    MembershipInputSerializer,
    MembershipSerializer,
    MembershipTargetSerializer,
    MeSerializer,
    TokenSerializer,
    UserInputSerializer,
    UserSerializer,
)
from accounts.emails import has_confirmed_email
from accounts.models import Invitation, InvitationStatus, Membership, User
from accounts.permissions import can_invite_anyone, membership_creation_refusal
from accounts.services import (
    InvitationRateLimited,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_delete,
    user_create,
    user_deactivate,
    user_update,
)
from accounts.throttling import TokenFailureThrottle
from accounts.tokens import token_get
from registry.api.parsers import body_fields
from registry.api.schema import ErrorSerializer, error_responses

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


_RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    type=int,
    location=OpenApiParameter.HEADER,
    response=[429],
    description="Seconds until the inviter may send another invitation.",
)
_INVITATION_THROTTLED = OpenApiResponse(
    response=ErrorSerializer,
    description=(
        "The inviter has sent `INVITATION_RATE_LIMIT` (20) invitations within 24 hours: "
        "wait the seconds in `Retry-After`."
    ),
)


def _invite(request, data) -> Response:
    """``invitation_create``, with its rate limit answered as 429 + ``Retry-After``."""
    try:
        invitation = invitation_create(actor=request.user, **data)
    except InvitationRateLimited as error:
        raise Throttled(error.retry_after, detail=error.messages[0]) from None
    return Response(InvitationSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)


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
        summary="Invite a coordinator or representative (by e-mail)",
        description=(
            "Sends an invitation, not a membership: the address gets an e-mail with a "
            "single-use link (valid 7 days), and the role takes effect only when the owner of "
            "the address accepts it, signed in with that address (or by creating an account "
            "through the link). Nothing is attached to any account before that.\n\n"
            "Administrators invite anywhere; a coordinator invites coordinators to his own "
            "municipality, a representative invites representatives to his own organisation, "
            "which must be verified. Give `municipality` for a coordinator, `organisation` for "
            "a representative.\n\n"
            "The answer (202) is the same whether or not the address has an account: no "
            "username, no user id. Inviting an address with an open invitation renews it (a "
            "new link and expiry; the old link stops working). An address that already "
            "belongs to a member of the place gets nothing, and the answer has `id: null`.\n\n"
            "At most 20 invitations per inviter within 24 hours: then 429 with `Retry-After`."
        ),
        request=MembershipInputSerializer,
        parameters=[_RETRY_AFTER],
        responses={
            202: InvitationSerializer,
            **error_responses(400, 401, 403),
            429: _INVITATION_THROTTLED,
        },
    ),
    destroy=extend_schema(
        summary="Remove a membership",
        description=(
            "Administrators remove anyone. Anyone else removes only their own membership, and "
            "not when they are the last coordinator of the municipality (or the last "
            "representative of the organisation): only an administrator removes the last one. "
            "A coordinator cannot remove another coordinator of the same municipality, nor a "
            "representative another representative (403, with the reason). The user account "
            "is kept."
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
    # Who may invite at all is asked before the body is validated (403 before 400).
    permission_classes = [IsAuthenticated, ActionRules]
    action_rules = {"create": can_invite_anyone}
    filterset_fields = ["role", "municipality", "organisation", "user"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return (
            Membership.objects.visible_to(self.request.user)
            .select_related("user", "municipality", "organisation")
            .order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        # Who may invite to *this* role and place is asked before the rest of the body is
        # validated (403 before 400); a malformed place is the body's 400 below.
        target = MembershipTargetSerializer(data=request.data)
        if target.is_valid() and (
            refusal := membership_creation_refusal(request.user, **target.validated_data)
        ):
            raise PermissionDenied(refusal)
        serializer = MembershipInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return _invite(request, serializer.validated_data)

    def perform_destroy(self, membership):
        # The service gives the reason of a refusal (403).
        membership_delete(membership=membership, actor=self.request.user)


class InvitationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=InvitationStatus.choices,
        method="filter_status",
        help_text="pending, accepted, expired or revoked.",
    )

    class Meta:
        model = Invitation
        fields = ["status", "role", "municipality", "organisation"]

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)


@extend_schema_view(
    list=extend_schema(
        summary="List invitations",
        description=(
            "The invitations you manage: those to the municipalities you coordinate and the "
            "organisations you represent (administrators: all), newest first, in every state."
        ),
        responses={200: InvitationDetailSerializer(many=True), **error_responses(401)},
    ),
    retrieve=extend_schema(
        summary="An invitation",
        responses={200: InvitationDetailSerializer, **error_responses(401, 404)},
    ),
    destroy=extend_schema(
        summary="Revoke an invitation",
        description=(
            "Its link stops working; the invitation is kept, with status `revoked`. Those who "
            "may send it may revoke it. An accepted invitation cannot be revoked (400): remove "
            "the membership instead."
        ),
        responses={204: None, **error_responses(400, 401, 404)},
    ),
)
class InvitationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InvitationDetailSerializer
    permission_classes = [IsAuthenticated]
    throttle_scope = None  # "invitations" on ``accept`` (registry.api.throttling)
    filterset_class = InvitationFilter
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self):
        return (
            Invitation.objects.visible_to(self.request.user)
            .select_related("municipality", "organisation")
            .order_by("-created_at", "-id")
        )

    def perform_destroy(self, invitation):
        invitation_revoke(invitation=invitation, actor=self.request.user)

    @extend_schema(
        summary="Accept an invitation",
        description=(
            "For API clients: the signed-in user accepts the invitation whose link holds "
            "`key`. The account must have the invited address (an unconfirmed one becomes "
            "confirmed: the link was sent to it); the invitation must be pending. Single use; "
            "repeating it with the same key as the same user answers the same membership. "
            "Answers the membership that took effect."
        ),
        request=InvitationAcceptSerializer,
        responses={
            200: MembershipSerializer,
            **error_responses(400, 401),
            429: OpenApiResponse(
                response=ErrorSerializer,
                description="Too many attempts: wait the seconds in `Retry-After`.",
            ),
        },
    )
    @action(
        detail=False,
        methods=["post"],
        filter_backends=[],
        pagination_class=None,
        throttle_scope="invitations",
    )
    def accept(self, request):
        serializer = InvitationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = invitation_accept(key=serializer.validated_data["key"], user=request.user)
        return Response(
            MembershipSerializer(
                Membership.objects.select_related("user", "municipality", "organisation").get(
                    pk=membership.pk
                )
            ).data
        )


class TokenView(ObtainAuthToken):
    """DRF's token view, throttled on failures and only for confirmed addresses.

    Failed attempts count per account and per client address (``accounts.throttling``);
    past the limit every attempt, right password or not, answers 429 with ``Retry-After``.
    """

    # The API's general throttles (with the "token" scope's own rate), and the failure count.
    throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, TokenFailureThrottle]
    throttle_scope = "token"
    # JSON only, like every other request body of the API (DRF's token view adds forms).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES

    @extend_schema(
        summary="Obtain an API token",
        description=(
            "Username (or e-mail address) and password in (a JSON body), a token out; send "
            "it as `Authorization: Bearer <key>` or `Authorization: Token <key>`. The same "
            "token is returned until it is renewed or revoked on the account page, or the "
            "password changes. An account whose e-mail "
            "address is not confirmed yet gets 400. After 5 failed attempts for one account "
            "within 5 minutes, or 20 from one client address, every attempt answers 429 "
            "(even with the right password) until the time in `Retry-After` has passed."
        ),
        responses={
            200: TokenSerializer,
            **error_responses(400),
            429: OpenApiResponse(
                response=ErrorSerializer,
                description="Too many failed attempts: wait the seconds in `Retry-After`.",
            ),
        },
        parameters=[
            OpenApiParameter(
                "Retry-After",
                type=int,
                location=OpenApiParameter.HEADER,
                response=[429],
                description="Seconds to wait before the next attempt.",
            )
        ],
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            if body_fields(request).get("username") and body_fields(request).get("password"):
                for throttle in self.get_throttles():
                    if isinstance(throttle, TokenFailureThrottle):
                        throttle.record_failure(request)
            raise
        user = serializer.validated_data["user"]
        if not has_confirmed_email(user):
            raise ValidationError(
                {
                    "non_field_errors": [
                        _(
                            "Confirm your e-mail address first: follow the link in the "
                            "e-mail we sent you, then ask for a token again."
                        )
                    ]
                }
            )
        return Response({"token": token_get(user).key})

    def throttled(self, request, wait):
        raise Throttled(
            wait,
            detail=_("Too many failed attempts for this account or from this address."),
        )
