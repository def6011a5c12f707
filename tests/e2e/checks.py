"""Checks every browser test makes on the pages it visits."""

from __future__ import annotations


def check_page(actor, step: str) -> None:
    """Every step leaves a screenshot for the reviewer and must draw its Chinese text with real glyphs."""
    actor.assert_chinese_renders()
    actor.shot(step)


def assert_no_axe_violations(actor, page_name: str) -> None:
    violations = actor.axe_violations()
    assert violations == [], f"{page_name}: serious or critical accessibility violations: {violations}"


def assert_fits_width(actor, width: int) -> None:
    scroll_width = actor.page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{actor.page.url} scrolls sideways at {width} px (scrollWidth {scroll_width})"
