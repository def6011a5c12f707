"""The rules of a reply letter's fields and which reply classes a committee uses: their one home.

The reply form shows these problems beside its fields, the draft services refuse a save with them,
``reply_submit`` and ``reply_issue`` refuse with the first one, and the assignment page lists
what still stops the issue before the leader tries. Consultation records, their PDF and the
statistics ask ``enabled_reply_classes()`` which classes exist. Nothing else reads the classes or
repeats a field rule.

Which classes are followed up (跟踪办理) is ``follows_up()``; the class a reply is in now, after the
agency's follow-up reports, is ``effective_class()`` / ``effective_classes()``.

The rules are the proposal's committee's (``proposals.Committee``): its classes
(``CommitteeReplyClass`` rows, else ``default_classes()``), whether a class, 负责人, 承办人, 联系电话 or
发文字号 is needed to issue, and whether the member's signed record must come first.

Each stage needs everything the stage before it needs: a draft needs a title and an addressee, a
letter to issue also needs its body and what its committee requires. The format rules (class
enabled, phone, date not before the assignment, a reason when not public, the model's lengths and
``TEXT_LIMITS``) hold at every stage.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from documents.formats import document_date
from proposals.models import Committee, CommitteeReplyClass, Proposal, default_committee_id
from proposals.validators import validate_phone

from .models import CLASS_DEFINITIONS, FollowUp, FollowUpStatus, Reply, ReplyClass, ReplyStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from proposals.models import Assignment

# --- Messages users see ---------------------------------------------------------------------
TITLE_REQUIRED = _("请填写标题。")
ADDRESSEE_REQUIRED = _("请填写主送。")
# %(classes)s: the enabled classes, e.g. "A 类、B 类或 C 类".
CLASS_REQUIRED = _("请选择答复类别（%(classes)s）后再签发。")
# %(label)s: the class, e.g. "D 类".
CLASS_NOT_ENABLED = _("未启用 %(label)s答复。")
LEADER_REQUIRED = _("请填写负责人后再签发。")
DOC_NUMBER_REQUIRED = _("请填写发文字号后再签发。")
BODY_REQUIRED = _("请填写正文后再签发。")
HANDLER_REQUIRED = _("请填写承办人后再签发。")
PHONE_REQUIRED = _("请填写联系电话后再签发。")
DATE_BEFORE_ASSIGNMENT = _("成文日期不能早于交办日期（%(date)s）。")
NOT_PUBLIC_REASON_REQUIRED = _("选择不公开时，请填写不公开的理由。")
SUBMITTER_CANNOT_ISSUE = _("提交签发的人不能签发同一份答复，请由本单位另一位负责人签发，或退回修改。")


class Stage(enum.IntEnum):
    """How far a reply goes; a later stage needs everything an earlier one needs."""

    DRAFT = 1  # saved (created or edited)
    SUBMIT = 2  # sent to the leader for sign-off
    ISSUE = 3  # signed off and frozen


# The field each stage starts to require, with the message that asks for it.
REQUIRED: dict[str, tuple[Stage, StrOrPromise]] = {
    "title": (Stage.DRAFT, TITLE_REQUIRED),
    "addressee": (Stage.DRAFT, ADDRESSEE_REQUIRED),
    "reply_class": (Stage.ISSUE, CLASS_REQUIRED),
    "leader_name": (Stage.ISSUE, LEADER_REQUIRED),
    "body": (Stage.ISSUE, BODY_REQUIRED),
    "handler_name": (Stage.ISSUE, HANDLER_REQUIRED),
    "phone": (Stage.ISSUE, PHONE_REQUIRED),
    "doc_number": (Stage.ISSUE, DOC_NUMBER_REQUIRED),
}

# The fields a committee may do without on its letters: each with the committee's switch.
COMMITTEE_SWITCHES = {
    "reply_class": "reply_class_required",
    "leader_name": "leader_required",
    "handler_name": "handler_required",
    "phone": "phone_required",
    "doc_number": "doc_number_required",
}

# The order in which problems are listed (and the first one refuses a submit or an issue).
CHECKED_FIELDS = (
    "reply_class",
    "title",
    "addressee",
    "leader_name",
    "body",
    "handler_name",
    "phone",
    "not_public_reason",
    "reply_date",
    "closing",
    "doc_number",
    "copy_to",
    "signer_name",
    "report_to",
    "printed_by",
)


# The longest text a letter's fields may hold (issue 18, finding 11: a 400 KB body took 12.5 s to
# render, and published replies are rendered for the public). A real reply body is at most a few
# thousand characters (the seed letter TA0207: under 800, its closing 32), so 20,000 leaves room
# for a long one with every point answered; a closing is a sentence or two; a reason not to
# publish, a paragraph.
# Checked with the model's own lengths, so the message is Django's, at every stage.
TEXT_LIMITS: dict[str, int] = {"body": 20_000, "closing": 500, "not_public_reason": 2_000}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a reply: the field it is about and what to tell the user."""

    field: str
    message: str


