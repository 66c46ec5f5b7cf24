from django.core.exceptions import ImproperlyConfigured
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from accounts.api.permissions import ActionRules
from municipalities.api.serializers import (
    CountySerializer,
    MunicipalityProfileSerializer,
    MunicipalitySerializer,
)
from municipalities.filtersets import CountyFilterSet, MunicipalityFilterSet
from municipalities.models import County, Municipality, VolunteerCentre
from municipalities.permissions import can_edit_municipality
from municipalities.services import municipality_update_profile
from registry.api.schema import error_responses


@extend_schema_view(
    list=extend_schema(
        summary="List counties (fylker, regions, län)",
        responses={200: CountySerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="A county", responses={200: CountySerializer, **error_responses(404)}
    ),
)
class CountyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = County.objects.all()
    serializer_class = CountySerializer
    filterset_class = CountyFilterSet
    ordering_fields = ["name", "code"]


_PROFILE_ERRORS = error_responses(400, 401, 403, 404)
_PROFILE_DESCRIPTION = (
    "Only the profile changes: population, the volunteer policy and the list of volunteer "
    "centres (which the given list replaces). Code, name, county and country are reference "
    "data and read-only. Allowed to the municipality's coordinators and administrators."
)


@extend_schema_view(
    list=extend_schema(
        summary="List municipalities with their volunteer-policy profile",
        responses={200: MunicipalitySerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="A municipality", responses={200: MunicipalitySerializer, **error_responses(404)}
    ),
    update=extend_schema(
        summary="Replace a municipality's profile",
        description=_PROFILE_DESCRIPTION,
        request=MunicipalityProfileSerializer,
        responses={200: MunicipalitySerializer, **_PROFILE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change part of a municipality's profile",
        description=_PROFILE_DESCRIPTION,
        request=MunicipalityProfileSerializer,
        responses={200: MunicipalitySerializer, **_PROFILE_ERRORS},
    ),
)
class MunicipalityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Municipality.objects.select_related("county").prefetch_related(
        Prefetch("volunteer_centres", queryset=VolunteerCentre.objects.order_by("name"))
    )
    serializer_class = MunicipalitySerializer
    filterset_class = MunicipalityFilterSet
    ordering_fields = ["name", "code"]
    permission_classes = [IsAuthenticatedOrReadOnly, ActionRules]
    object_rules = {"update": can_edit_municipality, "partial_update": can_edit_municipality}
    #: The organisations a volunteer centre may link. Organisations are an app above this
    #: one, so the project gives them: ``registry.municipality_api`` serves this viewset.
    volunteer_centre_organisations: QuerySet | None = None

    def update(self, request, *args, **kwargs):
        if self.volunteer_centre_organisations is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} needs volunteer_centre_organisations to write."
            )
        partial = kwargs.pop("partial", False)
        municipality = self.get_object()
        serializer = MunicipalityProfileSerializer(
            data=request.data,
            partial=partial,
            context={"organisations": self.volunteer_centre_organisations.all()},
        )
        serializer.is_valid(raise_exception=True)
        municipality_update_profile(
            municipality=municipality, user=request.user, data=serializer.validated_data
        )
        return Response(MunicipalitySerializer(self.get_object()).data)
