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


def committees_visible_to(user) -> QuerySet[Committee]:
    """The user's committee; every committee for an administrator of all of them; none for anyone else."""
    scope = roles.committee_scope(user)
    if not roles.is_active_user(user):
        return Committee.objects.none()
    if scope is None:
        return Committee.objects.all() if roles.is_admin(user) else Committee.objects.none()
    return Committee.objects.filter(pk=scope)


def _of(model: type[M], committee: Committee | int | None, user) -> QuerySet[M]:
    """``model``'s rows of ``committee`` (one the user may see), or of the user's committees."""
    qs = model._default_manager.all()
    if committee is not None:
        committee_id = committee.pk if isinstance(committee, Committee) else committee
        if not roles.in_committee(user, committee_id):
            return qs.none()
        return qs.filter(committee_id=committee_id)
    scope = roles.committee_scope(user)
    if scope is None:
        return qs if roles.is_admin(user) else qs.none()
    return qs.filter(committee_id=scope)


def meetings_for(user, committee: Committee | int | None = None) -> QuerySet[Meeting]:
    return _of(Meeting, committee, user).select_related("committee")


def current_meeting(user, committee: Committee | int | None = None) -> Meeting | None:
    """The meeting whose intake is open (or the latest) of the user's committee."""
    meetings = meetings_for(user, committee)
    return meetings.filter(is_current=True).first() or meetings.order_by("-term", "-session").first()


def agencies_for(user, committee: Committee | int | None = None, *, active: bool = True) -> QuerySet[Agency]:
    qs = _of(Agency, committee, user)
    return (qs.filter(is_active=True) if active else qs).order_by("name")


def members_for(user, committee: Committee | int | None = None) -> QuerySet[Member]:
    return _of(Member, committee, user).filter(is_active=True).order_by("name", "id")


def categories_for(user, committee: Committee | int | None = None, *, active: bool = True) -> QuerySet[Category]:
    qs = _of(Category, committee, user)
    return qs.filter(is_active=True) if active else qs


def decline_reasons_for(user, committee: Committee | int | None = None) -> QuerySet[DeclineReason]:
    return _of(DeclineReason, committee, user).filter(is_active=True)
