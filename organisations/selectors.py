"""Reads of organisations that more than one page or endpoint share."""

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce

from municipalities.models import Municipality
from organisations.models import Organisation
from organisations.permissions import has_verification_queue


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
