"""Reads of organisations that more than one page or endpoint share."""

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce

from accounts.permissions import coordinated_municipality_ids, is_admin
from municipalities.models import Municipality
from organisations.models import Organisation


def verification_queue(user) -> QuerySet[Organisation]:
    """The unverified organisations ``user`` may verify, the longest waiting first.

    Administrators: every unverified organisation; coordinators: those operating in a
    municipality they coordinate; everyone else: none. Each row has its municipalities
    (id and name, by name) prefetched.
    """
    queryset = Organisation.objects.filter(verified=False)
    if not is_admin(user):
        municipality_ids = coordinated_municipality_ids(user)
        if not municipality_ids:
            return queryset.none()
        links = Organisation.municipalities.through.objects.filter(
            municipality_id__in=municipality_ids
        )
        queryset = queryset.filter(pk__in=links.values("organisation_id"))
    municipalities = Municipality.objects.only("pk", "name").order_by("name")
    return queryset.prefetch_related(Prefetch("municipalities", queryset=municipalities)).order_by(
        Coalesce("verification_requested_at", "created_at"), "pk"
    )
