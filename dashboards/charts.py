"""What the dashboards draw: figures formatted for the active language, tables, and the
geometry of horizontal bar charts.

Nothing here computes a statistic: the numbers come from ``dashboards.statistics``; these
helpers only format them and turn them into bar lengths. ``templates/dashboard/_bar_chart.html``
draws every chart from a ``BarChart``; geometry is handed over as strings with a dot
decimal, so the language's number format can never reach an SVG attribute.
"""

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

# --- formatting -----------------------------------------------------------------------------


def count_text(value: int) -> str:
    """A whole number with the active language's thousands separator."""
    return number_format(value, force_grouping=True)


def percent_text(share: float) -> str:
    """A share (0..1) as a whole percentage in the active language, e.g. "84 %"."""
    percent = (Decimal(str(share)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return _("%(value)s %%") % {"value": number_format(percent, decimal_pos=0)}


def share_count_text(share: float, count: int) -> str:
    """A share with the count it stands for, e.g. "40 % (2)"."""
    return _("%(share)s (%(count)s)") % {"share": percent_text(share), "count": count_text(count)}


def share_of(count: int, total: int) -> float:
    """``count / total`` rounded as the selectors round their shares (0 when nothing).

    Used only where a selector returns counts and a municipality must be set beside its
    county and country, which needs the counts as shares of their own totals.
    """
    return round(count / total, 4) if total else 0.0


# --- tables ---------------------------------------------------------------------------------


@dataclass
class Column:
    label: str
    number: bool = True
    #: Read by screen readers before the label, where the caption says it for sighted readers.
    hidden_prefix: str = ""
    #: What the comparison is about (the research): it stays in view, at the right edge,
    #: when a table too wide for a phone scrolls in its box.
    key: bool = False


@dataclass
class Row:
    """A table row: a header cell (``th scope="row"``, a link if ``href``) and data cells."""

    label: str
    cells: list[str]
    href: str = ""
    current: bool = False


@dataclass
class Table:
    id: str
    caption: str
    columns: list[Column]  # the first is the row headers' column
    rows: list[Row]
    foot: list[Row] = field(default_factory=list)

    def _cells(self, rows: list[Row]) -> list[tuple[Row, list[tuple[str, bool, bool]]]]:
        kinds = [(column.number, column.key) for column in self.columns[1:]]
        return [
            (row, [(text, *kind) for text, kind in zip(row.cells, kinds, strict=True)])
            for row in rows
        ]

    @property
    def body(self) -> list[tuple[Row, list[tuple[str, bool, bool]]]]:
        """Each row with its cells as ``(text, is_number, is_key)``, for the template."""
        return self._cells(self.rows)

    @property
    def footer(self) -> list[tuple[Row, list[tuple[str, bool, bool]]]]:
        return self._cells(self.foot)


# --- bar charts -----------------------------------------------------------------------------

WIDTH = 360
LEFT = 6
# Estimated widths of a character of the 13px value labels and bold category labels: the
# plot leaves room for the longest value label, and long category labels wrap. Generous
# (DejaVu Sans, the widest common fallback, has digits of 0.64 em: 8.3 px at 13 px), so a
# label after a full bar never runs out of the drawing.
CHAR = 8.4
BOLD_CHAR = 7.8
#: Room after a value label, inside the drawing.
RIGHT_PAD = 8
MIN_PLOT = 140
NARROW_PLOT = 220
TOP = 4
LEGEND_ROW = 20
CATEGORY_ROW = 19
BAR_HEIGHT = 14
BAR_GAP = 4
GROUP_GAP = 12
AXIS_ROOM = 26
#: How a series is drawn: 0 solid; 1 diagonal hatching; 2 dots; 3 horizontal stripes.
STYLES = (0, 1, 2, 3)


@dataclass(frozen=True)
class Series:
    label: str  # short, on every bar of a multi-series chart ("Research")
    legend: str  # longer, in the legend ("Research: Eimhjellen & Loga 2017")
    style: int


@dataclass(frozen=True)
class Bar:
    value: float  # in the chart's unit: a share (0..1) or a count
    text: str  # the value label
    #: The list of the partnerships behind the bar, if the list can show the same selection.
    href: str = ""


@dataclass(frozen=True)
class Category:
    label: str
    bars: list[Bar | None]  # one per series; None draws no bar


@dataclass
class BarChart:
    """Geometry of a horizontal bar chart, every number as an SVG-ready string."""

    id: str
    title: str
    desc: str
    width: str
    height: str
    legend: list[dict]
    groups: list[dict]
    ticks: list[dict]
    plot_top: str
    axis_y: str
    tick_mark_y: str
    tick_label_y: str
    axis_x0: str
    axis_x1: str
    patterns: list[int]
    #: Some bars are links (the chart is then a group, not an image: an image's content is
    #: presentational, and could hold no link).
    linked: bool = False


def _svg(number: float) -> str:
    return f"{number:.1f}".removesuffix(".0")


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken between words."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _count_ticks(maximum: float, *, many: bool = True) -> list[int]:
    """Round tick values from 0 to at least ``maximum``: about five of them, or three."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / (4 if many else 2)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, math.ceil(maximum / step) * step + 1, step))


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    series: list[Series],
    categories: list[Category],
    shares: bool,
) -> BarChart:
    """Lay out a horizontal bar chart: category label above its group of bars (one per
    series), value label after each bar, ticks along the bottom. ``shares`` draws 0–100 %;
    otherwise the axis runs from 0 to a round number above the largest count."""
    values = [bar.value for category in categories for bar in category.bars if bar]
    multi = len(series) > 1

    def value_label(one: Series, bar: Bar) -> str:
        return f"{one.label}: {bar.text}" if multi else bar.text

    longest = max(
        (
            len(value_label(one, bar))
            for category in categories
            for one, bar in zip(series, category.bars, strict=True)
            if bar
        ),
        default=0,
    )
    plot = max(MIN_PLOT, WIDTH - LEFT - 5 - CHAR * longest - RIGHT_PAD)
    width = max(WIDTH, LEFT + plot + 5 + CHAR * longest + RIGHT_PAD)
    if shares:
        maximum = max([1.0, *values])
        quarters = 4 if plot >= NARROW_PLOT else 2  # fewer ticks where they would crowd
        tick_values = [maximum * i / quarters for i in range(quarters + 1)]
        tick_texts = [percent_text(value) for value in tick_values]
    else:
        tick_values = _count_ticks(max(values, default=0), many=plot >= NARROW_PLOT)
        maximum = tick_values[-1]
        tick_texts = [count_text(value) for value in tick_values]

    y = TOP
    legend = []
    if multi:
        for one in series:
            legend.append(
                {
                    "style": one.style,
                    "text": one.legend,
                    "x": _svg(LEFT),
                    "y": _svg(y + 1),
                    "text_x": _svg(LEFT + 20),
                    "text_y": _svg(y + 12),
                }
            )
            y += LEGEND_ROW
        y += 6
    plot_top = y

    groups = []
    for category in categories:
        lines = []
        for line in _wrap(category.label, int((WIDTH - LEFT) / BOLD_CHAR)):
            lines.append({"text": line, "y": _svg(y + 13)})
            y += CATEGORY_ROW
        group = {"lines": lines, "bars": []}
        for one, bar in zip(series, category.bars, strict=True):
            if bar is None:
                continue
            length = plot * bar.value / maximum if maximum else 0
            if bar.value > 0:
                length = max(length, 1.5)  # a tiny share still shows
            group["bars"].append(
                {
                    "style": one.style,
                    "x": _svg(LEFT),
                    "y": _svg(y),
                    "width": _svg(length),
                    "height": _svg(BAR_HEIGHT),
                    "text": value_label(one, bar),
                    "text_x": _svg(LEFT + length + 5),
                    "text_y": _svg(y + 11.5),
                    "href": bar.href,
                    "link_label": _("Partnerships behind the bar: %(category)s, %(value)s")
                    % {"category": category.label, "value": value_label(one, bar)}
                    if bar.href
                    else "",
                }
            )
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP - BAR_GAP
        groups.append(group)

    axis_y = y
    ticks = []
    for index, (value, text) in enumerate(zip(tick_values, tick_texts, strict=True)):
        x = LEFT + (plot * value / maximum if maximum else 0)
        anchor = "start" if index == 0 else "middle"
        ticks.append({"x": _svg(x), "text": text, "anchor": anchor})

    summary = "; ".join(
        "{}: {}".format(
            category.label,
            ", ".join(
                f"{one.label} {bar.text}" if multi else bar.text
                for one, bar in zip(series, category.bars, strict=True)
                if bar is not None
            ),
        )
        for category in categories
    )
    return BarChart(
        id=id,
        title=title,
        desc=f"{description} {summary}.",
        width=_svg(width),
        height=_svg(axis_y + AXIS_ROOM),
        legend=legend,
        groups=groups,
        ticks=ticks,
        plot_top=_svg(plot_top),
        axis_y=_svg(axis_y),
        tick_mark_y=_svg(axis_y + 4),
        tick_label_y=_svg(axis_y + 18),
        axis_x0=_svg(LEFT),
        axis_x1=_svg(LEFT + plot),
        patterns=sorted({one.style for one in series} - {0}),
        linked=any(bar["href"] for group in groups for bar in group["bars"]),
    )
