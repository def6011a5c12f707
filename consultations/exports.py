"""The 满意度 column of the proposal export (``proposals.exports``).

For each answering assignment of a row, the ratings in force: those of its highest round that has
any (a 不满意 followed by re-handling is replaced by the new round's ratings), as the statistics
count them. Only ratings the exporting user may see (a member: their own).

A two-score rating (``consultations.ratings``) adds its scores after the overall one, in the same
cell so the export's columns stay those of every committee:
``基本满意（办理态度：满意，办理结果：基本满意，沟通方式：电话）``; several raters' distinct values are
listed with "、". Ratings given on one score have nothing to add: their cell is as before.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from proposals import roles
from proposals.exports import ExportRow, answering_assignments, per_assignment
from proposals.models import User, choice_label

from .models import ContactMethod, Rating, Satisfaction
from .selectors import ratings_visible_to

ORDER = {value: i for i, value in enumerate(Satisfaction.values)}
CONTACT_ORDER = {value: i for i, value in enumerate(ContactMethod.values)}
SCORES = ("value", "attitude", "result", "contact_method")


def _joined(values: set[str], choices: type[Satisfaction] | type[ContactMethod]) -> str:
    order = CONTACT_ORDER if choices is ContactMethod else ORDER
    ordered = sorted((v for v in values if v), key=lambda v: order.get(v, len(order)))
    return "、".join(str(choice_label(choices, v)) for v in ordered)


def rating_label(scores: dict[str, set[str]]) -> str:
    """The text of one assignment's ratings in force, from each score's distinct values."""
    text = _joined(scores["value"], Satisfaction)
    parts = [
        f"{label}：{joined}"
        for label, joined in (
            (_("办理态度"), _joined(scores["attitude"], Satisfaction)),
            (_("办理结果"), _joined(scores["result"], Satisfaction)),
            (_("沟通方式"), _joined(scores["contact_method"], ContactMethod)),
        )
        if joined
    ]
    return f"{text}（{'，'.join(parts)}）" if parts else text


def satisfaction_column(user: User, proposals: list[ExportRow]) -> dict[int, dict[str, str]]:
    """满意度 of each row, in one query for the batch."""
    answering = {a.pk: a for p in proposals for a in answering_assignments(p)}
    by_round: dict[int, dict[int, dict[str, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: {name: set() for name in SCORES})
    )
    # A member sees their own ratings of their proposals' assignments, which these rows are;
    # ``ratings_visible_to`` would read the member's proposal ids once more.
    if roles.is_member(user) and user.member_id is not None:  # is_member checks it; this narrows
        visible = Rating.objects.filter(member_id=user.member_id)
    else:
        visible = ratings_visible_to(user)
    rows = visible.filter(assignment_id__in=list(answering)).order_by().values_list("assignment_id", "round", *SCORES)
    for assignment_id, round_, *scores in rows:
        for name, score in zip(SCORES, scores, strict=True):
            by_round[assignment_id][round_][name].add(score)
    labels: dict[int, str] = {}
    for assignment_id, rounds in by_round.items():
        labels[assignment_id] = rating_label(rounds[max(rounds)])
    out: dict[int, dict[str, str]] = {}
    for proposal in proposals:
        mine = answering_assignments(proposal)
        if any(a.pk in labels for a in mine):
            out[proposal.pk] = {"satisfaction": per_assignment([(a, labels.get(a.pk, "")) for a in mine])}
    return out
