"""Small SVG charts drawn on the server: no script, no inline style.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``
(read by screen readers), and a ``<title>`` on every bar (shown on hover).
Colours come from classes in relais.css, so a strict CSP holds. The page
puts the same figures in a table under each chart.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 36


@dataclass
class Bar:
    label: str  # under the bar (a week's Monday, a network)
    value: int
    tooltip: str  # e.g. "Week of 2026-03-02: 120 shares"


def _nice_ceiling(value: int) -> int:
    """A round top for the axis: 2, 4 or 10 times a power of ten, at least the value,
    so that the middle grid line is a whole number too (1, 2, 5, 10, 20, 50...)."""
    step = 1
    while True:
        for factor in (2, 4, 10):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart(bars: list[Bar], title: str, description: str, chart_id: str) -> Markup:
    """A bar chart; labels are escaped here, so any text may be passed."""
    top = _nice_ceiling(max((bar.value for bar in bars), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = max(slot * 0.7, 1)
    # Label every bar when there is room, else about ten of them.
    label_every = max(1, round(len(bars) / 10))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{round(top * fraction):,}</text>')
    for index, bar in enumerate(bars):
        height = plot_h * bar.value / top
        x = LEFT + index * slot + (slot - bar_w) / 2
        y = TOP + plot_h - height
        parts.append(f'<rect class="chart-bar" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}">'
                     f'<title>{escape(bar.tooltip)}</title></rect>')
        if index % label_every == 0:
            parts.append(f'<text class="chart-label" x="{x + bar_w / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle">{escape(bar.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
