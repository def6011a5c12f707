"""What changed between two saved versions of a reply, field by field, for the versions page."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db.models import Field

from . import services
from .models import Reply, ReplyVersion

# Beyond this many characters a character-level comparison is slow; compare whole lines instead.
CHAR_DIFF_LIMIT = 20_000


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    # (op, text) with op one of "equal", "insert", "delete"; the template escapes the text.
    segments: list[tuple[str, str]]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def diff_segments(old: str, new: str) -> list[tuple[str, str]]:
    """Character-level for Chinese text (it has no spaces to split words on), line-level when long."""
    if len(old) + len(new) > CHAR_DIFF_LIMIT:
        a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    else:
        a, b = list(old), list(new)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            out.append(("delete", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(("insert", "".join(b[j1:j2])))
    return out


def version_diff(old: ReplyVersion, new: ReplyVersion) -> list[FieldDiff]:
    """The fields that differ between two versions (in the order of the form)."""
    result = []
    for name in services.EDITABLE_FIELDS:
        before, after = _text(old.data.get(name)), _text(new.data.get(name))
        if before == after:
            continue
        field = Reply._meta.get_field(name)
        assert isinstance(field, Field)  # EDITABLE_FIELDS are the model's own fields, not relations
        label = str(field.verbose_name)
        result.append(FieldDiff(name=name, label=label, segments=diff_segments(before, after)))
    return result
