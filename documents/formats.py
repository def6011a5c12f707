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


_CN_DIGITS = "〇零一二三四五六七八九十百千两"
_NUMBER = rf"[{_CN_DIGITS}0-9０-９]+"
_HAN = r"[\u4e00-\u9fff]"
# Names a title must not be broken inside: a meeting (八届三次会议; 第十四届全国委员会 and 第二次会议,
# each whole; 常委会第十次会议), a proposal number (第 TA0207 号), a committee (市政协, 示范县政协,
# 晋城市委员会), and the words every reply title is made of. At each place the first alternative
# that matches wins, so the words come before the place names that could swallow them (关于市政协).
_KEEP_TOGETHER = re.compile(
    "|".join(
        [
            rf"{_NUMBER}届{_NUMBER}次(?:全体)?会议",
            rf"第{_NUMBER}届(?:(?!次|会议|第){_HAN}){{0,8}}?委员会(?:常务委员会)?",
            rf"(?:常务委员会|常委会)?第{_NUMBER}次(?:全体|常务委员会|常委会)?会议",
            rf"第\s*[A-Za-z0-9０-９{_CN_DIGITS}\-－]+\s*号",
            r"中国人民政治协商会议",
            r"(?:关于|提案|答复|复函|建议|意见)",
            r"全国政协",
            rf"{_HAN}{{0,4}}?[省市县区州旗盟](?:政协|委员会)",
            r"政协|委员会",
        ]
    )
)


def _title_units(text: str, max_ems: float) -> list[str]:
    """Break points: between CJK characters, never inside a run of Latin letters or digits, nor before
    closing or after opening punctuation, nor inside a name of ``_KEEP_TOGETHER`` that fits a line."""
    pieces: list[str] = []
    pos = 0
    for m in _KEEP_TOGETHER.finditer(text):
        name = m.group()
        pieces.extend(text[pos : m.start()])
        # A name longer than a line (a committee's full name in a narrow box) is broken after all.
        pieces.extend([name] if sum(_char_width(c) for c in name) <= max_ems else name)
        pos = m.end()
    pieces.extend(text[pos:])
    units: list[str] = []
    for piece in pieces:
        latin = len(piece) == 1 and piece.isascii() and piece != " "
        if units and latin and units[-1][-1:].isascii() and units[-1][-1] != " ":
            units[-1] += piece
        elif units and (piece[0] in _NO_LINE_START or units[-1][-1] in _NO_LINE_END):
            units[-1] += piece
        else:
            units.append(piece)
    return units


def balanced_lines(text: str, max_ems: float) -> list[str]:
    """Split a title into the fewest lines of at most ``max_ems``, as nearly equal in width as can be.

    GB/T 9704 wants long titles broken into a trapezoid or diamond with no orphan character on the
    last line; the browser's greedy breaking fills the first line and leaves a short tail, so the
    lines are chosen here and each is set on its own.
    """
    text = " ".join(text.split())
    units = _title_units(text, max_ems)
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


# --- Body lines ---------------------------------------------------------------------------------

# A run of Latin letters or digits joined by dashes (0356—6021234, 2024-2025): the line breaker may
# break at a dash, so such a run is set as one unbreakable piece. Other Latin and digit runs, and
# closing punctuation at a line start, the breaker (UAX #14) already keeps right.
_JOINED_RUN = re.compile(r"[0-9A-Za-z]+(?:[—–－-][0-9A-Za-z]+)+")


def keep_together(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, unbreakable) pairs, in order: the dash-joined runs are the unbreakable ones."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in _JOINED_RUN.finditer(text):
        if m.start() > pos:
            pieces.append((text[pos : m.start()], False))
        pieces.append((m.group(), True))
        pos = m.end()
    if pos < len(text):
        pieces.append((text[pos:], False))
    return pieces


def filling_spacing(*, natural: float, available: float, chars: int, spacing: float, most: float) -> float | None:
    """The letter spacing that makes a line of ``chars`` characters end exactly at ``available``:
    ``natural`` is its width at ``spacing`` as the renderer measures it, with the spacing after every
    character, the last too; the last character's own advance is to end at the margin, so the
    spacing is shared by the gaps between characters. ``None`` when a gap would have to open by more
    than ``most`` (a line before a long unbreakable run keeps its short end rather than being spaced
    out), or the line has no gap."""
    if chars < 2:
        return None
    extra = (available - (natural - spacing)) / (chars - 1)
    if extra > most:
        return None
    return spacing + extra
