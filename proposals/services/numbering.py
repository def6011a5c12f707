"""Proposal numbers: the format of a meeting's numbers and the sequence inside one."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ..models import Meeting, Proposal

DUPLICATE_NUMBER = _("本次会议已有相同编号的提案，编号不能重复。")
NUMBER_INVALID = _("提案编号只能由字母和数字组成，且不超过 20 个字符。")
_NUMBER_RE = re.compile(r"^[A-Za-z0-9]{1,20}$")


def is_valid_number(number: str) -> bool:
    """A number as staff may type it for an old record: letters and digits, at most 20."""
    return bool(_NUMBER_RE.match(number))


def format_number(meeting: Meeting, sequence: int) -> str:
    """The meeting's prefix (or none) and the sequence, zero-padded to the committee's width (or not)."""
    width = meeting.committee.number_width
    return f"{meeting.number_prefix}{sequence:0{width}d}" if width else f"{meeting.number_prefix}{sequence}"


def sequence_of(meeting: Meeting, number: str) -> int | None:
    """The sequence inside a number of this meeting's format, or None for an old-style number."""
    match = re.fullmatch(re.escape(meeting.number_prefix) + r"(\d+)", number)
    return int(match.group(1)) if match else None


def next_sequence(meeting: Meeting) -> int:
    """The sequence the next registration of this meeting takes (lock the meeting row to keep it).

    Old records filed with their own number may sit above the counter; step over them."""
    sequence = meeting.last_sequence + 1
    while Proposal.objects.filter(meeting=meeting, number=format_number(meeting, sequence)).exists():
        sequence += 1
    return sequence
