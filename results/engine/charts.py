"""Server-rendered SVG charts: plain strings, no script, no external library, so a page can
inline them (``{{ svg|safe }}``) and they print and work without JavaScript.

Every text that goes into a chart is escaped here; the caller passes translated labels.
"""

from __future__ import annotations

from html import escape

from .quality import Histogram

MARGIN_LEFT = 44
MARGIN_RIGHT = 10
MARGIN_TOP = 28
MARGIN_BOTTOM = 40


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def histogram_svg(
    histogram: Histogram,
    *,
    title: str,
    x_label: str,
    y_label: str,
    tooltip: str = "{low}–{high}: {count}",
    width: int = 360,
    height: int = 200,
) -> str:
    """An SVG bar chart of ``histogram`` (ten bins over 0–100).

    Each bar carries a ``<title>`` (a tooltip on hover, read by screen readers) made from
    ``tooltip`` with ``{low}``, ``{high}`` and ``{count}`` filled in; ``title`` is the
    chart's accessible name and heading; the axes are labelled with ``x_label`` and
    ``y_label``. The y axis runs from 0 to the highest count (at least 1)."""
    plot_width = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = height - MARGIN_TOP - MARGIN_BOTTOM
    if plot_width <= 0 or plot_height <= 0:
        raise ValueError("the chart is too small for its axes")
    top = max(1, *histogram.counts)
    bottom = MARGIN_TOP + plot_height
    slot = plot_width / len(histogram.counts)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="laurel-chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text class="chart-title" x="{MARGIN_LEFT}" y="16" font-size="12" '
        f'font-weight="bold">{escape(title)}</text>',
    ]
    for index, (low, high, count) in enumerate(histogram.bins):
        bar_height = plot_height * count / top
        x = MARGIN_LEFT + slot * index
        label = tooltip.format(low=_number(low), high=_number(high), count=count)
        parts.append(
            f'<rect class="bar" x="{_number(x + 1)}" y="{_number(bottom - bar_height)}" '
            f'width="{_number(slot - 2)}" height="{_number(bar_height)}" fill="currentColor" '
            f'data-count="{count}"><title>{escape(label)}</title></rect>'
        )
    # Axes, ticks at 0, 50 and 100 and at 0 and the highest count.
    right = MARGIN_LEFT + plot_width
    parts.append(
        f'<path class="axis" d="M{MARGIN_LEFT} {MARGIN_TOP} V{bottom} H{right}" '
        'fill="none" stroke="#555" stroke-width="1"/>'
    )
    for value in (0, 50, 100):
        x = MARGIN_LEFT + plot_width * value / 100
        parts.append(
            f'<text class="tick" x="{_number(x)}" y="{bottom + 13}" font-size="10" '
            f'text-anchor="middle">{value}</text>'
        )
    for value in sorted({0, top}):
        y = bottom - plot_height * value / top
        parts.append(
            f'<text class="tick" x="{MARGIN_LEFT - 4}" y="{_number(y + 3)}" font-size="10" '
            f'text-anchor="end">{value}</text>'
        )
    parts.append(
        f'<text class="axis-label" x="{_number(MARGIN_LEFT + plot_width / 2)}" '
        f'y="{height - 6}" font-size="11" text-anchor="middle">{escape(x_label)}</text>'
    )
    middle = _number(MARGIN_TOP + plot_height / 2)
    parts.append(
        f'<text class="axis-label" x="12" y="{middle}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {middle})">{escape(y_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
