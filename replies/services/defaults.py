"""What a new draft starts with: title, addressee and closing from the assignment, and the author
as 承办人.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from proposals.models import Assignment, AssignmentRole, Proposal, ProposerKind, User
from proposals.numbers import display_number
from proposals.proposers import group_proposals, proposal_proposers, proposers_of

from .. import profiles
from ..models import LetterProfile, MergedReplyStyle, NotPublicKind

DEFAULT_CLOSING = _("感谢您对我们工作的关心和支持，欢迎今后提出更多宝贵意见。")
# The 不公开理由 a reply starts with when the proposer refused publication on the proposal form.
PROPOSER_REFUSED = _("提案人不同意公开：%(reason)s")


def default_title(assignment: Assignment, profile: LetterProfile | None = None) -> str:
    proposal = assignment.proposal
    committee = proposal.committee.short_name
    where = committee if proposal.between_meetings else f"{committee}{proposal.meeting.display_name}"
    number = proposal.display_number
    if assignment.answers_member:
        # 并案 answered in one letter: the title lists every number of the group, lead first.
        group = _one_letter_group(assignment, profile)
        if group:
            numbers = "、".join(p.number for p in group if p.number)
            number = display_number(numbers, proposal.committee.number_style)
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
        group = _one_letter_group(assignment, profile)
        if group:
            return _group_addressee(group)
        return proposal_addressee(proposal, profile or profiles.profile_for(assignment))


def proposal_addressee(proposal: Proposal, profile: LetterProfile) -> str:
    """The addressee of one proposal's answer: its body, or its proposers as the profile names them."""
    with translation.override("zh-hans"):
        if proposal.proposer_kind == ProposerKind.BODY:
            return gettext("%(name)s：") % {"name": proposal.body_name}
        joint = proposal.proposer_kind == ProposerKind.JOINT
        first_proposer = proposal.first_proposer
        if first_proposer is None:
            return ""
        names = [m.name for m in proposal_proposers(proposal)] if joint else [first_proposer.name]
        return profiles.addressee_names(names, profile, joint=joint)


def _one_letter_group(assignment: Assignment, profile: LetterProfile | None) -> list[Proposal]:
    """The 并案 group the letter answers as one (lead first), or [] (no group, or a copy each)."""
    group = group_proposals(assignment.proposal)
    if len(group) < 2:
        return []
    if (profile or profiles.profile_for(assignment)).merged_reply != MergedReplyStyle.ONE_LETTER:
        return []
    return group


def _group_addressee(group: list[Proposal]) -> str:
    """Every proposer of the group by name ("张三、李四、王五委员："; a body's proposal by the body's
    name first): a "张三等委员" would hide the proposers of the other proposals."""
    bodies = [p.body_name for p in group if p.proposer_kind == ProposerKind.BODY and p.body_name]
    members = proposers_of([p for p in group if p.proposer_kind != ProposerKind.BODY])
    parts = [*bodies]
    if members:
        parts.append("、".join(m.name for m in members) + "委员")
    return "、".join(parts) + "：" if parts else ""


@dataclass(frozen=True)
class ReplyCopy:
    """One proposal's copy of a letter answering a 并案 group a copy each: its number and proposers."""

    proposal: Proposal
    title: str
    addressee: str


def reply_copies(assignment: Assignment, title: str, addressee: str) -> list[ReplyCopy]:
    """The copies of a letter (``title``, ``addressee`` as issued) for a group answered a copy
    each (``MergedReplyStyle.COPY_EACH``): the lead's is the letter itself; each merged proposal's
    copy carries that proposal's number in the title and its own proposers as addressee. [] when
    the letter is not answered a copy each."""
    if not assignment.answers_member:
        return []
    group = group_proposals(assignment.proposal)
    profile = profiles.profile_for(assignment)
    if len(group) < 2 or profile.merged_reply != MergedReplyStyle.COPY_EACH:
        return []
    lead_number = group[0].display_number
    copies = [ReplyCopy(group[0], title, addressee)]
    for proposal in group[1:]:
        number = proposal.display_number
        copy_title = title.replace(lead_number, number) if lead_number and lead_number in title else title
        copies.append(ReplyCopy(proposal, copy_title, proposal_addressee(proposal, profile)))
    return copies


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
