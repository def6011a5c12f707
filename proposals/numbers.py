"""How a proposal number is printed — the one place (the letter's title, the lists, the page, the
compiled volume, the 立案 confirmation). Imports nothing of the app, so models and services share it.
Committees with other formats (第48号, 48号) make this a committee rule in the committees issue."""

from __future__ import annotations


def display_number(number: str) -> str:
    return f"第 {number} 号" if number else ""
