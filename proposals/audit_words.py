"""How the audit page names this app's people, rows, codes and pages (audit/describe.py).

Registered from ``ProposalsConfig.ready``: the audit app imports no feature app. Every describer
reads all the rows of one page with one query and returns names only — never a member's phone or
work unit (the audit page and its export do not need them).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.describe import (
    Page,
    Person,
    register_describer,
    register_labels,
    register_pages,
    register_people,
    register_phrases,
)

from . import roles
from .choices import AssignmentRole, Role
from .choices import ProposalAction as A
from .models import (
    Agency,
    Assignment,
    Attachment,
    ExtensionRequest,
    Meeting,
    Member,
    Proposal,
    User,
    action_label,
    choice_label,
    state_label,
)
from .numbers import display_number

TITLE_CHARS = 30


def scoped(model: type[Model], pks: Collection[str], reader: Any, committee_path: str) -> QuerySet:
    """The rows of ``pks`` whose committee ``reader`` works in (or oversees): only those are named on
    the audit page; another committee's rows keep their kind and id only."""
    qs = model._default_manager.filter(pk__in=[int(pk) for pk in pks if pk.isdigit()])
    readable = roles.readable_committees(reader)
    return qs if readable is None else qs.filter(**{f"{committee_path}__in": readable})


def proposal_name(number: str, style: str, title: str) -> str:
    if number:
        return _("%(number)s提案") % {"number": display_number(number, style)}
    short = title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS] + "…"
    return _("提案“%(title)s”") % {"title": short}


def _proposal_parts(prefix: str) -> tuple[str, str, str]:
    return (f"{prefix}number", f"{prefix}committee__number_style", f"{prefix}title")


def name_of(row: Mapping, prefix: str) -> str:
    number, style, title = _proposal_parts(prefix)
    return proposal_name(row[number], row[style], row[title])