# --- Classes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassOption:
    """One reply class a committee uses: its code (A, B1), label (A 类) and definition."""

    value: str
    label: str
    definition: str

    def __str__(self) -> str:
        return self.label


def default_classes() -> list[ClassOption]:
    """A committee that lists no classes of its own: A, B, C, and D when REPLY_CLASS_D_ENABLED is on."""
    codes = [ReplyClass.A, ReplyClass.B, ReplyClass.C]
    if getattr(settings, "REPLY_CLASS_D_ENABLED", False):
        codes.append(ReplyClass.D)
    return [ClassOption(c.value, str(c.label), str(CLASS_DEFINITIONS[c.value])) for c in codes]


def committee_id_of(subject: Proposal | Committee | int | None) -> int:
    """Whose rules apply: a proposal's committee, a committee, or (None) the installation's first."""
    if isinstance(subject, Committee):
        return subject.pk
    if isinstance(subject, Proposal):
        return subject.committee_id
    return subject if subject is not None else default_committee_id()


def enabled_reply_classes(subject: Proposal | Committee | int | None = None) -> list[ClassOption]:
    """The reply classes of the committee in use, in order (its own rows, else ``default_classes()``)."""
    rows = CommitteeReplyClass.objects.filter(committee_id=committee_id_of(subject)).order_by("order", "code")
    own = [ClassOption(row.code, row.label, row.definition) for row in rows]
    return own or default_classes()


# The default classes (``default_classes()``) a committee without classes of its own follows up:
# B 类, "正在解决或已列入计划逐步解决" — the matter is not solved yet, so the agency reports again.
DEFAULT_FOLLOW_UP_CLASSES = frozenset({ReplyClass.B.value})


def follows_up(subject: Proposal | Committee | int | None, reply_class: str) -> bool:
    """Whether an answer of ``reply_class`` is followed up (跟踪办理) under the committee's rules:
    its own classes marked ``follow_up``, else B of the default classes."""
    if not reply_class:
        return False
    rows = list(
        CommitteeReplyClass.objects.filter(committee_id=committee_id_of(subject)).values_list("code", "follow_up")
    )
    if rows:
        return any(code == reply_class and marked for code, marked in rows)
    return reply_class in DEFAULT_FOLLOW_UP_CLASSES and reply_class in class_codes(default_classes())


def effective_classes(
    replies: Mapping[int, str], *, follow_ups: models.QuerySet[FollowUp] | None = None
) -> dict[int, str]:
    """The class each issued reply is in now: ``replies`` maps reply ids to their letters' classes;
    a filed follow-up report (the latest round's) takes the letter's place. Statistics and pages
    read a reply's class through this (or ``effective_class``), never the letter's field alone.

    ``follow_ups``: where to look (a meeting's, for its statistics), instead of an IN over the ids."""
    current = dict(replies)
    scope = follow_ups if follow_ups is not None else FollowUp.objects.filter(reply_id__in=list(replies))
    filed = (
        scope.filter(status=FollowUpStatus.FILED)
        .exclude(class_after="")
        .order_by("reply_id", "round")
        .values_list("reply_id", "class_after")
    )
    for reply_id, reply_class in filed:  # rounds ascending: the latest wins
        if reply_id in current:
            current[reply_id] = reply_class
    return current


def effective_class(assignment: Assignment) -> str:
    """The class of the assignment's reply in force (its issued reply of the highest round) as it
    is now, after any follow-up report; '' when nothing is issued."""
    reply = (
        Reply.objects.filter(assignment=assignment, status=ReplyStatus.ISSUED)
        .order_by("-round")
        .values_list("pk", "reply_class")
        .first()
    )
    if reply is None:
        return ""
    return effective_classes({reply[0]: reply[1]})[reply[0]]


def class_codes(classes: list[ClassOption]) -> list[str]:
    return [c.value for c in classes]


def class_label(reply: Reply) -> str:
    """How a reply's class is named (its committee's label; the code of a class since removed)."""
    if not reply.reply_class:
        return ""
    for option in enabled_reply_classes(reply.assignment.proposal):
        if option.value == reply.reply_class:
            return option.label
    return reply.reply_class


def class_list(classes: list[ClassOption]) -> str:
    """The classes as a phrase: "A 类、B 类或 C 类"."""
    labels = [str(c.label) for c in classes]
    if len(labels) < 2:
        return "".join(labels)
    # Translators: the separator between the first reply classes of a list ("A 类、B 类或 C 类").
    separator = gettext("、")
    return gettext("%(items)s或 %(last)s") % {"items": separator.join(labels[:-1]), "last": labels[-1]}


