"""The staff proposal search also looks in consultation records (``proposals.search.RELATED_TEXT_SOURCES``).

A record's reply points and member's opinion are looked up in their own bigram index
(``search.text_index.CONSULTATION_INDEX``, made by migration search/0004), kept as the proposal's
own index is: a ``post_save`` / ``post_delete`` receiver stores the record's index text whenever a
record is saved through the ORM with one of those fields — by the record services
(``consultation_schedule``, ``consultation_record``), the signing services (the member's opinion),
the demo, a back-dated entry. Rows written around the ORM (``bulk_create``, ``QuerySet.update``)
need ``index_consultations`` afterwards (the workbook import, ``bench_data``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from proposals.roles import readable_committees
from proposals.search import Term, bigrams, filter_by_text_index, register_related_text
from search.text_index import CONSULTATION_INDEX

from .models import Consultation
from .selectors import consultations_visible_to

INDEXED_FIELDS = frozenset({"reply_points", "opinion_text"})


def consultation_index_rows(consultations: QuerySet) -> Iterator[tuple[int, int | None, str]]:
    """(id, scope, index text) of these records, for ``CONSULTATION_INDEX``: the scope is the
    committee of the record's proposal; the text its reply points and the member's opinion (its
    main content is the proposal's own, searched already). Also takes a historical model's rows
    (migration search/0004)."""
    rows = consultations.order_by("id").values_list(
        "id", "assignment__proposal__committee_id", "reply_points", "opinion_text"
    )
    for pk, scope, reply_points, opinion_text in rows.iterator(chunk_size=2000):
        yield pk, scope, bigrams(reply_points, opinion_text)


def proposals_with_record_text(user: Any, term: Term) -> QuerySet:
    """The ids of the proposals with a consultation record ``user`` may see whose reply points or
    member's opinion contain ``term``."""
    contains = Q(reply_points__icontains=term.text) | Q(opinion_text__icontains=term.text)
    visible = consultations_visible_to(user)
    return filter_by_text_index(visible, CONSULTATION_INDEX, term, contains, readable_committees(user)).values_list(
        "assignment__proposal_id", flat=True
    )


# --- Index upkeep (index, not workflow) ---------------------------------------------------------


def index_consultations(consultations: QuerySet | None = None, *, using: str = "default") -> int:
    """Store the index rows of these records; of every record when None (the index is remade).
    Returns how many were stored."""
    if consultations is None:
        rows = consultation_index_rows(Consultation.objects.using(using).all())
        return CONSULTATION_INDEX.rebuild(rows, using=using)
    return CONSULTATION_INDEX.store(consultation_index_rows(consultations.using(using)), using=using)


def index_on_save(sender, instance, created=False, update_fields=None, using="default", **kwargs) -> None:
    if update_fields is not None and not (INDEXED_FIELDS & set(update_fields)):
        return
    index_consultations(Consultation.objects.filter(pk=instance.pk), using=using)


def index_on_delete(sender, instance, using="default", **kwargs) -> None:
    CONSULTATION_INDEX.remove([instance.pk], using=using)


def index_on_proposal_save(sender, instance, created=False, update_fields=None, using="default", **kwargs) -> None:
    """A proposal moved to another committee's meeting takes its records' scope with it."""
    if created or (update_fields is not None and "committee" not in update_fields):
        return
    index_consultations(Consultation.objects.filter(assignment__proposal_id=instance.pk), using=using)


def register() -> None:
    """Called from ``ConsultationsConfig.ready``: the source of the staff search and the index upkeep."""
    from django.db.models.signals import post_delete, post_save

    register_related_text(proposals_with_record_text)
    post_save.connect(index_on_save, sender=Consultation, dispatch_uid="consultation_search_index_save")
    post_delete.connect(index_on_delete, sender=Consultation, dispatch_uid="consultation_search_index_delete")
    post_save.connect(
        index_on_proposal_save, sender="proposals.Proposal", dispatch_uid="consultation_search_index_scope"
    )