def describe_proposals(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    rows = scoped(Proposal, pks, reader, "committee").values("pk", *_proposal_parts(""))
    return {str(r["pk"]): {"name": name_of(r, "")} for r in rows}


def describe_assignments(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    rows = scoped(Assignment, pks, reader, "proposal__committee").values(
        "pk", "role", "agency__name", *_proposal_parts("proposal__")
    )
    out = {}
    for r in rows:
        proposal = name_of(r, "proposal__")
        out[str(r["pk"])] = {
            "name": _("%(agency)s承办的%(proposal)s") % {"agency": r["agency__name"], "proposal": proposal},
            "agency": r["agency__name"],
            "role": choice_label(AssignmentRole, r["role"]),
            "proposal": proposal,
        }
    return out


def describe_attachments(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    rows = scoped(Attachment, pks, reader, "proposal__committee").values(
        "pk", "original_name", *_proposal_parts("proposal__")
    )
    return {
        str(r["pk"]): {
            "name": _("%(proposal)s的附件“%(file)s”")
            % {"proposal": name_of(r, "proposal__"), "file": r["original_name"]}
        }
        for r in rows
    }


def describe_extensions(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    rows = scoped(ExtensionRequest, pks, reader, "assignment__proposal__committee").values(
        "pk", "assignment__agency__name", *_proposal_parts("assignment__proposal__")
    )
    return {
        str(r["pk"]): {
            "name": _("%(agency)s对%(proposal)s的延期申请")
            % {"agency": r["assignment__agency__name"], "proposal": name_of(r, "assignment__proposal__")}
        }
        for r in rows
    }


def describe_meetings(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    rows = scoped(Meeting, pks, reader, "committee").select_related("committee")
    return {str(m.pk): {"name": f"{m.committee.display_name}{m.display_name}"} for m in rows}


def describe_agencies(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    return {str(pk): {"name": name} for pk, name in scoped(Agency, pks, reader, "committee").values_list("pk", "name")}


def describe_members(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    # The name only: a member's phone and work unit are personal data the audit page does not need.
    return {str(pk): {"name": name} for pk, name in scoped(Member, pks, reader, "committee").values_list("pk", "name")}


def _title(row: Mapping) -> str:
    role = row["role"]
    agency = row["agency__short_name"] or row["agency__name"] or ""
    committee = row["committee__display_name"] or ""
    if role == Role.HANDLER and agency:
        return _("%(agency)s经办人") % {"agency": agency}
    if role == Role.LEADER and agency:
        return _("%(agency)s负责人") % {"agency": agency}
    if role == Role.STAFF and committee:
        return _("%(committee)s工作人员") % {"committee": committee}
    if role == Role.MEMBER and committee:
        return _("%(committee)s委员") % {"committee": committee}
    return choice_label(Role, role)


def describe_people(
    user_ids: Collection[int], usernames: Collection[str], reader: Any
) -> tuple[dict[int, Person], dict[str, Person]]:
    readable = roles.readable_committees(reader)
    rows = User.objects.filter(Q(pk__in=list(user_ids)) | Q(username__in=list(usernames))).values(
        "pk",
        "username",
        "display_name",
        "first_name",
        "last_name",
        "role",
        "agency__short_name",
        "agency__name",
        "committee__display_name",
        "member__name",
        "committee_id",
    )
    by_id: dict[int, Person] = {}
    by_username: dict[str, Person] = {}
    for r in rows:
        full_name = f"{r['last_name']}{r['first_name']}".strip()
        name = r["display_name"] or r["member__name"] or full_name or r["username"]
        if readable is None or r["committee_id"] is None or r["committee_id"] in readable:
            person = Person(name=name, title=_title(r))
        else:
            # Another committee's person: the account and role, not their name, agency or committee.
            person = Person(name=r["username"], title=choice_label(Role, r["role"]))
        by_id[r["pk"]] = person
        by_username[r["username"]] = person
    return by_id, by_username


def find_people(text: str, reader) -> QuerySet:
    text = text.strip()
    by_name = Q(display_name__icontains=text) | Q(member__name__icontains=text)
    readable = roles.readable_committees(reader)
    if readable is not None:  # another committee's people are shown by username only, so found so
        by_name &= Q(committee_id__in=readable) | Q(committee_id__isnull=True)
    return User.objects.filter(Q(username__iexact=text) | by_name).values("pk")


def _assign_phrase(detail: str, params: Mapping[str, str]):
    if params.get("assignment_agency"):
        return gettext_lazy("将%(object)s交办给%(assignment_agency)s（%(assignment_role)s）")
    if params.get("assignment"):  # an assignment the reader may not see named
        return gettext_lazy("交办了%(object)s")
    return gettext_lazy("将%(object)s交办给多家承办单位")


def _meeting_export(detail: str, params: Mapping[str, str]):
    return gettext_lazy("导出了%(object)s的统计表（Excel）") if detail.startswith("statistics") else None


PHRASES: dict[str, object] = {
    A.FILE: gettext_lazy("录入了%(object)s"),
    A.DRAFT: gettext_lazy("起草了%(object)s"),
    A.EDIT: gettext_lazy("修改了%(object)s的草稿"),
    A.SUBMIT: gettext_lazy("提交了%(object)s"),
    A.REGISTER: gettext_lazy("将%(object)s立案"),
    A.DECLINE: gettext_lazy("决定%(object)s不予立案"),
    A.ASSIGN: _assign_phrase,
    A.ACCEPT: gettext_lazy("签收了%(object)s"),
    A.RETURN: gettext_lazy("退回了%(object)s"),
    A.REASSIGN: gettext_lazy("将%(object)s改交%(assignment_agency)s办理"),
    A.EXTENSION_REQUEST: gettext_lazy("为%(object)s申请延期"),
    A.EXTENSION_APPROVE: gettext_lazy("批准了%(object)s的延期申请"),
    A.EXTENSION_REFUSE: gettext_lazy("未批准%(object)s的延期申请"),
    A.URGE: gettext_lazy("催办%(object)s"),
    A.KEY_ON: gettext_lazy("将%(object)s列为重点提案"),
    A.KEY_OFF: gettext_lazy("取消了%(object)s的重点提案"),
    A.ATTACH: gettext_lazy("为%(object)s上传了附件"),
    "export:proposals.xlsx": gettext_lazy("导出了提案列表（Excel，共 %(rows)s 行）"),
    "export:proposals.Meeting": _meeting_export,
}

PAGES = {
    "create": Page(gettext_lazy("新建提案")),
    "edit": Page(A.EDIT.label, "proposals.Proposal"),
    "submit": Page(A.SUBMIT.label, "proposals.Proposal"),
    "register": Page(A.REGISTER.label, "proposals.Proposal"),
    "decline": Page(A.DECLINE.label, "proposals.Proposal"),
    "assign": Page(A.ASSIGN.label, "proposals.Proposal"),
    "set_key": Page(A.KEY_ON.label, "proposals.Proposal"),
    "attachment_upload": Page(A.ATTACH.label, "proposals.Proposal"),
    "assignment_accept": Page(A.ACCEPT.label, "proposals.Assignment"),
    "assignment_return": Page(A.RETURN.label, "proposals.Assignment"),
    "assignment_reassign": Page(A.REASSIGN.label, "proposals.Assignment"),
    "assignment_extension": Page(A.EXTENSION_REQUEST.label, "proposals.Assignment"),
    "assignment_urge": Page(A.URGE.label, "proposals.Assignment"),
    "extension_approve": Page(A.EXTENSION_APPROVE.label, "proposals.ExtensionRequest"),
    "extension_refuse": Page(A.EXTENSION_REFUSE.label, "proposals.ExtensionRequest"),
}


def register() -> None:
    for label, describer in (
        ("proposals.Proposal", describe_proposals),
        ("proposals.Assignment", describe_assignments),
        ("proposals.Attachment", describe_attachments),
        ("proposals.ExtensionRequest", describe_extensions),
        ("proposals.Meeting", describe_meetings),
        ("proposals.Agency", describe_agencies),
        ("proposals.Member", describe_members),
    ):
        register_describer(label, describer)
    register_labels("action", action_label)
    register_labels("state", state_label)
    register_labels("role", lambda code: choice_label(Role, code) if code else "")
    register_people(describe_people, find_people)
    register_phrases({str(k): v for k, v in PHRASES.items()})
    register_pages("proposals", PAGES)
