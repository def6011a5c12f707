"""Which committees, and which of their meetings, agencies, members, categories and decline reasons,
a user may choose from: the one rule for every form, filter and picker. A record of another
committee is never offered (and the services refuse it: ``proposals.services.common.same_committee``).
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from .. import roles
from ..models import Agency, Category, Committee, DeclineReason, Meeting, Member

M = TypeVar("M", bound=Model)


def _of(model: type[M], committee: Committee | int | None, user, *, read: bool = False) -> QuerySet[M]:
    """``model``'s rows of ``committee`` (one the user may see), or of the user's committee — with
    ``read``, of every committee the user may read (a parent's staff: its children too)."""
    qs = model._default_manager.all()
    if committee is not None:
        committee_id = committee.pk if isinstance(committee, Committee) else committee
        if not roles.in_committee(user, committee_id):
            return qs.none()
        return qs.filter(committee_id=committee_id)
    if read:
        readable = roles.readable_committees(user)
        return qs if readable is None else qs.filter(committee_id__in=readable)
    scope = roles.committee_scope(user)
    if scope is None:
        return qs if roles.is_admin(user) else qs.none()
    return qs.filter(committee_id=scope)


def meetings_for(user, committee: Committee | int | None = None, *, read: bool = False) -> QuerySet[Meeting]:
    """Meetings to file into (the user's committee), or with ``read`` to look at (lists, statistics)."""
    return _of(Meeting, committee, user, read=read).select_related("committee")


def current_meeting(user, committee: Committee | int | None = None) -> Meeting | None:
    """The meeting whose intake is open (or the latest) of the user's committee."""
    meetings = meetings_for(user, committee)
    return meetings.filter(is_current=True).first() or meetings.order_by("-term", "-session").first()


def agencies_for(
    user, committee: Committee | int | None = None, *, active: bool = True, read: bool = False
) -> QuerySet[Agency]:
    qs = _of(Agency, committee, user, read=read)
    return (qs.filter(is_active=True) if active else qs).order_by("name")


def members_for(user, committee: Committee | int | None = None) -> QuerySet[Member]:
    return _of(Member, committee, user).filter(is_active=True).order_by("name", "id")


def categories_for(
    user, committee: Committee | int | None = None, *, active: bool = True, read: bool = False
) -> QuerySet[Category]:
    qs = _of(Category, committee, user, read=read)
    return qs.filter(is_active=True) if active else qs


def active_agencies_of(committee_id: int) -> QuerySet[Agency]:
    """The agencies a proposal of ``committee_id`` may be assigned to (its committee's, in use)."""
    return Agency.objects.filter(committee_id=committee_id, is_active=True).order_by("name")


def active_decline_reasons_of(committee_id: int) -> QuerySet[DeclineReason]:
    """The reasons a proposal of ``committee_id`` may be declined with."""
    return DeclineReason.objects.filter(committee_id=committee_id, is_active=True)
