"""Statistics of one meeting, computed straight from the registry, reply and consultation rows.

Every figure is a ratio ``numerator ÷ denominator`` whose parts are shown next to it, so a reader
can recount it. A denominator of 0 has no ratio: it is shown as "—" (no data), never as 0.0 %,
which would read as "none of them" (issue 20); ``value`` is still 0 for arithmetic and bars.

Units and terms (the same words are printed on the statistics page, see ``FORMULAS``):

- *submitted* (提交审查): proposals of the meeting that are no longer drafts (any status but 草稿).
- *registered* (立案): proposals in 已立案, 办理中, 已答复 or 已办结 — registered and beyond.
- *replied proposal* (已办复): proposals in 已答复 or 已办结.
- *answering assignment* (应答复交办): an assignment as 主办 or 分办 that was not returned. 会办
  assignments send a view to the lead and never answer the member, so they are not counted here.
- *issued reply*: a reply in 已签发. An assignment's *first reply time* is the earliest ``issued_at``
  among its issued replies; its *reply in force* is the issued reply of the highest round.
- *on time*: an answering assignment whose first reply time, as a local date, is on or before its
  deadline in force (``due_date``, which includes approved extensions).
- *late without reply*: an answering assignment with no issued reply whose deadline has passed.
- *overdue*: an answering assignment still open (待签收, 办理中 or 重新办理) whose deadline has passed.
- *urged* (催办): the times staff urged one of the agency's assignments (any role, any state now),
  counted from the timeline.
- *rating in force*: for each assignment, the ratings of the highest round that has any rating
  (a 不满意 followed by re-handling is replaced by the rating of the new round).
- *two scores* (a committee rating 办理态度 and 办理结果, ``consultations.ratings``): each score and
  the 沟通方式 are counted over the ratings in force that carry them; the overall score (``value``,
  the result's) is what 满意率 counts, as for a committee rating on one score.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, ConsultationStatus, ContactMethod, Rating, Satisfaction
from consultations.ratings import uses_two_scores
from proposals import deadlines
from proposals.models import (
    ANSWERING_ROLES,
    Agency,
    Assignment,
    AssignmentStatus,
    Meeting,
    Proposal,
    ProposalAction,
    ProposalStatus,
    TimelineEvent,
)
from replies import rules as reply_rules
from replies.models import FollowUp, FollowUpStatus, Reply, ReplyStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

SUBMITTED_STATES = frozenset(s for s in ProposalStatus.values if s != ProposalStatus.DRAFT)
REGISTERED_STATES = frozenset(
    {ProposalStatus.REGISTERED, ProposalStatus.ASSIGNED, ProposalStatus.REPLIED, ProposalStatus.CLOSED}
)
REPLIED_STATES = frozenset({ProposalStatus.REPLIED, ProposalStatus.CLOSED})
HELD_STATES = frozenset({ConsultationStatus.HELD, ConsultationStatus.SIGNED})

# The definitions shown on the page and in the Excel export, in the words of the module docstring.
FORMULAS = {
    "registration_rate": _(
        "立案率 = 立案数 ÷ 提交审查数。提交审查数：本次会议除草稿外的全部提案；"
        "立案数：状态为已立案、办理中、已答复、已办结的提案。"
    ),
    "reply_rate": _("办复率 = 已办复提案数 ÷ 立案数。已办复：状态为已答复或已办结的提案。"),
    "merge": _(
        "并案：并案组数为有提案并入的主提案数；并入提案数为并入主提案的提案数（不含主提案）。"
        "办理件数 = 立案数 − 已立案的并入提案数，一组并案按一件办理；并入的提案随主提案答复，按已办复计入办复率。"
    ),
    "on_time_rate": _(
        "按时办复率 = 按时答复的交办数 ÷（已答复的交办数 + 超过时限仍未答复的交办数）。只计主办、分办且未退回的交办；"
        "按时：首次签发答复的日期不晚于办理时限（含批准的延期）。"
    ),
    "class_shares": _(
        "答复类别占比 = 某类答复数 ÷ 已答复的交办数。每个已答复的交办只计一次，按其最新一轮已签发答复的类别。"
    ),
    "satisfaction_rate": _("满意率 =（满意 + 基本满意）÷ 已测评数。每个交办只计最新一轮的测评。"),
    "satisfied_rate": _("满意占比 = 满意 ÷ 已测评数。"),
    "two_scores": _(
        "按办理态度和办理结果两项测评时：办理态度满意率 =（态度满意 + 态度基本满意）÷ 测评了办理态度的人次，"
        "办理结果满意率同理；沟通方式按委员的选择计人次。满意率按总体测评结果计算，总体测评结果即办理结果。"
        "每个交办只计最新一轮的测评。"
    ),
    "follow_up": _(
        "跟踪办理：答复类别为委员会列为跟踪办理的类别（默认 B 类）的，承办单位在时限内再次报告办理情况。"
        "跟踪办理件数：有跟踪办理的应答复交办数；待报告、已超期：尚未报告的跟踪办理（已超期为已过报告时限的）；"
        "已报告：已提交的报告份数；类别调整：按交办计，由答复函的类别到最新报告的类别。"
        "答复类别占比按最新报告的类别计。"
    ),
    "scorecard": _(
        "交办数：交给该单位的全部交办（含会办和已退回的）；退回：其中已退回的；应答复：主办、分办且未退回的；"
        "已答复：应答复中有已签发答复的；按时：首次签发不晚于办理时限的；超期：仍在办理中且已过时限的；"
        "答复前面商：已答复且在首次签发前已面商（已面商或已签字）的；催办：提案委员会对该单位交办的催办次数。"
    ),
}


# What a ratio with a denominator of 0 shows: there is nothing to count, so no figure.
NO_DATA = "—"


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def has_data(self) -> bool:
        """Whether there is anything to divide by (0/0 is "no data", not 0 %)."""
        return self.denominator > 0

    @property
    def value(self) -> float:
        """The ratio as a fraction between 0 and 1; 0 when there is nothing to divide by."""
        return self.numerator / self.denominator if self.denominator else 0.0

    @property
    def percent(self) -> float:
        return round(self.value * 100, 1)

    def __str__(self) -> str:
        return f"{self.percent:.1f}%" if self.has_data else NO_DATA


@dataclass
class Tally:
    """The counts behind the assignment-level figures, for the whole meeting or one agency."""

    assigned: int = 0
    returned: int = 0
    answering: int = 0
    replied: int = 0
    on_time: int = 0
    late_unreplied: int = 0
    overdue: int = 0
    consulted_before_reply: int = 0
    urged: int = 0
    classes: Counter = field(default_factory=Counter)
    ratings: Counter = field(default_factory=Counter)
    # Two-score ratings (``consultations.ratings``): each score's and the contact methods' counts.
    attitudes: Counter = field(default_factory=Counter)
    results: Counter = field(default_factory=Counter)
    contacts: Counter = field(default_factory=Counter)
    # The meeting's committee's classes, in order (``replies.rules.enabled_reply_classes``).
    class_codes: list[str] = field(default_factory=list)

    @property
    def on_time_rate(self) -> Ratio:
        """按时答复 ÷ (已答复 + 超过时限仍未答复)."""
        return Ratio(self.on_time, self.replied + self.late_unreplied)

    @property
    def reply_rate(self) -> Ratio:
        """Agency level: 已答复 ÷ 应答复."""
        return Ratio(self.replied, self.answering)

    @property
    def rated(self) -> int:
        return sum(self.ratings.values())

    @property
    def satisfaction_rate(self) -> Ratio:
        """(满意 + 基本满意) ÷ 已测评."""
        return Ratio(self.ratings[Satisfaction.SATISFIED] + self.ratings[Satisfaction.BASIC], self.rated)

    @property
    def satisfied_rate(self) -> Ratio:
        """满意 ÷ 已测评."""
        return Ratio(self.ratings[Satisfaction.SATISFIED], self.rated)

    def add_ratings(self, rows: list[dict]) -> None:
        """Count the ratings in force of one assignment (rows with value, attitude, result, contact)."""
        self.ratings.update(r["value"] for r in rows)
        self.attitudes.update(r["attitude"] for r in rows if r["attitude"])
        self.results.update(r["result"] for r in rows if r["result"])
        self.contacts.update(r["contact_method"] for r in rows if r["contact_method"])

    @property
    def attitude_rate(self) -> Ratio:
        """(态度满意 + 态度基本满意) ÷ ratings with an attitude score."""
        good = self.attitudes[Satisfaction.SATISFIED] + self.attitudes[Satisfaction.BASIC]
        return Ratio(good, sum(self.attitudes.values()))

    @property
    def result_rate(self) -> Ratio:
        """(结果满意 + 结果基本满意) ÷ ratings with a result score."""
        good = self.results[Satisfaction.SATISFIED] + self.results[Satisfaction.BASIC]
        return Ratio(good, sum(self.results.values()))

    def score_rows(self) -> list[tuple[str, StrOrPromise, int, int]]:
        """Each score (满意 / 基本满意 / 不满意): (code, label, attitude count, result count)."""
        return [(value, label, self.attitudes[value], self.results[value]) for value, label in Satisfaction.choices]

    def contact_rows(self) -> list[tuple[str, StrOrPromise, Ratio]]:
        """Each contact method: (code, label, its count ÷ ratings that name one)."""
        named = sum(self.contacts.values())
        return [(value, label, Ratio(self.contacts[value], named)) for value, label in ContactMethod.choices]

    def class_share(self, reply_class: str) -> Ratio:
        """某类 ÷ 已答复 (by the reply in force of each replied answering assignment)."""
        return Ratio(self.classes[reply_class], self.replied)

    def class_shares(self) -> list[tuple[str, Ratio]]:
        return [(code, self.class_share(code)) for code in self.class_codes]


@dataclass
class AgencyRow:
    agency: Agency
    tally: Tally


@dataclass(frozen=True)
class MergeFigures:
    """并案 of one meeting: the groups (leads with a merged proposal), the proposals merged into a
    lead, and of those the registered ones (the handling units count a group once)."""

    groups: int = 0
    merged: int = 0
    merged_registered: int = 0

    @classmethod
    def of(cls, rows: Sequence[tuple[str, int | None]]) -> MergeFigures:
        """From the meeting's (status, merged_into_id) rows."""
        leads = {lead for _status, lead in rows if lead is not None}
        merged = [status for status, lead in rows if lead is not None]
        return cls(
            groups=len(leads),
            merged=len(merged),
            merged_registered=sum(status in REGISTERED_STATES for status in merged),
        )


