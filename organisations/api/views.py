from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from accounts.api.permissions import ActionRules
from municipalities.models import Municipality
from organisations.api.serializers import (
    OrganisationInputSerializer,
    OrganisationSerializer,
    VerificationQueueEntrySerializer,
)
from organisations.filtersets import OrganisationFilterSet
from organisations.models import Organisation, OrganisationCategory
from organisations.permissions import (
    can_create_organisation,
    can_edit_organisation,
    can_read_organisation_history,
    can_verify_organisation,
    has_verification_queue,
)
from organisations.selectors import verification_queue
from organisations.services import organisation_create, organisation_update, organisation_verify
from registry.api.history import HistoryEntrySerializer, history_entries
from registry.api.pagination import IdCursorPagination, Pagination
from registry.api.schema import error_responses

_WRITE_ERRORS = error_responses(400, 401, 403)


@extend_schema_view(
    list=extend_schema(
        summary="List organisations",
        description=(
            "Cursor-paginated (follow `next`); newest first unless `ordering` is given. "
            "Contact fields are null unless you may see them."
        ),
        responses={200: OrganisationSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="An organisation", responses={200: OrganisationSerializer, **error_responses(404)}
    ),
    create=extend_schema(
        summary="Register an organisation",
        description=(
            "Any signed-in user who is not an analyst. The organisation starts unverified "
            "and the caller becomes its representative."
        ),
        request=OrganisationInputSerializer,
        responses={201: OrganisationSerializer, **_WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace an organisation's profile",
        description=(
            "Its representatives and administrators. `verified` cannot be set here (400). "
            "A change of `name`, `country` or `org_number` clears the verification until a "
            "coordinator verifies it again."
        ),
        request=OrganisationInputSerializer,
        responses={200: OrganisationSerializer, **_WRITE_ERRORS, **error_responses(404)},
    ),
    partial_update=extend_schema(
        summary="Change part of an organisation's profile",
        description=(
            "Its representatives and administrators. `verified` cannot be set here (400). "
            "A change of `name`, `country` or `org_number` clears the verification until a "
            "coordinator verifies it again."
        ),
        request=OrganisationInputSerializer,
        responses={200: OrganisationSerializer, **_WRITE_ERRORS, **error_responses(404)},
    ),
)
class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Organisation.objects.prefetch_related(
        Prefetch("categories", queryset=OrganisationCategory.objects.order_by("rank")),
        Prefetch("municipalities", queryset=Municipality.objects.only("pk")),
    )
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet
    ordering_fields = ["name", "created_at"]
    pagination_class = IdCursorPagination
    permission_classes = [IsAuthenticatedOrReadOnly, ActionRules]
    action_rules = {
        "create": can_create_organisation,
        "verification_queue": has_verification_queue,
    }
    object_rules = {
        "update": can_edit_organisation,
        "partial_update": can_edit_organisation,
        "verify": can_verify_organisation,
        "history": can_read_organisation_history,
    }

    def _output(self, organisation: Organisation, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=organisation.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = OrganisationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = organisation_create(user=request.user, **serializer.validated_data)
        return self._output(organisation, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        organisation = self.get_object()
        serializer = OrganisationInputSerializer(data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        organisation_update(
            organisation=organisation, user=request.user, data=serializer.validated_data
        )
        return self._output(organisation)

    @extend_schema(
        summary="Verify an organisation",
        description=(
            "Confirms the organisation is who it says it is. Coordinators of a municipality "
            "where it operates, and administrators. Verifying it again changes nothing."
        ),
        request=None,
        responses={200: OrganisationSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        organisation = organisation_verify(organisation=self.get_object(), user=request.user)
        return self._output(organisation)

    @extend_schema(
        summary="Organisations awaiting verification",
        description=(
            "The unverified organisations the caller may verify, the longest waiting first: "
            "for a coordinator those operating in the municipalities they coordinate, for an "
            "administrator all. `reason` says whether it is a new registration or a verified "
            "organisation whose name, country or number changed (`changes` holds the values "
            "verified before). Coordinators and administrators only. Page-number paginated."
        ),
        filters=False,
        responses={
            200: VerificationQueueEntrySerializer(many=True),
            **error_responses(401, 403),
        },
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="verification-queue",
        filter_backends=[],
        pagination_class=Pagination,
        serializer_class=VerificationQueueEntrySerializer,
    )
    def verification_queue(self, request):
        queue = verification_queue(request.user).prefetch_related(
            Prefetch("categories", queryset=OrganisationCategory.objects.order_by("rank"))
        )
        page = self.paginate_queryset(queue)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="The organisation's audit history",
        description=(
            "Newest first: who changed what, when. Readable by its representatives, "
            "coordinators of a municipality where it operates, and administrators. "
            "(The categories and municipalities lists are not part of this history.)"
        ),
        responses={
            200: OpenApiResponse(HistoryEntrySerializer(many=True)),
            **error_responses(401, 403, 404),
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        organisation = self.get_object()
        return Response(HistoryEntrySerializer(history_entries(organisation), many=True).data)
