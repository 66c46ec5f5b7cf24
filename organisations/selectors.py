"""Reads of organisations that more than one page or endpoint share."""

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce

from municipalities.models import Municipality
from organisations.models import Organisation, home_country_first
from organisations.permissions import has_verification_queue


def organisation_list(home_country: str | None = None) -> QuerySet[Organisation]:
    """The organisations of the list page, each with its municipalities (id and name)
    prefetched; by name, or with ``home_country``'s first, then by country and name.

    The home country's order is the expression of that country's index
    (``Organisation.Meta.indexes``): on PostgreSQL the first page is read from the start of
    the index, where ``ORDER BY CASE …`` otherwise sorts every organisation.
    """
    queryset = Organisation.objects.prefetch_related(
        Prefetch("municipalities", queryset=Municipality.objects.only("pk", "name"))
    )
    if home_country is None:
        return queryset.order_by("name", "pk")
    return queryset.order_by(home_country_first(home_country), "country", "name", "pk")


def verification_queue(user) -> QuerySet[Organisation]:
    """The unverified organisations ``user`` may verify, the longest waiting first.

    Administrators: every unverified organisation; coordinators: those operating in a
    municipality they coordinate; everyone else: none. Each row has its municipalities
    (id and name, by name) prefetched.
    """
    if not has_verification_queue(user):
        return Organisation.objects.none()
    queryset = Organisation.objects.restrict(user, "verify").filter(verified=False)
    municipalities = Municipality.objects.only("pk", "name").order_by("name")
    return queryset.prefetch_related(Prefetch("municipalities", queryset=municipalities)).order_by(
        Coalesce("verification_requested_at", "created_at"), "pk"
    )
