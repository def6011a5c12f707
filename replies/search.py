"""The staff proposal search also looks in reply letters (``proposals.search.RELATED_TEXT_SOURCES``).

A reply's title and body are looked up in their own bigram index (``search.text_index.REPLY_INDEX``,
made by migration search/0004), kept as the proposal's own index is: a ``post_save`` / ``post_delete``
receiver stores the reply's index text whenever a reply is saved through the ORM with its title or
body — by the drafting services (``reply_create``, ``reply_save_draft``), the demo, a back-dated
entry. Issuing and the other transitions save neither field and leave the index alone. Rows
written around the ORM (``bulk_create``, ``QuerySet.update``) need ``index_replies`` afterwards
(the workbook import, ``bench_data``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from proposals.roles import readable_committees
from proposals.search import Term, bigrams, filter_by_text_index, register_related_text
from search.text_index import REPLY_INDEX

from .models import Reply
from .selectors import replies_visible_to

INDEXED_FIELDS = frozenset({"title", "body"})


def reply_index_rows(replies: QuerySet) -> Iterator[tuple[int, int | None, str]]:
    """(id, scope, index text) of these replies, for ``REPLY_INDEX``: the scope is the committee of
    the reply's proposal. Also takes a historical model's rows (migration search/0004)."""
    rows = replies.order_by("id").values_list("id", "assignment__proposal__committee_id", "title", "body")
    for pk, scope, title, body in rows.iterator(chunk_size=2000):
        yield pk, scope, bigrams(title, body)


def proposals_with_reply_text(user: Any, term: Term) -> QuerySet:
    """The ids of the proposals with a reply ``user`` may see whose title or body contains ``term``."""
    contains = Q(title__icontains=term.text) | Q(body__icontains=term.text)
    visible = replies_visible_to(user)
    return filter_by_text_index(visible, REPLY_INDEX, term, contains, readable_committees(user)).values_list(
        "assignment__proposal_id", flat=True
    )


# --- Index upkeep (index, not workflow) ---------------------------------------------------------


def index_replies(replies: QuerySet | None = None, *, using: str = "default") -> int:
    """Store the index rows of these replies; of every reply when None (the index is remade).
    Returns how many were stored."""
    if replies is None:
        return REPLY_INDEX.rebuild(reply_index_rows(Reply.objects.using(using).all()), using=using)
    return REPLY_INDEX.store(reply_index_rows(replies.using(using)), using=using)


def index_on_save(sender, instance, created=False, update_fields=None, using="default", **kwargs) -> None:
    if update_fields is not None and not (INDEXED_FIELDS & set(update_fields)):
        return
    index_replies(Reply.objects.filter(pk=instance.pk), using=using)


def index_on_delete(sender, instance, using="default", **kwargs) -> None:
    REPLY_INDEX.remove([instance.pk], using=using)


def index_on_proposal_save(sender, instance, created=False, update_fields=None, using="default", **kwargs) -> None:
    """A proposal moved to another committee's meeting takes its replies' scope with it."""
    if created or (update_fields is not None and "committee" not in update_fields):
        return
    index_replies(Reply.objects.filter(assignment__proposal_id=instance.pk), using=using)


def register() -> None:
    """Called from ``RepliesConfig.ready``: the source of the staff search and the index upkeep."""
    from django.db.models.signals import post_delete, post_save

    register_related_text(proposals_with_reply_text)
    post_save.connect(index_on_save, sender=Reply, dispatch_uid="reply_search_index_save")
    post_delete.connect(index_on_delete, sender=Reply, dispatch_uid="reply_search_index_delete")
    post_save.connect(index_on_proposal_save, sender="proposals.Proposal", dispatch_uid="reply_search_index_scope")
