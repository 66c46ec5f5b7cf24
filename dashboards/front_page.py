"""The front page's headline numbers: public counts, and the research figures beside them."""

from dashboards.research import RESEARCH_FIELD_SHARES
from municipalities.models import Municipality
from organisations.models import Organisation
from partnerships.choices import LinkState
from partnerships.models import Partnership, PartnershipMunicipality


def front_page_numbers() -> dict:
    """The counts the front page shows (four queries, each a ``COUNT``):

    - ``municipality_count``: current municipalities;
    - ``reporting_count``: municipalities with an established partnership through a
      confirmed link;
    - ``organisation_count``: organisations;
    - ``partnership_count``: established partnerships;

    and ``research``, the research's field figures.
    """
    established = Partnership.objects.established()
    return {
        "municipality_count": Municipality.objects.filter(is_current=True).count(),
        "reporting_count": PartnershipMunicipality.objects.filter(
            partnership__in=established, state=LinkState.CONFIRMED
        )
        .values("municipality")
        .distinct()
        .count(),
        "organisation_count": Organisation.objects.count(),
        "partnership_count": established.count(),
        "research": RESEARCH_FIELD_SHARES,
    }
