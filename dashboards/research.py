"""Reference figures from the research the dashboards compare the registry with.

One place for them, so the API statistics and the web dashboards show the same numbers.
"""

from dataclasses import dataclass
from types import MappingProxyType

from partnerships.choices import Field

EIMHJELLEN_LOGA_2017 = "Eimhjellen & Loga 2017"


@dataclass(frozen=True, kw_only=True)
class ResearchFigure:
    """A share (0..1) reported by a study, with the study it comes from."""

    share: float
    source: str

    def as_dict(self) -> dict:
        return {"share": self.share, "source": self.source}


# Fields with the most *new* collaborations in the last five years, as the share of the
# surveyed municipalities (Eimhjellen & Loga 2017: 50+ Norwegian municipalities with an
# active volunteer policy). Fields the study does not report are absent.
RESEARCH_FIELD_SHARES: MappingProxyType[str, ResearchFigure] = MappingProxyType(
    {
        Field.CULTURE.value: ResearchFigure(share=0.84, source=EIMHJELLEN_LOGA_2017),
        Field.SPORT.value: ResearchFigure(share=0.81, source=EIMHJELLEN_LOGA_2017),
        Field.CHILDREN_YOUTH.value: ResearchFigure(share=0.80, source=EIMHJELLEN_LOGA_2017),
        Field.INCLUSION.value: ResearchFigure(share=0.78, source=EIMHJELLEN_LOGA_2017),
    }
)

# The window the study's field figures refer to ("new collaborations in the last five years").
RESEARCH_FIELD_WINDOW_YEARS = 5
