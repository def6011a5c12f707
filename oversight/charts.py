"""Charts drawn on the server as inline SVG: no script, no external asset, readable without CSS.

Each chart carries a <title> and a text label with the number on every bar, so the figure is
there for a screen reader and in a printout as well as in the picture.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

COLOURS = ["#8b1a1a", "#c0504d", "#d99694", "#7f7f7f", "#4f81bd"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # the length of the bar, in the chart's unit
    text: str  # what is printed at its end, e.g. "75.0%（3/4）"


def bar_chart(bars: list[Bar], *, title: str, maximum: float | None = None, width: int = 560) -> SafeString:
    """A horizontal bar chart. ``maximum`` fixes the scale (100 for percentages); by default the
    longest bar fills the width. All values are 0 for an empty meeting: the bars are then empty."""
    label_w, text_w, row_h, pad = 150, 140, 28, 6
    plot_w = width - label_w - text_w
    top = max((b.value for b in bars), default=0)
    scale_max = maximum if maximum else top
    height = pad * 2 + row_h * max(len(bars), 1)
    parts = [
        # Natural size, shrunk on narrow screens by Bootstrap's mw-100/h-auto (no inline style: CSP).
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pd-chart mw-100 h-auto" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = pad + i * row_h
        length = plot_w * bar.value / scale_max if scale_max else 0
        length = max(0.0, min(float(plot_w), length))
        colour = COLOURS[i % len(COLOURS)]
        parts.append(
            f'<text x="{label_w - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end" fill="#212529">'
            f"{escape(bar.label)}</text>"
        )
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{plot_w}" height="{row_h - 10}" fill="#f1f1f1"></rect>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 5}" width="{length:.1f}" height="{row_h - 10}" fill="{colour}"></rect>'
        )
        parts.append(
            f'<text x="{label_w + plot_w + 8}" y="{y + row_h / 2 + 4:.1f}" fill="#212529">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