# --- Separation of duties -----------------------------------------------------------------


def record_required_before_issue(proposal: Proposal) -> bool:
    """Whether the member's signed consultation record must come before the issue: the committee's
    rule, or (left open there) the installation's REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE."""
    own = proposal.committee.record_required_before_issue
    if own is not None:
        return own
    return bool(getattr(settings, "REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE", True))


def separate_submit_and_issue(proposal: Proposal | None = None) -> bool:
    """Whether the one who submits a reply for sign-off is kept from issuing it (on by default).

    The only reader of ``REPLY_SEPARATE_SUBMIT_AND_ISSUE``; ``proposal`` names whose rule applies
    (one setting today; a committee's own rule will be read from the proposal's committee here).
    """
    return bool(getattr(settings, "REPLY_SEPARATE_SUBMIT_AND_ISSUE", True))


def submitter_may_not_issue(reply: Reply, user: Any) -> bool:
    """``user`` submitted ``reply`` and the rule keeps them from issuing it (a reply submitted before
    submitters were recorded names none, and is not held back)."""
    return (
        reply.submitted_by_id is not None
        and reply.submitted_by_id == getattr(user, "pk", None)
        and separate_submit_and_issue(reply.assignment.proposal)
    )


# --- Fields ---------------------------------------------------------------------------------


def required_fields(stage: Stage, committee: Committee | None = None) -> list[str]:
    """The fields that must not be blank to reach ``stage`` under ``committee``'s rules."""
    return [
        name
        for name, (needed_from, _message) in REQUIRED.items()
        if needed_from <= stage and _committee_requires(committee, name)
    ]


def _committee_requires(committee: Committee | None, name: str) -> bool:
    switch = COMMITTEE_SWITCHES.get(name)
    if switch is None:
        return True
    if committee is None:
        return bool(Committee._meta.get_field(switch).default)  # type: ignore[union-attr]  # a concrete field
    return bool(getattr(committee, switch))


def field_problems(values: Mapping[str, Any], *, assignment: Assignment, stage: Stage) -> list[Problem]:
    """Everything that stops a reply with these field values from reaching ``stage``.

    ``values`` holds the fields by name as Python values (the form's cleaned data or a row's
    attributes); a field missing from it is not checked.
    """
    committee = assignment.proposal.committee
    classes = enabled_reply_classes(committee)
    problems: list[Problem] = []
    for name in CHECKED_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if _is_blank(value):
            needed_from, message = REQUIRED.get(name, (None, ""))
            if needed_from is not None and needed_from <= stage and _committee_requires(committee, name):
                # A message may name the enabled classes (CLASS_REQUIRED); the others ignore it.
                problems.append(Problem(name, str(message) % {"classes": class_list(classes)}))
            elif name == "not_public_reason" and not values.get("is_public", True):
                problems.append(Problem(name, str(NOT_PUBLIC_REASON_REQUIRED)))
            continue
        problems.extend(Problem(name, message) for message in _format_problems(name, value, assignment, classes))
    return problems


def reply_problems(reply: Reply, *, stage: Stage) -> list[Problem]:
    """``field_problems`` of a reply row, against its own assignment."""
    values = {name: getattr(reply, name) for name in (*CHECKED_FIELDS, "is_public")}
    return field_problems(values, assignment=reply.assignment, stage=stage)


def as_error_dict(problems: list[Problem]) -> dict[str, list[str]]:
    """The problems by field, as ``ValidationError`` and a form's ``add_error`` take them."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field, []).append(problem.message)
    return errors


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _format_problems(name: str, value: Any, assignment: Assignment, classes: list[ClassOption]) -> list[str]:
    messages: list[str] = []
    model_field = Reply._meta.get_field(name)
    try:
        # The lengths the model declares, with the same messages as the form's own checks.
        if isinstance(model_field, models.Field):
            model_field.run_validators(value)
        if name in TEXT_LIMITS:
            MaxLengthValidator(TEXT_LIMITS[name])(value)
    except ValidationError as exc:
        messages.extend(exc.messages)
    if name == "reply_class" and value not in class_codes(classes):
        label = ReplyClass(value).label if value in ReplyClass.values else value
        messages.append(str(CLASS_NOT_ENABLED) % {"label": label})
    elif name == "phone":
        try:
            validate_phone(value)
        except ValidationError as exc:
            messages.extend(exc.messages)
    elif name == "reply_date" and isinstance(value, dt.date):
        assigned_on = timezone.localdate(assignment.assigned_at)
        if value < assigned_on:
            messages.append(str(DATE_BEFORE_ASSIGNMENT) % {"date": document_date(assigned_on)})
    return messages
