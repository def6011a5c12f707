"""Similar proposals (issue 21, item 4): TF-IDF over character bigrams, cosine similarity.

Method. Chinese needs no segmenter for this: every overlapping pair of letters or digits of the
title and the main content is a term (the title's counted twice, as it names the matter). A term's
weight in a proposal is ``(1 + ln tf) · idf`` with ``idf = ln((1 + N) / (1 + df)) + 1``, N and df
counted over the indexed proposals of the proposal's committee, and each proposal's weights are
scaled to a unit vector: the score of a pair is the cosine of their vectors, 0…1. Plain Python
and SQL, no new dependency: scikit-learn's ``TfidfVectorizer`` computes the same weights but
needs the whole matrix in memory per request or a model file to keep in step; here the index is
three small tables that the database keeps like any other row.

Speed. Nothing scans the texts per request. ``proposals.services.similarity`` keeps, per indexed
proposal, its ``STORED_TERMS`` heaviest bigrams (``SimilarityTerm``, the postings) and the
committee's document frequencies (``SimilarityDocFreq``). A query:

1. computes the proposal's own vector fresh (its text, the committee's df);
2. reads the postings of its heaviest bigrams (at most ``QUERY_TERMS``, about ``POSTING_BUDGET``
   rows) within its committee and meetings up to its own (one index range per bigram) and adds
   up the products: the candidates;
3. re-scores the best ``RESCORE`` candidates on every stored term of theirs;
4. drops the dismissed pairs (``SimilarityDismissal``) and returns the best ``limit``.

Scope: the same committee only, the same meeting or an earlier one, never a draft and never the
proposal itself. Proposals saved around the services (factories, imports, bulk writes) are indexed
the first time a query of their committee notices them missing (up to ``HEAL_LIMIT`` a query);
``manage.py similarity_index`` rebuilds everything.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import (
    Proposal,
    ProposalStatus,
    SimilarityDismissal,
    SimilarityDocFreq,
    SimilarityTerm,
    SimilarityVector,
)

STORED_TERMS = 48  # postings kept per proposal: the heaviest bigrams of its vector
QUERY_TERMS = 32  # the query's heaviest bigrams whose postings are read, at most
RESCORE = 40  # candidates re-scored on all their stored terms
# Postings read per query at most (estimated from the bigrams' df; see ``_lookup_terms``).
POSTING_BUDGET = 4000
HEAL_LIMIT = 200  # proposals indexed inside one query at most (the rest by the next, or the command)
TITLE_FACTOR = 2  # a bigram of the title counts as this many occurrences
# A bigram in more than this share of the committee's proposals finds nearly everything and
# weighs little: its postings are not read for candidates (it still counts in the re-score).
COMMON_SHARE = 0.5
MIN_LOOKUP = 8  # …unless fewer than this many bigrams would be left to look up

_SPLIT = re.compile(r"[\W_]+")


def _chunks(text: str) -> list[str]:
    return [c for c in _SPLIT.split((text or "").lower()) if c]


def gram_counts(title: str, content: str) -> Counter[str]:
    """Occurrences of each bigram of letters/digits; the title's count ``TITLE_FACTOR`` times.

    Bigrams of two digits are left out: years, amounts and item numbers say little about a topic.
    """
    counts: Counter[str] = Counter()
    for text, factor in ((title, TITLE_FACTOR), (content, 1)):
        for chunk in _chunks(text):
            for i in range(len(chunk) - 1):
                gram = chunk[i : i + 2]
                if not gram.isdigit():
                    counts[gram] += factor
    return counts


def proposal_grams(proposal: Proposal) -> Counter[str]:
    return gram_counts(proposal.title, proposal.main_content)


def text_key(proposal: Proposal) -> str:
    """Changes when the indexed text or the meeting order changes (then the index is stale)."""
    raw = f"{proposal.meeting_order}\x00{proposal.title}\x00{proposal.main_content}"
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def idf(df: int, n: int) -> float:
    return math.log((1 + n) / (1 + df)) + 1.0


def unit_vector(counts: Mapping[str, int], df: Mapping[str, int], n: int) -> dict[str, float]:
    """TF-IDF weights of ``counts`` scaled to length 1 (a term missing from ``df`` has df 0)."""
    weights = {t: (1.0 + math.log(c)) * idf(df.get(t, 0), n) for t, c in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if norm == 0:
        return {}
    return {t: w / norm for t, w in weights.items()}


def heaviest(vector: Mapping[str, float], k: int) -> list[tuple[str, float]]:
    # Ties broken by the term, so the same text always stores the same postings.
    return sorted(vector.items(), key=lambda item: (-item[1], item[0]))[:k]


def committee_df(committee_id: int, terms: Iterable[str]) -> dict[str, int]:
    return dict(
        SimilarityDocFreq.objects.filter(committee_id=committee_id, term__in=list(terms)).values_list("term", "df")
    )


def committee_size(committee_id: int) -> int:
    return SimilarityVector.objects.filter(committee_id=committee_id).count()


def dismissed_ids(proposal_id: int) -> set[int]:
    """The proposals staff marked "不相似" with this one."""
    pairs = SimilarityDismissal.objects.filter(Q(proposal_id=proposal_id) | Q(other_id=proposal_id))
    return {pk for pair in pairs.values_list("proposal_id", "other_id") for pk in pair} - {proposal_id}


def _ensure_indexed(proposal: Proposal) -> None:
    from .services.similarity import similarity_heal_committee, similarity_index

    if proposal.status != ProposalStatus.DRAFT:
        stored = SimilarityVector.objects.filter(proposal_id=proposal.pk).values_list("text_key", flat=True).first()
        if stored != text_key(proposal):
            similarity_index(proposal=proposal)
    similarity_heal_committee(committee_id=proposal.committee_id, limit=HEAL_LIMIT)


def query_vector(proposal: Proposal) -> tuple[dict[str, float], dict[str, int], int]:
    """The proposal's unit vector as of now, with the committee's df of its terms and N."""
    counts = proposal_grams(proposal)
    df = committee_df(proposal.committee_id, counts)
    n = committee_size(proposal.committee_id)
    return unit_vector(counts, df, n), df, n


def _lookup_terms(query: Mapping[str, float], df: Mapping[str, int], n: int) -> list[str]:
    """The query's heaviest bigrams whose postings are read, within ``POSTING_BUDGET`` rows.

    A bigram's df bounds its postings, so the budget keeps the read the same size in a committee
    of 5,000 proposals or of 50,000; bigrams in more than ``COMMON_SHARE`` of the proposals are
    skipped (they find nearly everything and weigh little); at least ``MIN_LOOKUP`` are read.
    """
    ranked = [t for t, _w in heaviest(query, len(query))]
    lookup: list[str] = []
    budget = POSTING_BUDGET
    for term in ranked:
        cost = df.get(term, 0)
        if len(lookup) >= QUERY_TERMS or (len(lookup) >= MIN_LOOKUP and cost > budget):
            break
        if cost > COMMON_SHARE * n and len(lookup) >= MIN_LOOKUP:
            continue
        lookup.append(term)
        budget -= cost
    return lookup


def _similar(proposal: Proposal, limit: int) -> tuple[list[tuple[Proposal, float]], dict[str, float]]:
    if limit <= 0 or proposal.pk is None:
        return [], {}
    _ensure_indexed(proposal)
    committee_id = proposal.committee_id
    query, df, n = query_vector(proposal)
    if not query:
        return [], query
    scores: dict[int, float] = {}
    postings = SimilarityTerm.objects.filter(
        committee_id=committee_id, term__in=_lookup_terms(query, df, n), meeting_order__lte=proposal.meeting_order
    ).values_list("proposal_id", "term", "weight")
    for other_id, term, weight in postings:
        scores[other_id] = scores.get(other_id, 0.0) + query[term] * weight
    scores.pop(proposal.pk, None)
    for other_id in dismissed_ids(proposal.pk):
        scores.pop(other_id, None)
    if not scores:
        return [], query
    best = sorted(scores, key=lambda pk: (-scores[pk], pk))[: max(RESCORE, limit)]
    full: dict[int, float] = dict.fromkeys(best, 0.0)
    for other_id, term, weight in SimilarityTerm.objects.filter(proposal_id__in=best).values_list(
        "proposal_id", "term", "weight"
    ):
        full[other_id] += query.get(term, 0.0) * weight
    ranked = sorted(best, key=lambda pk: (-full[pk], pk))[:limit]
    rows = Proposal.objects.select_related("meeting", "committee").in_bulk(ranked)
    pairs = [
        (rows[pk], round(min(full[pk], 1.0), 4))
        for pk in ranked
        if pk in rows and rows[pk].status != ProposalStatus.DRAFT and rows[pk].committee_id == committee_id
    ]
    return pairs, query


def similar_proposals(proposal: Proposal, limit: int = 10) -> list[tuple[Proposal, float]]:
    """The proposals most like ``proposal``, best first, as (proposal, cosine score 0…1) pairs.

    Of the same committee, of the same or an earlier meeting; never drafts, never the proposal
    itself, never a pair marked "不相似". Who may see the answer is the caller's question (the
    page shows it to the committee's staff only).
    """
    return _similar(proposal, limit)[0]


def similar_with_shared_words(proposal: Proposal, limit: int = 10) -> list[tuple[Proposal, float, SharedWords]]:
    """``similar_proposals`` with each pair's shared words (for the page), from the same vector."""
    pairs, query = _similar(proposal, limit)
    shared = _shared_words(query, [other for other, _score in pairs])
    return [(other, score, shared[other.pk]) for other, score in pairs]


