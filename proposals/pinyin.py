"""Pinyin initials of Chinese names, so a picker finds 张三 by typing ``zs``."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# Room for a 50-character name and its surname's other reading.
INITIALS_MAX_LENGTH = 160

# pypinyin reads a surname as an ordinary word: 曾 as céng, not zēng. The surnames whose reading as a
# surname starts with another letter than pypinyin's, with that letter (区 ōu, 单 shàn, 解 xiè, 仇 qiú…).
SURNAME_INITIALS = {
    "曾": "z",
    "单": "s",
    "解": "x",
    "仇": "q",
    "查": "z",
    "区": "o",
    "覃": "q",
    "翟": "z",
    "召": "s",
    "种": "c",
    "员": "y",
    "尉": "y",
    "繁": "p",
    "秘": "b",
    "乐": "y",
    "长": "c",
}


def name_initials(name: str) -> str:
    """The lower-case pinyin initials of ``name``, e.g. 张三 → ``zs``; characters that are not Chinese
    are left out. A surname of ``SURNAME_INITIALS`` adds its surname reading as an alternative,
    space-separated (曾国藩 → ``cgf zgf``): searches match the start of either."""
    name = name.strip()
    letters = [s.lower() for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if s.isalpha()]
    if not letters:
        return ""
    rest = "".join(letters[1:])
    readings = [letters[0]]
    surname = next((c for c in name if "\u4e00" <= c <= "\u9fff"), "")
    if SURNAME_INITIALS.get(surname, readings[0]) != readings[0]:
        readings.append(SURNAME_INITIALS[surname])
    return " ".join(f"{r}{rest}" for r in readings)[:INITIALS_MAX_LENGTH]
