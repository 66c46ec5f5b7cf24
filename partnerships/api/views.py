from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships import permissions, selectors, services
from partnerships.api.serializers import (
    LinkAnswerSerializer,
    LinkRequestSerializer,
    PartnershipEventSerializer,
    PartnershipInputSerializer,
    PartnershipSerializer,
    TransitionSerializer,
)
from partnerships.filtersets import PartnershipFilterSet
from partnerships.models import Partnership
from partnerships.workflow import TRANSITIONS, partnership_transition
from registry.api.history import HistoryEntrySerializer, history_entries
from registry.api.pagination import IdCursorPagination
from registry.api.parsers import body_fields
from registry.api.schema import error_responses

WRITE_ERRORS = error_responses(400, 401, 403)


def _lookup(model, value):
    """The record with id ``value``, or ``None`` (the serializer reports a bad id)."""
    try:
        return model.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None


ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)


def _body(request) -> Mapping:
    """The request body if it is an object (anything else is the serializer's to refuse)."""
    return request.data if isinstance(request.data, Mapping) else {}


@extend_schema_view(
    list=extend_schema(
        summary="List partnerships",
        description="Cursor-paginated (follow `next`); newest first (by id) unless `ordering` "
        "is given. Every ordering ends with the id, so partnerships with the same value keep "
        "their place across pages; partnerships without a start date (proposals) come after "
        "the others in both directions of `start_date`. `q` finds a word or part of one in "
        "the title or the description, in any case.",
        responses={200: PartnershipSerializer},
    ),
    retrieve=extend_schema(
        summary="A partnership",
        description="Proposals and declined partnerships are found only by their partners, "
        "analysts and administrators; for others they do not exist (404). A draft is found "
        "only by its organisation's representatives and administrators.",
        responses={200: PartnershipSerializer, 404: error_responses(404)[404]},
    ),
    create=extend_schema(
        summary="Log or propose a partnership",
        request=PartnershipInputSerializer,
        responses={201: PartnershipSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Change a partnership",
        request=PartnershipInputSerializer,
        responses={200: PartnershipSerializer, **WRITE_ERRORS, 404: error_responses(404)[404]},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a partnership",
        request=PartnershipInputSerializer(partial=True),
        responses={200: PartnershipSerializer, **WRITE_ERRORS, 404: error_responses(404)[404]},
    ),
)
class PartnershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Partnerships between municipalities and voluntary organisations."""

    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilterSet
    pagination_class = IdCursorPagination
    ordering_fields = ["id", "start_date", "created_at", "title"]
    ordering = ["-id"]

    def get_queryset(self):
        partnerships = Partnership.objects.visible_to(self.request.user)
        if self.action == "list":
            # The list serializer reads a page's links, tags and creators itself, at once
            # and for the page's rows only (PartnershipListSerializer).
            return partnerships
        return partnerships.select_related("created_by").prefetch_related(
            "municipality_links", "organisation_links", "field_tags", "form_tags"
        )

    def _respond(self, partnership, code=status.HTTP_200_OK):
        partnership = self.get_queryset().get(pk=partnership.pk)
        return Response(self.get_serializer(partnership).data, status=code)

    # Every write asks the rules first and validates the body after: a user with no right
    # gets a 403, not a 400 listing field errors (the services ask the same rules again).

    def create(self, request, *args, **kwargs):
        if not permissions.can_create_any_partnership(request.user):
            raise PermissionDenied(
                _("Only municipal coordinators and organisation representatives log partnerships.")
            )
        data = PartnershipInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        partnership = services.partnership_create_as(user=request.user, **data.validated_data)
        return self._respond(partnership, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        partnership = self.get_object()
        changed = set(_body(request)) - {"status"}  # the status is refused by the serializer
        if refusal := permissions.partnership_change_refusal(request.user, partnership, changed):
            raise PermissionDenied(refusal)
        data = PartnershipInputSerializer(
            data=request.data, partial=partial, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k in request.data or
                   (k == "organisations" and "organisation_roles" in request.data)}  # fmt: skip
        partnership = services.partnership_update(
            partnership=partnership, user=request.user, data=changes
        )
        return self._respond(partnership)

    def _transition(self, request, action_name):
        partnership = self.get_object()
        if not TRANSITIONS[action_name].allowed(request.user, partnership):
            raise PermissionDenied(_("You may not do this to this partnership."))
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partnership_transition(
            partnership=partnership, user=request.user, action=action_name, **data.validated_data
        )
        return self._respond(partnership)

    @extend_schema(
        summary="Submit a proposal to the municipality",
        request=TransitionSerializer,
        responses={200: PartnershipSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, "submit")

    @extend_schema(
        summary="Accept a proposal",
        request=TransitionSerializer,
        responses={200: PartnershipSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._transition(request, "accept")

    @extend_schema(
        summary="Decline a proposal (a reason is required)",
        request=TransitionSerializer,
        responses={200: PartnershipSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._transition(request, "decline")

    @extend_schema(
        summary="Ask the organisation for changes (a comment is required)",
        request=TransitionSerializer,
        responses={200: PartnershipSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, pk=None):
        return self._transition(request, "request_changes")

    @extend_schema(
        summary="Mark an active partnership as completed",
        request=TransitionSerializer,
        responses={200: PartnershipSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._transition(request, "complete")

    @extend_schema(
        summary="Discontinue an active partnership (a reason is required)",
        request=TransitionSerializer,
        responses={200: PartnershipSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def discontinue(self, request, pk=None):
        return self._transition(request, "discontinue")

    @extend_schema(
        summary="Links awaiting your confirmation",
        description="Links of partnerships to the municipalities you coordinate or the "
        "organisations you represent that await your answer (`state` `pending`), and your "
        "organisation's links a coordinator vouched for (`state` `confirmed`, `vouched` "
        "true), which you may dispute with decline-link. Until a link is confirmed the "
        "partnership appears in none of that party's lists and statistics.",
        responses={200: LinkRequestSerializer(many=True), 401: error_responses(401)[401]},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="link-requests",
        pagination_class=None,
        filterset_class=None,
        permission_classes=[IsAuthenticated],
    )
    def link_requests(self, request):
        rows = selectors.link_requests(user=request.user)
        return Response(LinkRequestSerializer(rows, many=True).data)

    def _answer_link(self, request, answer):
        partnership = self.get_object()
        # Permission before the body: someone who may not answer gets a 403, not a 400.
        municipality = _lookup(Municipality, body_fields(request).get("municipality"))
        organisation = _lookup(Organisation, body_fields(request).get("organisation"))
        if (municipality or organisation) and not permissions.can_answer_link(
            request.user, partnership, municipality=municipality, organisation=organisation
        ):
            raise PermissionDenied(_("Only the linked party's own people may answer this link."))
        if not (municipality or organisation) and not permissions.may_answer_links(request.user):
            raise PermissionDenied(_("Only the linked party's own people may answer this link."))
        data = LinkAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        kwargs = {"municipality": values.get("municipality"),
                  "organisation": values.get("organisation")}  # fmt: skip
        if answer == "decline":
            services.link_decline(
                partnership=partnership, user=request.user, comment=values["comment"], **kwargs
            )
        else:
            services.link_confirm(partnership=partnership, user=request.user, **kwargs)
        return self._respond(partnership)

    @extend_schema(
        summary="Confirm a link awaiting your confirmation",
        description='Body: {"municipality": id} or {"organisation": id}.',
        request=LinkAnswerSerializer,
        responses={200: PartnershipSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="confirm-link")
    def confirm_link(self, request, pk=None):
        return self._answer_link(request, "confirm")

    @extend_schema(
        summary="Decline a link (or dispute one vouched for your organisation)",
        description='Body: {"municipality": id} or {"organisation": id}, and an optional '
        '"comment". The link is kept, declined, for the record; the partnership keeps its '
        "other links.",
        request=LinkAnswerSerializer,
        responses={200: PartnershipSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="decline-link")
    def decline_link(self, request, pk=None):
        return self._answer_link(request, "decline")

    @extend_schema(
        summary="Workflow events (who did what, when, with which comment)",
        responses={200: PartnershipEventSerializer(many=True), 404: error_responses(404)[404]},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        partnership = self.get_object()
        events = partnership.events.select_related("actor")
        context = {
            "shows_personal_data": permissions.can_view_partnership_personal_data(
                request.user, partnership
            )
        }
        return Response(PartnershipEventSerializer(events, many=True, context=context).data)

    @extend_schema(
        summary="Audit history (coordinators and administrators)",
        responses={
            200: HistoryEntrySerializer(many=True),
            403: error_responses(403)[403],
            404: error_responses(404)[404],
        },
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        partnership = self.get_object()
        if not permissions.can_read_history(request.user, partnership):
            raise PermissionDenied(
                _("Only the municipality's coordinators and administrators may read the history.")
            )
        return Response(HistoryEntrySerializer(history_entries(partnership), many=True).data)
