"""How a proposal number is printed — the one place (the letter's title, the lists, the page, the
compiled volume, the 立案 confirmation). Imports only the choices, so models and services share it.
The style is the committee's (``Committee.number_style``: 第 TA0207 号, 第48号, 48号)."""

from __future__ import annotations

from .choices import NumberStyle

# The style of a committee that has not chosen one; ``{n}`` is the number.
DEFAULT_STYLE: str = NumberStyle.SPACED


def display_number(number: str, style: str = DEFAULT_STYLE) -> str:
    return style.replace("{n}", number) if number else ""
