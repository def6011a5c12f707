"""The 满意度 column of the proposal export (``proposals.exports``).

For each answering assignment of a row, the ratings in force: those of its highest round that has
any (a 不满意 followed by re-handling is replaced by the new round's ratings), as the statistics
count them. Only ratings the exporting user may see (a member: their own).
"""

from __future__ import annotations

from collections import defaultdict

from proposals import roles
from proposals.exports import ExportRow, answering_assignments, per_assignment
from proposals.models import User, choice_label

from .models import Rating, Satisfaction
from .selectors import ratings_visible_to

ORDER = {value: i for i, value in enumerate(Satisfaction.values)}


def satisfaction_column(user: User, proposals: list[ExportRow]) -> dict[int, dict[str, str]]:
    """满意度 of each row, in one query for the batch."""
    answering = {a.pk: a for p in proposals for a in answering_assignments(p)}
    by_round: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    # A member sees their own ratings of their proposals' assignments, which these rows are;
    # ``ratings_visible_to`` would read the member's proposal ids once more.
    if roles.is_member(user) and user.member_id is not None:  # is_member checks it; this narrows
        visible = Rating.objects.filter(member_id=user.member_id)
    else:
        visible = ratings_visible_to(user)
    rows = visible.filter(assignment_id__in=list(answering)).order_by().values_list("assignment_id", "round", "value")
    for assignment_id, round_, value in rows:
        by_round[assignment_id][round_].add(value)
    labels: dict[int, str] = {}
    for assignment_id, rounds in by_round.items():
        values = sorted(rounds[max(rounds)], key=lambda v: ORDER.get(v, len(ORDER)))
        labels[assignment_id] = "、".join(str(choice_label(Satisfaction, v)) for v in values)
    out: dict[int, dict[str, str]] = {}
    for proposal in proposals:
        mine = answering_assignments(proposal)
        if any(a.pk in labels for a in mine):
            out[proposal.pk] = {"satisfaction": per_assignment([(a, labels.get(a.pk, "")) for a in mine])}
    return out
