"""The front page's headline numbers: public counts, and the research figures beside them."""

from dashboards.research import RESEARCH_FIELD_SHARES
from dashboards.statistics import front_page_counts
from municipalities.models import Municipality
from organisations.models import Organisation


def front_page_numbers() -> dict:
    """The counts the front page shows (the partnership figures from the statistics'
    summary tables):

    - ``municipality_count``: current municipalities;
    - ``reporting_count``: municipalities with an established partnership through a
      confirmed link;
    - ``organisation_count``: organisations;
    - ``partnership_count``: established partnerships;

    and ``research``, the research's field figures.
    """
    return {
        "municipality_count": Municipality.objects.filter(is_current=True).count(),
        "organisation_count": Organisation.objects.count(),
        **front_page_counts(),
        "research": RESEARCH_FIELD_SHARES,
    }