@dataclass
class MeetingStats:
    meeting: Meeting
    today: dt.date
    status_counts: dict[str, int]
    submitted: int
    registered: int
    not_registered: int
    replied_proposals: int
    totals: Tally
    agencies: list[AgencyRow]
    merges: MergeFigures = field(default_factory=lambda: MergeFigures())

    @property
    def handling_units(self) -> int:
        """办理件数: the registered proposals less those merged into another (a 并案 group is one)."""
        return self.registered - self.merges.merged_registered

    @property
    def two_scores(self) -> bool:
        """Whether the meeting's committee rates on two scores: the pages then show them."""
        return uses_two_scores(self.meeting.committee)

    @property
    def registration_rate(self) -> Ratio:
        """立案数 ÷ 提交审查数."""
        return Ratio(self.registered, self.submitted)

    @property
    def reply_rate(self) -> Ratio:
        """办复率 = 已办复提案数 ÷ 立案数."""
        return Ratio(self.replied_proposals, self.registered)

    @property
    def status_rows(self) -> list[tuple[str, StrOrPromise, int]]:
        """Every status but 草稿 (drafts are their authors' own and not part of the meeting's figures)."""
        return [
            (value, label, self.status_counts.get(value, 0))
            for value, label in ProposalStatus.choices
            if value != ProposalStatus.DRAFT
        ]


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def meeting_stats(meeting: Meeting, *, today: dt.date | None = None) -> MeetingStats:
    """All figures of one meeting in a fixed number of queries, whatever its size."""
    today = today or timezone.localdate()

    proposal_rows = list(Proposal.objects.filter(meeting=meeting).values_list("status", "merged_into_id"))
    status_counts = Counter(status for status, _lead in proposal_rows)
    merges = MergeFigures.of(proposal_rows)
    submitted = sum(n for s, n in status_counts.items() if s in SUBMITTED_STATES)
    registered = sum(n for s, n in status_counts.items() if s in REGISTERED_STATES)
    replied_proposals = sum(n for s, n in status_counts.items() if s in REPLIED_STATES)

    # The urges ride on the assignments' query: a subquery per row, no query of its own.
    urges = (
        TimelineEvent.objects.filter(assignment=OuterRef("pk"), action=ProposalAction.URGE)
        .order_by()
        .values("assignment")
        .annotate(n=Count("id"))
        .values("n")
    )
    assignments = list(
        Assignment.objects.filter(proposal__meeting=meeting)
        .annotate(urged=Coalesce(Subquery(urges, output_field=IntegerField()), 0))
        .values("id", "agency_id", "role", "status", "due_date", "urged")
    )
    first_reply: dict[int, dt.datetime] = {}
    class_in_force: dict[int, tuple[int, str]] = {}
    in_force_ids: dict[int, int] = {}
    for reply in Reply.objects.filter(
        assignment__proposal__meeting=meeting, status=ReplyStatus.ISSUED, issued_at__isnull=False
    ).values("id", "assignment_id", "round", "issued_at", "reply_class"):
        aid = reply["assignment_id"]
        issued_at = reply["issued_at"]
        if issued_at is None:  # excluded by the filter; the column is nullable
            continue
        if aid not in first_reply or issued_at < first_reply[aid]:
            first_reply[aid] = issued_at
        if aid not in class_in_force or reply["round"] > class_in_force[aid][0]:
            class_in_force[aid] = (reply["round"], reply["reply_class"])
            in_force_ids[aid] = reply["id"]
    # 跟踪办理: the class a follow-up report gives replaces the letter's (one rule, in replies.rules).
    now_in = reply_rules.effective_classes(
        {in_force_ids[aid]: c for aid, (_r, c) in class_in_force.items()},
        follow_ups=FollowUp.objects.filter(assignment__proposal__meeting=meeting),
    )
    class_in_force = {aid: (r, now_in[in_force_ids[aid]]) for aid, (r, _c) in class_in_force.items()}

    first_held: dict[int, dt.datetime] = {}
    for row in Consultation.objects.filter(assignment__proposal__meeting=meeting, status__in=HELD_STATES).values(
        "assignment_id", "held_at"
    ):
        aid = row["assignment_id"]
        if aid not in first_held or row["held_at"] < first_held[aid]:
            first_held[aid] = row["held_at"]

    ratings_by_round: dict[int, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for rating in Rating.objects.filter(assignment__proposal__meeting=meeting).values(
        "assignment_id", "round", "value", "attitude", "result", "contact_method"
    ):
        ratings_by_round[rating["assignment_id"]][rating["round"]].append(dict(rating))

    codes = reply_rules.class_codes(reply_rules.enabled_reply_classes(meeting.committee_id))
    totals = Tally(class_codes=codes)
    per_agency: dict[int, Tally] = defaultdict(lambda: Tally(class_codes=codes))
    for a in assignments:
        aid = a["id"]
        tallies = (totals, per_agency[a["agency_id"]])
        returned = a["status"] == AssignmentStatus.RETURNED
        answering = a["role"] in ANSWERING_ROLES and not returned
        for t in tallies:
            t.assigned += 1
            t.returned += returned
            t.urged += a["urged"]
        if not answering:
            continue
        replied_at = first_reply.get(aid)
        past_due = a["due_date"] < today
        held = first_held.get(aid)
        rounds = ratings_by_round.get(aid)
        for t in tallies:
            t.answering += 1
            if deadlines.is_open(a["status"]) and past_due:
                t.overdue += 1
            if replied_at is None:
                t.late_unreplied += past_due
            else:
                t.replied += 1
                t.on_time += _local_date(replied_at) <= a["due_date"]
                t.classes[class_in_force[aid][1]] += 1
                t.consulted_before_reply += held is not None and held <= replied_at
            if rounds:
                t.add_ratings(rounds[max(rounds)])

    agencies = Agency.objects.filter(pk__in=per_agency.keys()).order_by("name")
    return MeetingStats(
        meeting=meeting,
        today=today,
        status_counts=dict(status_counts),
        submitted=submitted,
        registered=registered,
        not_registered=status_counts.get(ProposalStatus.NOT_REGISTERED, 0),
        replied_proposals=replied_proposals,
        totals=totals,
        agencies=[AgencyRow(agency=agency, tally=per_agency[agency.pk]) for agency in agencies],
        merges=merges,
    )


@dataclass
class FollowUpStats:
    """跟踪办理 of one meeting (``replies.followup``): the answering assignments followed up, the
    reports still owed (and past their deadline), the reports filed, and the class changes."""

    followed_up: int = 0
    open: int = 0
    overdue: int = 0
    filed: int = 0
    # (the letter's class, the class now) → answering assignments, only where they differ
    changes: Counter = field(default_factory=Counter)
    labels: dict[str, str] = field(default_factory=dict)  # the committee's classes by code

    def change_rows(self) -> list[tuple[str, str, int]]:
        """(from, to, count) by class label, most frequent first."""
        labels = self.labels
        return [
            (labels.get(before, before), labels.get(after, after), n)
            for (before, after), n in sorted(self.changes.items(), key=lambda item: (-item[1], item[0]))
        ]


def follow_up_stats(meeting: Meeting, *, today: dt.date | None = None) -> FollowUpStats:
    """The meeting's follow-ups of live answering assignments (superseded ones are not counted: a
    later round's reply answers instead); three queries whatever the meeting's size."""
    today = today or timezone.localdate()
    scope = FollowUp.objects.filter(
        assignment__proposal__meeting=meeting, assignment__in=Assignment.objects.answering()
    ).exclude(status=FollowUpStatus.SUPERSEDED)
    result = FollowUpStats(labels={c.value: c.label for c in reply_rules.enabled_reply_classes(meeting.committee_id)})
    assignments: set[int] = set()
    letters: dict[int, str] = {}  # reply id → the letter's class
    reply_of: dict[int, int] = {}  # assignment id → its followed-up reply (the latest round's)
    rows = scope.order_by("reply__round", "round").values(
        "assignment_id", "reply_id", "status", "due_date", "reply__reply_class"
    )
    for row in rows:
        assignments.add(row["assignment_id"])
        letters[row["reply_id"]] = row["reply__reply_class"]
        reply_of[row["assignment_id"]] = row["reply_id"]
        if row["status"] == FollowUpStatus.OPEN:
            result.open += 1
            result.overdue += row["due_date"] < today
        elif row["status"] == FollowUpStatus.FILED:
            result.filed += 1
    result.followed_up = len(assignments)
    now_in = reply_rules.effective_classes(letters, follow_ups=scope)
    for reply_id in reply_of.values():
        if now_in[reply_id] != letters[reply_id]:
            result.changes[(letters[reply_id], now_in[reply_id])] += 1
    return result
