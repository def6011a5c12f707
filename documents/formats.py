"""Number and date formats of official documents."""

from __future__ import annotations

import datetime as dt
import re

_DIGITS = "零一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 13 → 十三, 20 → 二十, 108 → 一百零八 (for 届 and 次, which stay small)."""
    if n < 0:
        raise ValueError("negative numbers have no 届 or 次")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        head = _DIGITS[n // 100] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + _DIGITS[rest]
        if rest < 20:
            return head + "一" + chinese_numeral(rest)
        return head + chinese_numeral(rest)
    return str(n)


def document_date(value: dt.date | dt.datetime | None) -> str:
    """GB/T 9704: Arabic numerals, full year, no leading zeros — 2024年7月9日."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.year}年{value.month}月{value.day}日"


# --- Text layout helpers for the PDF templates ---------------------------------------------------

# Characters that must not begin a line (closing punctuation) or end one (opening punctuation).
_NO_LINE_START = set("，。、：；！？）》」』”’】〕…—·,.;:!?)]%")
_NO_LINE_END = set("（《「『“‘【〔([")


def _char_width(ch: str) -> float:
    """Width in ems of one character of a CJK serif font (half-width Latin is about half an em)."""
    if ch == " ":
        return 0.3
    if ord(ch) < 0x2E80:
        return 0.55
    return 1.0


def _title_units(text: str) -> list[str]:
    """Break points: between CJK characters, never inside a run of Latin letters or digits."""
    units: list[str] = []
    for ch in text:
        latin = ch.isascii() and ch != " "
        if units and latin and units[-1][-1:].isascii() and units[-1][-1] != " ":
            units[-1] += ch
        elif units and (ch in _NO_LINE_START or units[-1][-1] in _NO_LINE_END):
            units[-1] += ch
        else:
            units.append(ch)
    return units


def balanced_lines(text: str, max_ems: float) -> list[str]:
    """Split a title into the fewest lines of at most ``max_ems``, as nearly equal in width as can be.

    GB/T 9704 wants long titles broken into a trapezoid or diamond with no orphan character on the
    last line; the browser's greedy breaking fills the first line and leaves a short tail, so the
    lines are chosen here and each is set on its own.
    """
    text = " ".join(text.split())
    units = _title_units(text)
    widths = [sum(_char_width(c) for c in u) for u in units]
    total = sum(widths)
    if total <= max_ems or len(units) < 2:
        return [text] if text else []
    count = 2
    while total / count > max_ems and count < len(units):
        count += 1

    n = len(units)
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)

    def width(i: int, j: int) -> float:
        # A space at either end of a line takes no room once the line is set on its own.
        w = prefix[j] - prefix[i]
        if units[i] == " ":
            w -= widths[i]
        if j - 1 > i and units[j - 1] == " ":
            w -= widths[j - 1]
        return w

    target = total / count
    # best[k][j]: least cost of setting units[:j] on k lines; the cost favours equal widths.
    inf = float("inf")
    best = [[inf] * (n + 1) for _ in range(count + 1)]
    back = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for k in range(1, count + 1):
        for j in range(1, n + 1):
            for i in range(k - 1, j):
                if best[k - 1][i] == inf:
                    continue
                w = width(i, j)
                if w > max_ems:
                    continue
                cost = best[k - 1][i] + (w - target) ** 2
                if cost < best[k][j]:
                    best[k][j] = cost
                    back[k][j] = i
    if best[count][n] == inf:
        return [text]
    lines = []
    j = n
    for k in range(count, 0, -1):
        i = back[k][j]
        lines.append("".join(units[i:j]).strip())
        j = i
    return list(reversed(lines))


# Heading levels of the body: 一、 （一） 1. （1） (GB/T 9704 §7.3.3).
_HEADINGS = [
    ("h1", re.compile(r"^[一二三四五六七八九十百]+、")),
    ("h2", re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")),
    ("h3", re.compile(r"^\d+[.．]")),
    ("h4", re.compile(r"^[（(]\d+[）)]")),
]


def body_paragraphs(text: str) -> list[dict[str, str]]:
    """One dict per non-empty line: ``kind`` (p, h1–h4), ``lead`` (the heading sentence) and ``text``.

    A heading line may run on into its paragraph ("一、总体情况。今年……"); the heading is the part
    up to and including the first full stop, and only that part takes the heading's font.
    """
    result = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        kind, lead, rest = "p", "", line
        for name, pattern in _HEADINGS:
            if pattern.match(line):
                kind = name
                stop = line.find("。")
                if 0 <= stop < len(line) - 1:
                    lead, rest = line[: stop + 1], line[stop + 1 :]
                else:
                    lead, rest = line, ""
                break
        result.append({"kind": kind, "lead": lead, "text": rest})
    return result
