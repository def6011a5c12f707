"""Similar proposals: the upkeep of the similarity index, and staff's "不相似" decision.

The index (``SimilarityVector``, ``SimilarityTerm``, ``SimilarityDocFreq``) is derived data, not
workflow: no timeline event, no state. It is written when a proposal reaches the committee
(``proposal_create`` by staff, ``proposal_submit``: after the commit), when a query finds its own
text changed or its committee's proposals not all indexed (``proposals.similarity``), and by
``manage.py similarity_index`` after bulk writes. Each committee's index is written under its
committee row lock, so two filings never count the same document frequency at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from ..errors import DomainError
from ..models import (
    Committee,
    Proposal,
    ProposalAction,
    ProposalStatus,
    SimilarityDismissal,
    SimilarityDocFreq,
    SimilarityTerm,
    SimilarityVector,
    User,
)
from ..roles import NOT_ALLOWED, is_staff_of
from ..similarity import STORED_TERMS, committee_df, gram_counts, heaviest, proposal_grams, text_key, unit_vector
from ..timeline import timeline_record
from .common import require

SAME_PROPOSAL = _("不能把提案与其自身标记为不相似。")
ALREADY_DISMISSED = _("这两件提案已标记为不相似。")
DRAFT_NOT_COMPARED = _("草稿不参与相似提案比对。")

BATCH = 1000


def _lock_committee(committee_id: int) -> None:
    # The committee row is the lock of its document frequencies (SQLite serialises writers anyway).
    list(Committee.objects.select_for_update().filter(pk=committee_id).values_list("pk", flat=True))


def _bump(committee_id: int, terms: set[str], delta: int) -> None:
    if not terms:
        return
    if delta > 0:
        SimilarityDocFreq.objects.bulk_create(
            [SimilarityDocFreq(committee_id=committee_id, term=t, df=0) for t in sorted(terms)],
            ignore_conflicts=True,
            batch_size=500,
        )
    SimilarityDocFreq.objects.filter(committee_id=committee_id, term__in=sorted(terms)).update(df=F("df") + delta)


def _postings(proposal: Proposal, counts: Counter[str], df: dict[str, int], n: int) -> list[SimilarityTerm]:
    vector = unit_vector(counts, df, n)
    return [
        SimilarityTerm(
            proposal_id=proposal.pk,
            committee_id=proposal.committee_id,
            meeting_order=proposal.meeting_order,
            term=term,
            weight=weight,
        )
        for term, weight in heaviest(vector, STORED_TERMS)
    ]


def _unindex(committee_id: int, vector: SimilarityVector) -> None:
    _bump(committee_id, set(vector.grams.split()), -1)
    SimilarityTerm.objects.filter(proposal_id=vector.proposal_id).delete()
    vector.delete()


@transaction.atomic
def similarity_index(*, proposal: Proposal) -> None:
    """(Re)index one proposal from its saved text; a draft is taken out of the index."""
    committee_id = Proposal.objects.filter(pk=proposal.pk).values_list("committee_id", flat=True).first()
    if committee_id is None:
        return
    _lock_committee(committee_id)
    proposal = Proposal.objects.only("id", "committee_id", "meeting_order", "status", "title", "main_content").get(
        pk=proposal.pk
    )
    old = SimilarityVector.objects.filter(proposal_id=proposal.pk).first()
    if old is not None and old.committee_id != committee_id:
        _unindex(old.committee_id, old)
        old = None
    if proposal.status == ProposalStatus.DRAFT:
        if old is not None:
            _unindex(committee_id, old)
        return
    key = text_key(proposal)
    if old is not None and old.text_key == key:
        return
    counts = proposal_grams(proposal)
    old_terms = set(old.grams.split()) if old is not None else set()
    new_terms = set(counts)
    _bump(committee_id, old_terms - new_terms, -1)
    _bump(committee_id, new_terms - old_terms, +1)
    SimilarityVector.objects.update_or_create(
        proposal_id=proposal.pk,
        defaults={"committee_id": committee_id, "text_key": key, "grams": " ".join(sorted(new_terms))},
    )
    n = SimilarityVector.objects.filter(committee_id=committee_id).count()
    SimilarityTerm.objects.filter(proposal_id=proposal.pk).delete()
    SimilarityTerm.objects.bulk_create(_postings(proposal, counts, committee_df(committee_id, new_terms), n))


def similarity_index_on_commit(*, proposal: Proposal) -> None:
    """Index the proposal once the filing transaction has committed (a failure there never undoes
    a filing; a query indexes what was missed)."""
    pk = proposal.pk
    transaction.on_commit(lambda: similarity_index(proposal=Proposal(pk=pk)))


def _unindexed(committee_id: int) -> QuerySet[Proposal]:
    indexed = SimilarityVector.objects.filter(committee_id=committee_id).values("proposal_id")
    return (
        Proposal.objects.filter(committee_id=committee_id)
        .exclude(status=ProposalStatus.DRAFT)
        .exclude(pk__in=indexed)
        .order_by("pk")
    )


def similarity_heal_committee(*, committee_id: int, limit: int) -> int:
    """Index up to ``limit`` of the committee's proposals that are missing from the index (saved
    around the services); two counts when nothing is missing. Returns how many were indexed."""
    proposals = Proposal.objects.filter(committee_id=committee_id).exclude(status=ProposalStatus.DRAFT).count()
    if SimilarityVector.objects.filter(committee_id=committee_id).count() >= proposals:
        return 0
    missing = list(_unindexed(committee_id).values_list("pk", flat=True)[:limit])
    for pk in missing:
        similarity_index(proposal=Proposal(pk=pk))
    return len(missing)


def _texts(committee_id: int) -> Iterator[Proposal]:
    rows = (
        Proposal.objects.filter(committee_id=committee_id)
        .exclude(status=ProposalStatus.DRAFT)
        .only("id", "committee_id", "meeting_order", "title", "main_content")
        .order_by("pk")
    )
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


@transaction.atomic
def similarity_rebuild(*, committee_id: int) -> int:
    """Re-make one committee's index from its proposals (after bulk writes); returns their count.

    Two passes over the texts, so memory holds the document frequencies, not every vector.
    """
    _lock_committee(committee_id)
    df: Counter[str] = Counter()
    n = 0
    for proposal in _texts(committee_id):
        df.update(set(gram_counts(proposal.title, proposal.main_content)))
        n += 1
    SimilarityTerm.objects.filter(committee_id=committee_id).delete()
    SimilarityVector.objects.filter(committee_id=committee_id).delete()
    SimilarityDocFreq.objects.filter(committee_id=committee_id).delete()
    SimilarityDocFreq.objects.bulk_create(
        [SimilarityDocFreq(committee_id=committee_id, term=t, df=c) for t, c in sorted(df.items())], batch_size=2000
    )
    vectors: list[SimilarityVector] = []
    postings: list[SimilarityTerm] = []
    for proposal in _texts(committee_id):
        counts = proposal_grams(proposal)
        vectors.append(
            SimilarityVector(
                proposal_id=proposal.pk,
                committee_id=committee_id,
                text_key=text_key(proposal),
                grams=" ".join(sorted(counts)),
            )
        )
        postings.extend(_postings(proposal, counts, df, n))
        if len(vectors) >= BATCH:
            SimilarityVector.objects.bulk_create(vectors, batch_size=500)
            SimilarityTerm.objects.bulk_create(postings, batch_size=2000)
            vectors, postings = [], []
    SimilarityVector.objects.bulk_create(vectors, batch_size=500)
    SimilarityTerm.objects.bulk_create(postings, batch_size=2000)
    return n


def _named(proposal: Proposal):
    if proposal.number:
        return _("与%(number)s提案标记为不相似") % {"number": proposal.display_number}
    # The other proposal's title stays out: an agency reading this timeline may not see that one.
    return _("与未编号的提案（ID %(id)s）标记为不相似") % {"id": proposal.pk}


@transaction.atomic
def similarity_dismiss(*, proposal: Proposal, other: Proposal, actor: User) -> SimilarityDismissal:
    """Staff mark two proposals of their committee "不相似": the pair is not offered again."""
    require(proposal.pk != other.pk, SAME_PROPOSAL)
    low, high = sorted([proposal.pk, other.pk])
    locked = {p.pk: p for p in Proposal.objects.select_for_update().filter(pk__in=[low, high]).order_by("pk")}
    if len(locked) != 2:
        raise DomainError(NOT_ALLOWED)
    first, second = locked[low], locked[high]
    require(first.committee_id == second.committee_id)
    require(is_staff_of(actor, first.committee_id))
    require(ProposalStatus.DRAFT not in (first.status, second.status), DRAFT_NOT_COMPARED)
    require(not SimilarityDismissal.objects.filter(proposal_id=low, other_id=high).exists(), ALREADY_DISMISSED)
    dismissal = SimilarityDismissal.objects.create(proposal=first, other=second, by=actor)
    for this, that in ((first, second), (second, first)):
        timeline_record(proposal=this, actor=actor, action=ProposalAction.SIMILARITY_DISMISS, note=_named(that))
    return dismissal
