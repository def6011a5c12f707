"""How a proposal number is printed — the one place (the letter's title, the lists, the page, the
compiled volume, the 立案 confirmation). Imports nothing of the app, so models and services share it.
The style is the committee's (``Committee.number_style``: 第 TA0207 号, 第48号, 48号)."""

from __future__ import annotations

# The style of a committee that has not chosen one (``NumberStyle.SPACED``); ``{n}`` is the number.
DEFAULT_STYLE = "第 {n} 号"


def display_number(number: str, style: str = DEFAULT_STYLE) -> str:
    return style.replace("{n}", number) if number else ""
