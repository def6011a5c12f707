"""The committee's rating scheme (满意度测评方式, ``Committee.rating_mode``), read here and nowhere else.

- *single* (一项): the member gives one score, ``Rating.value`` (满意 / 基本满意 / 不满意), as before.
- *two scores* (两项): the member rates 办理态度 (``attitude``) and 办理结果 (``result``), each
  满意 / 基本满意 / 不满意, and says how the agency consulted them (沟通方式, ``contact_method``);
  ``value`` is still stored, derived from the two by ``overall_value``, so everything that reads
  the overall score (re-handling on 不满意, closing, the 满意率, the exports) keeps one meaning.

The service (``services.ratings.rating_submit``), the forms and the statistics ask
``rating_fields`` / ``uses_two_scores``; the rule that a score short of 满意 needs a reason is
``reason_required``.
"""

from __future__ import annotations

from collections.abc import Iterable

from proposals.choices import RatingMode
from proposals.models import Committee

from .models import Satisfaction

# A score short of 满意 says why, so the agency knows what to improve (issue 19); on either score.
NEEDS_REASON = (Satisfaction.BASIC, Satisfaction.UNSATISFIED)

SINGLE_FIELDS = ("value",)
TWO_SCORE_FIELDS = ("attitude", "result", "contact_method")
# The fields a two-score rating adds to a Rating row (``value`` is derived from the first two).
SCORE_FIELDS = TWO_SCORE_FIELDS


def uses_two_scores(committee: Committee) -> bool:
    """Whether the committee rates on two scores (办理态度, 办理结果) plus the contact method."""
    return committee.rating_mode == RatingMode.TWO_SCORES


def rating_fields(committee: Committee) -> tuple[str, ...]:
    """The fields a member fills in when rating for this committee: ``value`` alone, or the two
    scores and the contact method (``value`` then derived by ``overall_value``)."""
    return TWO_SCORE_FIELDS if uses_two_scores(committee) else SINGLE_FIELDS


def overall_value(*, attitude: str, result: str) -> str:
    """The overall score of a two-score rating: the **result** score decides.

    Why the result and not the worse of the two: re-handling (重新办理) is the remedy for a matter
    left unsolved — the rules let a proposer who is not satisfied with the *result* ask for it — so
    a 不满意 on the result sends the proposal back, while a 不满意 on the attitude alone (the matter
    solved, the handling curt) does not make the agency solve a solved matter again. The attitude
    stays on the rating, in the timeline, the statistics and the scorecard, where it is counted on
    its own. ``attitude`` is a parameter so that the rule is visible where it is applied.
    """
    del attitude  # deliberately not part of the overall score (see above)
    return result


def reason_required(scores: Iterable[str]) -> bool:
    """Whether a rating with these scores (the one score, or both) needs a written reason."""
    return any(score in NEEDS_REASON for score in scores)
