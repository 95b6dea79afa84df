"""Small server-side SVG charts (bar and line) with a text alternative.

A chart is drawn from the same numbers that the page shows in a data table: the result
carries the SVG markup, its title and description (rendered as <title>/<desc> and referred
to by aria-labelledby), and the rows for the table. No JavaScript, no inline styles: series
are told apart by CSS classes (chart-series-0, -1, ...) with a fill/stroke fallback, and by
the legend's text.
"""

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from goals.formatting import format_decimal

Number = int | float | Decimal
PALETTE = ("#1f5f8b", "#c25b00", "#3c7d3a", "#7a4f9a")
_ids = itertools.count(1)
# Inside numbered_charts(), ids are counted from 1 for that document alone.
_document_ids: ContextVar[tuple[str, Iterator[int]] | None] = ContextVar("chart_ids", default=None)


@contextmanager
def numbered_charts(prefix: str) -> Iterator[None]:
    """Charts made inside are numbered <prefix>-chart-1, -2, ... so that a document
    renders to the same HTML in every process and at every time: a report's snapshot
    and its PDF do not depend on how many charts the process drew before."""
    token = _document_ids.set((prefix, itertools.count(1)))
    try:
        yield
    finally:
        _document_ids.reset(token)


def _next_id() -> str:
    scope = _document_ids.get()
    if scope is None:
        return f"chart-{next(_ids)}"
    prefix, numbers = scope
    return f"{prefix}-chart-{next(numbers)}"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Number | None]


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    description: str
    categories: list[str]
    series: list[Series]

    @property
    def rows(self) -> list[tuple[str, list[Number | None]]]:
        """(category, [value per series]) for the data table next to the chart."""
        return [
            (category, [series.values[i] for series in self.series])
            for i, category in enumerate(self.categories)
        ]


def nice_ceiling(value: float) -> tuple[float, float]:
    """A round top for the axis and its tick step: 1 750 -> (2000, 500)."""
    if value <= 0:
        return 1.0, 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10):
        step = factor * magnitude
        count = math.ceil(value / step - 1e-9)
        if count <= 5:
            return count * step, step
    raise AssertionError("unreachable: a step of 10 x magnitude always fits")


def _n(value: float) -> str:
    return f"{value:.1f}"


def _check(categories: Sequence[str], series: Sequence[Series]) -> None:
    if not series:
        raise ValueError("a chart needs at least one series")
    for one in series:
        if len(one.values) != len(categories):
            raise ValueError(
                f"series '{one.label}' has {len(one.values)} values, not {len(categories)}"
            )


def _frame(
    *,
    kind: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    width: int,
    height: int,
    format_value: Callable[[Number], str],
) -> tuple[list[str], Callable[[float], float], float, float, float, float]:
    _check(categories, series)
    chart_id = _next_id()
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    values = [float(v) for s in series for v in s.values if v is not None]
    top, step = nice_ceiling(max(values, default=0))
    left, right, upper, lower = 64, 16, 16, 56
    plot_w, plot_h = width - left - right, height - upper - lower

    def y(value: float) -> float:
        return upper + plot_h - (value / top) * plot_h

    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" class="chart chart--{}" role="img" '
            'viewBox="0 0 {} {}" aria-labelledby="{} {}">',
            kind,
            width,
            height,
            title_id,
            desc_id,
        ),
        format_html('<title id="{}">{}</title>', title_id, title),
        format_html('<desc id="{}">{}</desc>', desc_id, description),
    ]
    slot = plot_w / max(len(categories), 1)
    parts += _axes(
        top=top,
        step=step,
        y=y,
        left=left,
        plot_w=plot_w,
        baseline=upper + plot_h,
        slot=slot,
        categories=categories,
        format_value=format_value,
    )
    parts += _legend(series=series, left=left, legend_y=height - 12)
    return parts, y, left, slot, plot_h, upper


