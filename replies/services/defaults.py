"""What a new draft starts with: title, addressee and closing from the assignment, and the author
as 承办人.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from proposals.models import Assignment, AssignmentRole, ProposerKind, User

DEFAULT_CLOSING = _("感谢您对我们工作的关心和支持，欢迎今后提出更多宝贵意见。")


def default_title(assignment: Assignment) -> str:
    proposal = assignment.proposal
    committee = proposal.committee.short_name
    where = committee if proposal.between_meetings else f"{committee}{proposal.meeting.display_name}"
    number = proposal.display_number
    # The letter is an official Chinese document whatever language the user's screens are in.
    with translation.override("zh-hans"):
        if not assignment.answers_member:
            return gettext("关于%(where)s%(number)s提案的会办意见") % {"where": where, "number": number}
        return gettext("关于%(where)s%(number)s提案的答复") % {"where": where, "number": number}


def default_addressee(assignment: Assignment) -> str:
    proposal = assignment.proposal
    with translation.override("zh-hans"):
        if not assignment.answers_member:
            # A co-handler's view goes to the lead agency, not to the member.
            lead = (
                Assignment.objects.filter(proposal=proposal, role=AssignmentRole.LEAD)
                .live()
                .select_related("agency")
                .first()
            )
            if lead is not None:
                return gettext("%(name)s：") % {"name": lead.agency.name}
        if proposal.proposer_kind == ProposerKind.BODY:
            return gettext("%(name)s：") % {"name": proposal.body_name}
        first_proposer = proposal.first_proposer  # None (no query) when first_proposer_id is None
        if first_proposer is None:
            return ""
        name = first_proposer.name
        if proposal.proposer_kind == ProposerKind.JOINT:
            return gettext("%(name)s等委员：") % {"name": name}
        return gettext("%(name)s委员：") % {"name": name}


def default_closing(assignment: Assignment) -> str:
    if not assignment.answers_member:
        return ""
    with translation.override("zh-hans"):
        return str(DEFAULT_CLOSING)


def new_draft_defaults(assignment: Assignment, actor: User) -> dict[str, Any]:
    """What a new draft starts with: ``reply_create`` stores it and the empty form shows it."""
    # The one who drafts is the handler (承办人) the letter names, leader or not: the name is the
    # real author's unless someone changes it, and the reply records who submitted it either way.
    return {
        "title": default_title(assignment),
        "addressee": default_addressee(assignment),
        "closing": default_closing(assignment),
        "handler_name": actor.display_name,
        "phone": actor.phone,
        "is_public": True,
    }
