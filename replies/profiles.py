"""Which letter profile (答复函格式) a reply follows, and what the profile makes of the letter's parts.

A reply follows its agency's own profile, else its committee's, else ``DEFAULT_PROFILE`` — the
layout of the seed letter TA0207, which is ``LetterProfile``'s field defaults. The reply's default
texts (``replies.services.defaults``), its form (``replies.forms``) and its PDF (``replies.pdf``)
ask this module; none of them reads a profile field for itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from proposals.models import Assignment
from proposals.numbers import display_number

from .models import AddresseeStyle, ClassMarkStyle, ContactPlace, LetterProfile, NotPublicKind, Reply

# The profile of a committee that has none: TA0207's layout.
DEFAULT_PROFILE = LetterProfile(name="默认（TA0207）")

# The fields of the letter that only some profiles print, by the profile switch that prints them.
OPTIONAL_FIELDS = {
    "signer_name": "signer_line",
    "report_to": "show_report_to",
    "copy_to": "show_copy_to",
    "printed_by": "show_printed",
    "printed_on": "show_printed",
    "not_public_kind": "publication_mark",
    "leader_name": "show_leader",
}


def profile_for(assignment: Assignment) -> LetterProfile:
    """The agency's own profile, else its committee's, else ``DEFAULT_PROFILE`` (also for a letter
    built in memory, without a proposal: a preview or a test)."""
    if assignment.proposal_id is None:
        return DEFAULT_PROFILE
    committee_id = assignment.proposal.committee_id
    rows = LetterProfile.objects.filter(committee_id=committee_id).filter(
        Q(agency_id=assignment.agency_id) | Q(agency__isnull=True)
    )
    found = {row.agency_id: row for row in rows}
    return found.get(assignment.agency_id) or found.get(None) or DEFAULT_PROFILE


def printed_fields(profile: LetterProfile) -> set[str]:
    """The optional fields this profile prints (the form shows them, and only them)."""
    return {name for name, switch in OPTIONAL_FIELDS.items() if getattr(profile, switch)}


def hidden_fields(profile: LetterProfile) -> set[str]:
    return set(OPTIONAL_FIELDS) - printed_fields(profile)


def title_pattern(profile: LetterProfile) -> str:
    return profile.title_style


def addressee_names(names: list[str], profile: LetterProfile, *, joint: bool) -> str:
    """ "张三委员：", "张三等委员：" or "张三、李四、王五委员：" as the profile names them."""
    if not names:
        return ""
    if not joint or len(names) == 1:
        return f"{names[0]}委员："
    if profile.addressee_style == AddresseeStyle.ALL_NAMES:
        return "、".join(names) + "委员："
    return f"{names[0]}等委员："


def default_closing(profile: LetterProfile) -> str | None:
    """The profile's first closing preset, or None for the installation's default closing."""
    presets = profile.closing_presets
    return presets[0] if presets else None


@dataclass(frozen=True)
class ClassMark:
    """Where and how the class is printed: ``place`` is "top_right", "line", "with_doc_number" or ""."""

    place: str
    text: str


def class_mark(profile: LetterProfile, code: str) -> ClassMark:
    if not code or profile.class_mark == ClassMarkStyle.NONE:
        return ClassMark("", "")
    if profile.class_mark == ClassMarkStyle.LINE:
        return ClassMark("line", f"类别：{code}")
    if profile.class_mark == ClassMarkStyle.WITH_DOC_NUMBER:
        return ClassMark("with_doc_number", code)
    return ClassMark("top_right", f"{code} 类")


def contact_rows(profile: LetterProfile) -> list[dict]:
    """The contact block's lines: each a label ("负责人：") and which of the letter's values follow it
    (``leader``, ``handler``, ``phone``). The template prints the values from the context, so a
    public copy that blanks or masks them there blanks them here too."""
    rows = []
    if profile.show_leader:
        rows.append({"label": f"{profile.leader_label}：", "leader": True, "handler": False, "phone": False})
    if profile.combine_handler_phone:
        label = f"{profile.handler_label}及{profile.phone_label}："
        rows.append({"label": label, "leader": False, "handler": True, "phone": True})
    else:
        rows.append({"label": f"{profile.handler_label}：", "leader": False, "handler": True, "phone": False})
        rows.append({"label": f"{profile.phone_label}：", "leader": False, "handler": False, "phone": True})
    return rows


def contact_after_date(profile: LetterProfile) -> bool:
    return profile.contact_place == ContactPlace.AFTER_DATE


def publication_text(profile: LetterProfile, reply: Reply) -> str:
    """ "（此件主动公开）", "（此件依申请公开）" or "（此件不予公开）" where the profile prints it."""
    if not profile.publication_mark:
        return ""
    if reply.is_public:
        return "（此件主动公开）"
    return f"（此件{NotPublicKind(reply.not_public_kind).label}）"


def sample_reply(profile: LetterProfile) -> Reply:
    """An unsaved letter in ``profile`` with every part filled in: the admin's preview of a profile."""
    import datetime as dt

    from proposals.models import Agency

    from .services.defaults import DEFAULT_CLOSING

    agency = profile.agency or Agency(name="示例市发展和改革委员会")  # in memory, never saved
    # The sample names the profile's committee and numbers as it does (第 TA0207 号, 第12号…).
    committee = profile.committee if profile.committee_id else None
    where = f"{committee.short_name if committee else '市政协'}八届三次会议"
    number = display_number("12", committee.number_style) if committee else display_number("TA0207")
    today = dt.date.today()
    return Reply(
        assignment=Assignment(agency=agency),
        status="draft",
        reply_class="B",
        title=title_pattern(profile).replace("{where}", where).replace("{number}", number),
        addressee=addressee_names(["张三", "李四", "王五"], profile, joint=True),
        body="您提出的关于加快产业合作的提案收悉，现答复如下：\n一、基本情况\n经研究，我们已将相关工作列入计划，正在逐步推进。",
        closing=default_closing(profile) or str(DEFAULT_CLOSING),
        leader_name="王主任",
        handler_name="李经办",
        phone="0356—2021234",
        reply_date=today,
        doc_number="示发改函〔2024〕12号",
        copy_to="市政协提案委员会",
        signer_name="王主任",
        report_to="市人民政府",
        printed_by=f"{agency.name}办公室",
        printed_on=today,
        is_public=True,
    )