def _axes(
    *,
    top: float,
    step: float,
    y: Callable[[float], float],
    left: int,
    plot_w: int,
    baseline: int,
    slot: float,
    categories: Sequence[str],
    format_value: Callable[[Number], str],
) -> list[str]:
    """The grid lines with their values, and a label under each category."""
    parts = ['<g class="chart-axis" aria-hidden="true">']
    for i in range(round(top / step) + 1):
        value = i * step
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ccc"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>',
                left,
                left + plot_w,
                _n(y(value)),
                _n(y(value)),
                left - 6,
                _n(y(value) + 4),
                format_value(value),
            )
        )
    for i, category in enumerate(categories):
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="12">{}</text>',
                _n(left + slot * (i + 0.5)),
                baseline + 18,
                category,
            )
        )
    parts.append("</g>")
    return parts


def _legend(*, series: Sequence[Series], left: int, legend_y: int) -> list[str]:
    parts = []
    for i, one in enumerate(series):
        x = left + i * 180
        parts.append(
            format_html(
                '<g class="chart-legend" aria-hidden="true"><rect class="chart-series-{}" x="{}" '
                'y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}" font-size="12">{}'
                "</text></g>",
                i,
                x,
                legend_y - 10,
                PALETTE[i % len(PALETTE)],
                x + 16,
                legend_y,
                one.label,
            )
        )
    return parts


def bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    width: int = 640,
    height: int = 320,
    format_value: Callable[[Number], str] = format_decimal,
) -> Chart:
    """Grouped bars, one group per category and one bar per series."""
    parts, y, left, slot, _plot_h, _upper = _frame(
        kind="bar",
        title=title,
        description=description,
        categories=categories,
        series=series,
        width=width,
        height=height,
        format_value=format_value,
    )
    bar_w = slot * 0.8 / len(series)
    base = y(0)
    for s_index, one in enumerate(series):
        parts.append(format_html('<g class="chart-series-{}" aria-hidden="true">', s_index))
        for i, value in enumerate(one.values):
            if value is None:
                continue
            top = y(float(value))
            # One f-string per bar rather than format_html (a chart may have thousands of
            # bars): the coordinates are numbers and the palette is ours; the texts are
            # escaped.
            parts.append(
                f'<rect x="{_n(left + slot * i + slot * 0.1 + bar_w * s_index)}" '
                f'y="{_n(top)}" width="{_n(bar_w)}" height="{_n(base - top)}" '
                f'fill="{PALETTE[s_index % len(PALETTE)]}">'
                f"<title>{escape(categories[i])}: {escape(format_value(value))}</title></rect>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Chart(mark_safe("".join(parts)), title, description, list(categories), list(series))


def line_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    width: int = 640,
    height: int = 320,
    format_value: Callable[[Number], str] = format_decimal,
) -> Chart:
    """One line per series, with a marked point per category; gaps where a value is None."""
    parts, y, left, slot, _plot_h, _upper = _frame(
        kind="line",
        title=title,
        description=description,
        categories=categories,
        series=series,
        width=width,
        height=height,
        format_value=format_value,
    )
    for s_index, one in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        points = [
            (left + slot * (i + 0.5), y(float(value)), categories[i], value)
            for i, value in enumerate(one.values)
            if value is not None
        ]
        parts.append(format_html('<g class="chart-series-{}" aria-hidden="true">', s_index))
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _c, _v in points)
            parts.append(
                format_html(
                    '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}/>',
                    path,
                    colour,
                    mark_safe(' stroke-dasharray="6 4"') if s_index % 2 else "",
                )
            )
        for px, py, category, value in points:
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}: {}</title></circle>',
                    _n(px),
                    _n(py),
                    colour,
                    category,
                    format_value(value),
                )
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Chart(mark_safe("".join(parts)), title, description, list(categories), list(series))


__all__ = ["Chart", "Series", "bar_chart", "line_chart", "nice_ceiling"]
