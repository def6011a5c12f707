"""The public search looks only in the text the public sees: masked numbers cannot be found.

A script once recovered a full number that the page shows as ＊＊＊ by searching for
``联系人电话 0356-202123`` (listed) and ``…202124`` (not listed), digit by digit. Whatever the number
(a member's stored phone or any phone-like number in the text), neither it nor any fragment of it
finds the reply, while the words around it still do.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oversight.redaction import MASK
from tests.factories import make_reply

TITLE = "关于加快产业合作的建议的答复"
# Numbers of nobody in the database: the phone patterns, not the members' records, must hide them.
LANDLINE = "0356-2021234"
MOBILE = "137 1234 5678"
BODY = f"经研究，现答复如下：产业合作正在推进。联系人电话 {LANDLINE}，手机 {MOBILE}，欢迎来电。"


@pytest.fixture
def reply(world):
    reply = make_reply(world.assignment, by=world.handler_a, issued=timezone.localdate(), title=TITLE, body=BODY)
    assert reply.is_public
    return reply


def found(client, q: str) -> bool:
    response = client.get(reverse("oversight:public_list"), {"q": q})
    assert response.status_code == 200
    return TITLE in response.content.decode()


def test_the_public_page_masks_both_numbers(reply, client):
    html = client.get(reverse("oversight:public_detail", args=[reply.pk])).content.decode()
    assert f"联系人电话 {MASK}" in html
    assert "2021234" not in html and "5678" not in html


@pytest.mark.parametrize("q", ["联系人电话", "产业合作", "欢迎来电", "手机", TITLE])
def test_words_the_public_sees_still_find_the_reply(reply, client, q):
    assert found(client, q)


@pytest.mark.parametrize(
    "q",
    [
        "联系人电话 0356-202123",  # the finding's probe: a prefix of the number, with the label
        "联系人电话 0356-2021234",
        "联系人电话 0",
        "0356-202123",
        "0356-2021",
        "2021234",
        "202123",
        "6-20212",
        "137 1234",
        "1234 5678",
        "5678，欢迎来电",
        "手机 1",
        "０３５６－２０２１",  # full-width digits are the same digits
    ],
)
def test_a_masked_number_or_a_fragment_of_it_finds_nothing(reply, client, q):
    assert not found(client, q)


MASKED_SPANS = [(BODY.index(n), BODY.index(n) + len(n)) for n in (LANDLINE, MOBILE)]


def test_no_piece_of_the_letter_touching_a_masked_number_finds_it(reply, client):
    """Fuzzed: every piece of the issued body that overlaps a masked number finds nothing; every
    other piece (the public sees it as it stands) finds the reply."""

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data())
    def probe(data):
        start = data.draw(st.integers(0, len(BODY) - 1))
        end = data.draw(st.integers(start + 1, min(len(BODY), start + 20)))
        q = BODY[start:end].strip()
        if not q:
            return
        if any(start < hi and lo < end for lo, hi in MASKED_SPANS):
            assert not found(client, q), q
        else:
            assert found(client, q), q

    probe()


def test_texts_written_around_the_orm_are_refreshed_in_batches(reply, world, client, django_assert_max_num_queries):
    from oversight.models import PublicReplyText
    from oversight.public import refresh_public_texts
    from replies.models import Reply

    Reply.objects.filter(pk=reply.pk).update(body=f"新的正文：联系人电话 {LANDLINE}。")  # no post_save
    assert found(client, "正在推进")  # the stored copy still holds the old text
    with django_assert_max_num_queries(6):
        assert refresh_public_texts() == 1
    assert not found(client, "正在推进") and found(client, "新的正文")
    assert not found(client, "0356-202123")
    assert PublicReplyText.objects.get(pk=reply.pk).body == f"新的正文：联系人电话 {MASK}。"


def test_the_migration_fills_the_texts_of_replies_issued_before_it(reply, world, client):
    import importlib

    from django.apps import apps

    from oversight.models import PublicReplyText

    PublicReplyText.objects.all().delete()
    assert not found(client, "正在推进")
    importlib.import_module("oversight.migrations.0002_publicreplytext").fill(apps, None)
    assert found(client, "正在推进") and found(client, "联系人电话")
    assert not found(client, "0356-202123")
