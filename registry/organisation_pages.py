"""An organisation's profile page: who it is, where it operates, and its partnerships.

The partnerships are an app above ``organisations``, so the page is composed here, in the
project package: the profile from ``organisations`` (its queryset and access rules), the
partnerships through ``partnerships``' visibility (``visible_to``) and listing rule
(``listed_link_q``). The URL name and path are ``organisation-detail``,
``/organisations/<pk>/`` (see ``registry.urls``); the organisations app's other pages are in
``organisations.views``.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, render
from django.urls import path

from accounts.permissions import represented_organisation_ids
from organisations.models import Organisation
from organisations.permissions import (
    can_edit_organisation,
    can_read_organisation_history,
    can_verify_organisation,
    can_view_contact_details,
)
from organisations.views import profile_queryset
from partnerships.choices import ESTABLISHED_STATUSES, PROPOSAL_STATUSES
from partnerships.models import Partnership, PartnershipOrganisation, listed_link_q
from partnerships.permissions import partnership_creation_role

#: How many partnerships the profile lists before linking to the full list.
PARTNERSHIPS_SHOWN = 20


def organisation_partnerships(*, organisation: Organisation, user) -> QuerySet[Partnership]:
    """The partnerships of ``organisation`` that ``user`` may read, newest first, listed only
    through a confirmed link (or, for a proposal, the link it is addressed through)."""
    links = PartnershipOrganisation.objects.filter(listed_link_q(), organisation=organisation)
    return (
        Partnership.objects.visible_to(user)
        .filter(pk__in=links.values("partnership_id"))
        .prefetch_related("municipalities")
        .order_by("-start_date", "-pk")
    )


def organisation_detail(request, pk: int):
    organisation = get_object_or_404(profile_queryset(), pk=pk)
    user = request.user
    partnerships = organisation_partnerships(organisation=organisation, user=user)
    established = partnerships.filter(status__in=ESTABLISHED_STATUSES)
    proposals = partnerships.filter(status__in=PROPOSAL_STATUSES).order_by("-updated_at", "-pk")
    context = {
        "organisation": organisation,
        "categories": list(organisation.categories.all()),
        "municipalities": list(organisation.municipalities.all()),
        "show_contact": can_view_contact_details(user, organisation),
        "can_edit": can_edit_organisation(user, organisation),
        "can_verify": not organisation.verified and can_verify_organisation(user, organisation),
        "can_read_history": can_read_organisation_history(user, organisation),
        "established": established[:PARTNERSHIPS_SHOWN],
        "established_count": established.count(),
        "proposals": proposals[:PARTNERSHIPS_SHOWN],
        "proposal_count": proposals.count(),
        # Its representatives' next step: proposing a collaboration for it.
        "can_propose": partnership_creation_role(user) == "representative"
        and organisation.pk in represented_organisation_ids(user),
    }
    return render(request, "organisations/organisation_detail.html", context)


#: Under ``organisations/`` (see ``registry.urls``).
urlpatterns = [
    path("<int:pk>/", organisation_detail, name="organisation-detail"),
]
