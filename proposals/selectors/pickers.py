"""What the search-as-you-type pickers offer: the members and agencies the filing and assignment
forms would offer this user (``registry.members_for`` / ``registry.agencies_for``), matched by name,
pinyin initials, 界别 and work unit, a few at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from .. import roles
from ..models import Member
from . import registry

PICKER_LIMIT = 20
# Longer input is not a name, a 界别 or a work unit anyone types; it is cut rather than searched.
QUERY_MAX_CHARS = 50
_LETTERS = re.compile(r"^[a-z]+$")


@dataclass(frozen=True)
class PickerOption:
    """One option of a picker: ``text`` is what a plain select shows, ``name`` and ``detail`` the two
    lines of the enhanced one, ``search`` what the browser filters the loaded options by."""

    id: int
    text: str
    name: str
    detail: str
    search: str


def terms_of(query: str) -> list[str]:
    return query.strip()[:QUERY_MAX_CHARS].split()


def member_details(member: Member, *, with_work_unit: bool) -> str:
    """界别 and (for those who see personal data) work unit: what tells namesakes apart."""
    parts = [member.sector, member.work_unit if with_work_unit else ""]
    return "，".join(p for p in parts if p)


def member_label(member: Member, *, with_work_unit: bool) -> str:
    details = member_details(member, with_work_unit=with_work_unit)
    return f"{member.name}（{details}）" if details else member.name


def member_scope(user) -> QuerySet[Member]:
    """The members whose rows the filing form offers this user: a member filing online, their own
    committee's; staff, theirs."""
    committee = user.member.committee_id if roles.is_member(user) else None
    return registry.members_for(user, committee)


def search_members(user, query: str, *, limit: int = PICKER_LIMIT) -> list[PickerOption]:
    """Members of ``member_scope`` matching every term of ``query``; exact names first.

    A term matches the name, the start of the pinyin initials (``zs`` for 张三), the 界别, or — for
    those who see personal data (``roles.sees_personal_data``) — the work unit.
    """
    terms = terms_of(query)
    if not terms:
        return []
    with_work_unit = roles.sees_personal_data(user)
    qs = member_scope(user)
    for term in terms:
        match = Q(name__icontains=term) | Q(sector__icontains=term)
        if _LETTERS.match(term.lower()):
            initials = term.lower()
            match |= Q(name_initials__startswith=initials) | Q(name_initials__contains=f" {initials}")
        if with_work_unit:
            match |= Q(work_unit__icontains=term)
        qs = qs.filter(match)
    whole = " ".join(terms)
    exact = Q(name=whole)
    if _LETTERS.match(whole.lower()):
        # All the initials typed (``zw``: 张伟 before 张伟华 and 周伟民)
        initials = whole.lower()
        exact |= (
            Q(name_initials=initials)
            | Q(name_initials__startswith=f"{initials} ")
            | Q(name_initials__endswith=f" {initials}")
        )
    qs = qs.annotate(
        rank=Case(
            When(exact, then=Value(0)),
            When(name__startswith=whole, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "name", "id")
    fields = ["id", "name", "name_initials", "sector", *(["work_unit"] if with_work_unit else [])]
    return [
        PickerOption(
            id=m.pk,
            text=member_label(m, with_work_unit=with_work_unit),
            name=m.name,
            detail=member_details(m, with_work_unit=with_work_unit),
            search=" ".join([m.name, m.name_initials, member_details(m, with_work_unit=with_work_unit)]),
        )
        for m in qs.only(*fields)[:limit]
    ]


def search_agencies(user, query: str, *, limit: int = PICKER_LIMIT) -> list[PickerOption]:
    """Active agencies of the user's committee (the ones a proposal of it may be assigned to)
    whose name or short name contains every term of ``query``."""
    terms = terms_of(query)
    if not terms:
        return []
    qs = registry.agencies_for(user)
    for term in terms:
        qs = qs.filter(Q(name__icontains=term) | Q(short_name__icontains=term))
    return [
        PickerOption(
            id=a.pk,
            text=a.name,  # as the plain select names it
            name=a.name,
            detail=a.short_name,
            search=f"{a.name} {a.short_name}".strip(),
        )
        for a in qs.only("id", "name", "short_name")[:limit]
    ]