# --- Explaining a pair: the shared words, highlighted -------------------------------------------


@dataclass(frozen=True)
class SharedWords:
    title_html: SafeString  # the other proposal's title, the shared runs in <mark>
    words: tuple[str, ...]  # the shared runs of text, heaviest first


def _runs(text: str, shared: set[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` covered by overlapping shared bigrams (case-insensitive)."""
    lower = text.lower()
    covered = [False] * len(text)
    for i in range(len(lower) - 1):
        if lower[i : i + 2] in shared:
            covered[i] = covered[i + 1] = True
    spans, start = [], None
    for i, flag in enumerate([*covered, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            spans.append((start, i))
            start = None
    return spans


def _marked(text: str, spans: list[tuple[int, int]]) -> SafeString:
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(escape(text[pos:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def _shared_words(query: Mapping[str, float], others: Iterable[Proposal], max_words: int = 8) -> dict[int, SharedWords]:
    heavy = dict(heaviest(query, STORED_TERMS))
    result = {}
    for other in others:
        other_grams = proposal_grams(other)
        weight = {t: w for t, w in heavy.items() if t in other_grams}
        shared = set(weight)
        found: dict[str, float] = {}
        for text in (other.title, other.main_content):
            for start, end in _runs(text, shared):
                run = text[start:end]
                lower = run.lower()
                found.setdefault(run, sum(weight.get(lower[i : i + 2], 0.0) for i in range(len(lower) - 1)))
        words = tuple(sorted(found, key=lambda w: (-found[w], w))[:max_words])
        result[other.pk] = SharedWords(title_html=_marked(other.title, _runs(other.title, shared)), words=words)
    return result


def shared_words(proposal: Proposal, others: Iterable[Proposal], *, max_words: int = 8) -> dict[int, SharedWords]:
    """What each of ``others`` has in common with ``proposal``: the heaviest bigrams of
    ``proposal`` found in the other, joined into the runs of the other's text they cover."""
    return _shared_words(query_vector(proposal)[0], others, max_words)
