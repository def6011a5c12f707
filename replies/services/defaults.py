"""What a new draft starts with: title, addressee and closing from the assignment, and the author
as 承办人.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from proposals.models import Assignment, AssignmentRole, ProposalCosigner, ProposerKind, User

from .. import profiles
from ..models import LetterProfile, NotPublicKind

DEFAULT_CLOSING = _("感谢您对我们工作的关心和支持，欢迎今后提出更多宝贵意见。")
# The 不公开理由 a reply starts with when the proposer refused publication on the proposal form.
PROPOSER_REFUSED = _("提案人不同意公开：%(reason)s")


def default_title(assignment: Assignment, profile: LetterProfile | None = None) -> str:
    proposal = assignment.proposal
    committee = proposal.committee.short_name
    where = committee if proposal.between_meetings else f"{committee}{proposal.meeting.display_name}"
    number = proposal.display_number
    # The letter is an official Chinese document whatever language the user's screens are in.
    with translation.override("zh-hans"):
        if not assignment.answers_member:
            return gettext("关于%(where)s%(number)s提案的会办意见") % {"where": where, "number": number}
        pattern = profiles.title_pattern(profile or profiles.profile_for(assignment))
        return pattern.replace("{where}", where).replace("{number}", number)


def default_addressee(assignment: Assignment, profile: LetterProfile | None = None) -> str:
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
        joint = proposal.proposer_kind == ProposerKind.JOINT
        names = [first_proposer.name]
        if joint:
            names += [
                c.member.name for c in ProposalCosigner.objects.filter(proposal=proposal).select_related("member")
            ]
        return profiles.addressee_names(names, profile or profiles.profile_for(assignment), joint=joint)


def default_closing(assignment: Assignment, profile: LetterProfile | None = None) -> str:
    if not assignment.answers_member:
        return ""
    preset = profiles.default_closing(profile or profiles.profile_for(assignment))
    if preset is not None:
        return preset
    with translation.override("zh-hans"):
        return str(DEFAULT_CLOSING)


def publication_defaults(assignment: Assignment) -> dict[str, Any]:
    """Public unless the proposer refused publication (是否同意公开), then not public with their reason:
    the agency may still change it, and the public pages never show such a reply either way
    (``oversight.selectors.public_replies``)."""
    proposal = assignment.proposal
    if proposal.publication_consent:
        return {"is_public": True}
    with translation.override("zh-hans"):
        reason = str(PROPOSER_REFUSED) % {"reason": proposal.publication_refusal_reason.strip()}
    return {"is_public": False, "not_public_kind": NotPublicKind.NOT_PUBLIC, "not_public_reason": reason}


def new_draft_defaults(assignment: Assignment, actor: User) -> dict[str, Any]:
    """What a new draft starts with: ``reply_create`` stores it and the empty form shows it."""
    # The one who drafts is the handler (承办人) the letter names, leader or not: the name is the
    # real author's unless someone changes it, and the reply records who submitted it either way.
    profile = profiles.profile_for(assignment)
    defaults: dict[str, Any] = {
        "title": default_title(assignment, profile),
        "addressee": default_addressee(assignment, profile),
        "closing": default_closing(assignment, profile),
        "handler_name": actor.display_name,
        "phone": actor.phone,
        **publication_defaults(assignment),
    }
    if profile.show_printed:
        # The office of the agency prints and sends its letters, as a rule.
        defaults["printed_by"] = f"{assignment.agency.name}办公室"
    return defaults
