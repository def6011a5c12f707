"""Similar proposals (issue 21, item 4): the precomputed weights and the pairs staff set aside.

``SimilarityVector``, ``SimilarityTerm`` and ``SimilarityDocFreq`` are a derived index, written
only by ``proposals.services.similarity`` and read by ``proposals.similarity``; they hold no fact
of their own and ``manage.py similarity_index`` can rebuild them from the proposals at any time.
``SimilarityDismissal`` is a staff decision ("不相似") and is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .committee import Committee
from .proposal import Proposal


class SimilarityVector(models.Model):
    """One indexed proposal: which text was indexed, and every distinct bigram of it.

    ``grams`` is kept so that re-indexing a changed text can take the old bigrams off the
    committee's document frequencies exactly; ``text_key`` tells whether the text (or the
    meeting it is filed under) changed since.
    """

    proposal = models.OneToOneField(
        Proposal, primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("提案")
    )
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("政协委员会")
    )
    text_key = models.CharField(_("文本摘要"), max_length=32)
    grams = models.TextField(_("字符二元组"), blank=True)
    indexed_at = models.DateTimeField(_("索引时间"), default=timezone.now)

    class Meta:
        verbose_name = _("相似度索引")
        verbose_name_plural = _("相似度索引")
        indexes = [models.Index(fields=["committee", "proposal"], name="similarity_vector_committee")]

    def __str__(self) -> str:
        return f"{self.proposal_id}"


class SimilarityTerm(models.Model):
    """A posting: one of a proposal's heaviest bigrams and its weight in the proposal's unit vector.

    ``committee`` and ``meeting_order`` are copies of the proposal's, so the candidates of a query
    are read from one index range (this committee, this bigram, this meeting or earlier).
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+", verbose_name=_("提案"))
    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("政协委员会")
    )
    meeting_order = models.PositiveIntegerField(_("会议内排序"))
    term = models.CharField(_("字符二元组"), max_length=2)
    weight = models.FloatField(_("权重"))

    class Meta:
        verbose_name = _("相似度索引项")
        verbose_name_plural = _("相似度索引项")
        constraints = [models.UniqueConstraint(fields=["proposal", "term"], name="similarity_term_unique")]
        # Covering: the candidate query reads proposal and weight from the index alone.
        indexes = [
            models.Index(
                fields=["committee", "term", "meeting_order", "proposal", "weight"], name="similarity_term_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.term} {self.weight:.3f}"


class SimilarityDocFreq(models.Model):
    """In how many of a committee's indexed proposals a bigram occurs (the IDF of the weights)."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("政协委员会")
    )
    term = models.CharField(_("字符二元组"), max_length=2)
    df = models.PositiveIntegerField(_("文档频数"), default=0)

    class Meta:
        verbose_name = _("相似度文档频数")
        verbose_name_plural = _("相似度文档频数")
        constraints = [models.UniqueConstraint(fields=["committee", "term"], name="similarity_df_unique")]

    def __str__(self) -> str:
        return f"{self.term} {self.df}"


class SimilarityDismissal(models.Model):
    """Staff marked two proposals "不相似": the pair is not offered as similar again.

    One row per pair, stored with the lower id first, whichever page it was marked from.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+", verbose_name=_("提案"))
    other = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+", verbose_name=_("另一提案"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人")
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("不相似标记")
        verbose_name_plural = _("不相似标记")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "other"], name="similarity_dismissal_unique"),
            models.CheckConstraint(condition=Q(proposal__lt=F("other")), name="similarity_dismissal_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} ≠ {self.other_id}"
