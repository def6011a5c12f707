"""Who someone is: the one home of every actor predicate.

Services, selectors, permissions (``can_*``), views, context processors and templates ask these
functions; none of them compares ``user.role`` itself. Each predicate is false for ``None``,
anonymous and deactivated users, so callers need no separate "is logged in" test.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .choices import Role

# The message of every refusal that is about who is acting (not about the state of the object).
NOT_ALLOWED = _("您无权执行此操作。")

AGENCY_ROLES = (Role.HANDLER, Role.LEADER)


def is_active_user(user: Any) -> bool:
    """Logged in and not deactivated."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def _has_role(user: Any, *roles: str) -> bool:
    return is_active_user(user) and getattr(user, "role", None) in roles


def is_staff(user: Any) -> bool:
    """Committee staff (提案委员会工作人员): they file, register, assign, close and read statistics."""
    return _has_role(user, Role.STAFF)


def is_admin(user: Any) -> bool:
    """A system administrator: the admin role or a Django superuser."""
    return is_active_user(user) and (user.role == Role.ADMIN or bool(user.is_superuser))


def sees_all_proposals(user: Any) -> bool:
    """Staff and administrators see every proposal of their committee (an administrator without one:
    of every committee) that is not someone else's draft; ``committee_scope`` says which."""
    return is_staff(user) or is_admin(user)


def committee_scope(user: Any) -> int | None:
    """The one committee whose records ``user`` works in, or None for an administrator of every
    committee. A handler's is their agency's, a member's their own (``User.committee`` keeps it)."""
    return getattr(user, "committee_id", None)


def readable_committees(user: Any) -> list[int] | None:
    """The committees whose records ``user`` may read: their own, and for staff who oversee them
    (``User.oversees_children``) its child committees, read-only; None for an administrator of
    every committee. Writes are their own committee's only (``is_staff_of``)."""
    scope = committee_scope(user)
    if scope is None:
        return None if is_admin(user) else []
    if is_staff(user) and getattr(user, "oversees_children", False):
        from .models import Committee

        return [scope, *Committee.objects.filter(parent_id=scope).values_list("pk", flat=True)]
    return [scope]


def in_committee(user: Any, committee_id: int | None) -> bool:
    """``user`` may read records of ``committee_id`` (an all-committees administrator: any)."""
    readable = readable_committees(user)
    return readable is None or committee_id in readable


def is_staff_of(user: Any, committee_id: int | None) -> bool:
    """Staff of this committee: the ones who may act on its proposals (register, assign, close…)."""
    return is_staff(user) and committee_id is not None and committee_scope(user) == committee_id


def is_agency_user(user: Any) -> bool:
    """A handler or leader of some agency."""
    return _has_role(user, *AGENCY_ROLES) and bool(user.agency_id)


def is_agency_user_of(user: Any, agency_id: int | None, *, roles: tuple[str, ...] = AGENCY_ROLES) -> bool:
    """An active handler or leader (or only ``roles``) of the agency: the one agency-membership rule."""
    return _has_role(user, *roles) and agency_id is not None and user.agency_id == agency_id


def is_handler_of(user: Any, agency_id: int | None) -> bool:
    """A handler (经办人) of the agency: drafts replies and records consultations."""
    return is_agency_user_of(user, agency_id, roles=(Role.HANDLER,))


def is_leader_of(user: Any, agency_id: int | None) -> bool:
    """A leader (负责人) of the agency: signs off (签发) its replies."""
    return is_agency_user_of(user, agency_id, roles=(Role.LEADER,))


def is_member(user: Any) -> bool:
    """A CPPCC member with a member record: proposes, signs records, rates the handling."""
    return _has_role(user, Role.MEMBER) and bool(user.member_id)


def is_member_of(user: Any, member_id: int | None) -> bool:
    """The user is this member."""
    return is_member(user) and member_id is not None and user.member_id == member_id


def is_auditor(user: Any) -> bool:
    """An auditor (审计员): reads the security audit log."""
    return _has_role(user, Role.AUDITOR)


def sees_personal_data(user: Any) -> bool:
    """Members' phones and work units: staff, agency users (of the assigned agency: visibility already
    limits them to their own proposals) and administrators."""
    return is_staff(user) or is_agency_user(user) or is_admin(user)


def navigation_flags(user: Any) -> dict[str, Any]:
    """What the navbar shows: the same predicates, named for the templates."""
    return {
        "nav_role": user.role if is_active_user(user) else None,
        "nav_is_staff": is_staff(user),
        "nav_is_agency": is_agency_user(user),
        "nav_is_member": is_member(user),
        "nav_is_auditor": is_auditor(user),
        "nav_is_admin": is_admin(user),
    }
