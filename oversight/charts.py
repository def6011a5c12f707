"""Charts drawn on the server as inline SVG: no script, no external asset, readable without CSS.

Each chart carries a <title> and a text label with the number on every bar, so the figure is
there for a screen reader and in a printout as well as in the picture.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from .stats import Ratio

COLOURS = ["#8b1a1a", "#c0504d", "#d99694", "#7f7f7f", "#4f81bd"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # the length of the bar, in the chart's unit
    text: str  # what is printed at its end, e.g. "75.0%（3/4）"


def _label_width(bars: list[Bar]) -> int:
    """Room for the longest label at 13 px a character (CJK is square), within reason."""
    return min(150, 13 * max((len(b.label) for b in bars), default=4) + 10)


def bar_chart(bars: list[Bar], *, title: str, maximum: float | None = None, width: int = 360) -> SafeString:
    """A horizontal bar chart. ``maximum`` fixes the scale (100 for percentages); by default the
    longest bar fills the width. All values are 0 for an empty meeting: the bars are then empty.
    360 wide, so that a 390 px phone shows it at its own size rather than shrunk."""
    label_w, text_w, row_h, pad = _label_width(bars), 112, 28, 6
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


def percent_text(ratio: Ratio) -> str:
    """What a percentage bar says at its end: "75.0%（3/4）", or that there is no data (0/0)."""
    if not ratio.has_data:
        return _("—（无数据）")
    return f"{ratio}（{ratio.numerator}/{ratio.denominator}）"


def percent_bars(rows: Iterable[tuple[StrOrPromise, Ratio]]) -> list[Bar]:
    return [Bar(str(label), ratio.percent, percent_text(ratio)) for label, ratio in rows]


def ranked(rows: Iterable[tuple[StrOrPromise, Ratio]]) -> list[tuple[StrOrPromise, Ratio]]:
    """Highest ratio first (of equal ratios, the larger count first, then by name); the rows
    without data (0/0) last, by name: they have no place in a ranking."""
    return sorted(
        rows,
        key=lambda row: (not row[1].has_data, -row[1].value, -row[1].denominator, str(row[0])),
    )


def ranked_bar_chart(bars: list[Bar], *, title: str, maximum: float = 100, width: int = 360) -> SafeString:
    """A bar chart for many rows with long labels (80 agencies): each label on its own line above
    its bar, so the chart stays readable on a phone (360 wide fits a 390 px screen unscaled) and a
    long agency name is not cut. ``bars`` are drawn in the order given (see ``ranked``)."""
    text_w, label_h, bar_h, gap, pad = 130, 17, 14, 9, 4
    plot_w = width - text_w
    row_h = label_h + bar_h + gap
    height = pad * 2 + row_h * max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pd-chart mw-100 h-auto" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-size="13">',
        f"<title>{escape(title)}</title>",
    ]
    for i, bar in enumerate(bars):
        y = pad + i * row_h
        length = max(0.0, min(float(plot_w), plot_w * bar.value / maximum if maximum else 0))
        parts.append(f'<text x="0" y="{y + 13}" fill="#212529">{escape(bar.label)}</text>')
        parts.append(f'<rect x="0" y="{y + label_h}" width="{plot_w}" height="{bar_h}" fill="#f1f1f1"></rect>')
        parts.append(f'<rect x="0" y="{y + label_h}" width="{length:.1f}" height="{bar_h}" fill="{COLOURS[0]}"></rect>')
        parts.append(f'<text x="{plot_w + 6}" y="{y + label_h + 11}" fill="#212529">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()
