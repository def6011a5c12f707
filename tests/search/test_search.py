"""Chinese substring search: exactly the proposals that contain the query, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from proposals import search
from proposals.models import Proposal, ProposalStatus, Role
from proposals.search import parse_query, rebuild_index, search_proposals
from proposals.selectors import proposals_visible_to
from tests.factories import make_assignment, make_proposal, make_user

pytestmark = pytest.mark.django_db

TEXTS = {
    # key: (title, main content)
    "title": ("关于加强援疆工作的建议", "建议完善对口支援机制。"),
    "content": ("关于产业协作的建议", "近年来我市对口援疆成效明显，应当继续深化。"),
    "apart": ("关于援助新疆企业的建议", "援助企业，新疆特色产品进入本地市场。"),  # 援 … 疆, never 援疆
    "split": ("关于对口援疆的建议", "支持新疆工业园区建设。"),  # 援疆 and 疆工, never 援疆工
    "other": ("关于改善老旧小区停车的建议", "老旧小区停车难，建议挖潜增效。"),
    "latin": ("关于推进5G基站建设的建议", "加快 5G 网络覆盖，推广 AI 应用。"),
    # Characters str.isalnum() accepts but PostgreSQL's parser reads as spaces (category No).
    "numbered": ("关于住房面积核定的建议", "①建筑面积按120m²核定；②公摊另计。"),
}


@pytest.fixture
def found(world):
    """found(query, user=staff) → the set of keys of TEXTS whose proposals the search returns."""
    by_id = {}
    for i, (key, (title, content)) in enumerate(TEXTS.items(), start=2):
        p = make_proposal(
            meeting=world.meeting,
            created_by=world.staff,
            first_proposer=world.proposer,
            status=ProposalStatus.ASSIGNED,
            number=f"TA{i:04d}",
            sequence=i,
            title=title,
            main_content=content,
        )
        by_id[p.pk] = key
    by_id[world.proposal.pk] = "world"
    found.by_key = {v: k for k, v in by_id.items()}

    def _found(query: str, user=None) -> set[str]:
        qs = search_proposals(proposals_visible_to(user or world.staff), query)
        return {by_id[pk] for pk in qs.values_list("pk", flat=True)}

    _found.by_key = {v: k for k, v in by_id.items()}
    return _found


def test_two_character_query_finds_title_and_content_matches(found):
    assert found("援疆") == {"title", "content", "split"}


def test_two_characters_apart_are_not_a_match(found):
    # "援助新疆" holds both characters but never side by side.
    assert "apart" not in found("援疆")
    assert found("助新") == {"apart"}


def test_three_character_query_excludes_bigrams_that_are_not_contiguous(found):
    # "split" has 援疆 and 疆工 as bigrams but not the substring 援疆工.
    assert found("援疆工") == {"title"}


def test_longer_phrase(found):
    assert found("加强援疆工作") == {"title"}
    assert found("对口援疆成效明显") == {"content"}
    assert found("援疆工作建议") == set()


def test_terms_separated_by_spaces_are_anded(found):
    assert found("援疆 工业") == {"split"}
    assert found("援疆 停车") == set()


def test_single_character_is_looked_up_in_the_index_exactly(found, world):
    assert found("疆") == {"title", "content", "apart", "split"}
    # Every character of every text, and some of none, against a plain substring test: characters
    # that end a run of text (效 in "增效。", 议 in "建议") are found too.
    rows = {key: Proposal.objects.get(pk=pk) for key, pk in found.by_key.items()}
    chars = {c for p in rows.values() for c in (p.title + p.main_content + p.number).lower() if c.isalnum()}
    assert {"效", "议", "g", "5"} <= chars
    for char in [*sorted(chars), "鲸", "z", "9"]:
        expected = {k for k, p in rows.items() if char in (p.title + p.main_content + p.number).lower()}
        assert found(char) == expected, char
        assert found(char.upper()) == expected, char
    sql = str(search_proposals(Proposal.objects.all(), "疆").query)
    assert ("search_proposal_fts MATCH" in sql) if connection.vendor == "sqlite" else ("to_tsquery" in sql)
    assert "LIKE" not in sql.upper()  # no scan of the texts


def test_other_number_characters_are_matched_by_contains(found):
    assert found("①") == {"numbered"}
    assert found("m²") == {"numbered"}
    assert found("0m") == {"numbered"}
    assert found("面积 ②") == {"numbered"}
    assert found("面积 ③") == set()
    assert found("m³") == set()


def test_punctuation_only_term_is_ignored(found):
    # It says nothing about a proposal and could only be answered by scanning every text.
    assert found("，") == found("") == set(found.by_key)
    assert "LIKE" not in str(search_proposals(Proposal.objects.all(), "，").query).upper()


def test_query_with_punctuation_inside_a_term_is_matched_exactly(found):
    assert found("援助企业，新疆") == {"apart"}
    assert found("援助企业新疆") == set()


def test_number_and_latin_letters_case_insensitive(found):
    assert found("TA0003") == {"content"}
    assert found("ta0003") == {"content"}
    assert found("5g") == {"latin"}
    assert found("AI") == {"latin"}


def test_empty_query_returns_everything_visible(found, world):
    assert len(found("")) == len(TEXTS) + 1
    assert len(found("   ")) == len(TEXTS) + 1


def test_search_composes_with_visibility(found, world):
    handler = make_user("handler_search", Role.HANDLER, agency=world.agency_b)
    target = Proposal.objects.get(pk=found.by_key["title"])
    make_assignment(proposal=target, agency=world.agency_b, assigned_by=world.staff)
    assert found("援疆", user=handler) == {"title"}
    assert found("援疆", user=world.handler_b) == {"title"}  # handler_b is agency B too
    assert found("援疆", user=world.unrelated_user) == set()


def test_search_returns_a_queryset_that_pages_and_counts(found, world):
    qs = search_proposals(proposals_visible_to(world.staff), "援疆").order_by("pk")
    assert qs.count() == 3
    assert [p.pk for p in qs[:2]] == sorted(found.by_key[k] for k in ("title", "content", "split"))[:2]


def test_index_follows_a_title_change_saved_with_update_fields(found):
    p = Proposal.objects.get(pk=found.by_key["other"])
    p.title = "关于支持援疆干部的建议"
    p.save(update_fields=["title"])
    assert "other" in found("援疆干部")
    p.title = "关于改善老旧小区停车的建议"
    p.save()
    assert "other" not in found("援疆")


def test_rebuild_index_covers_bulk_created_rows(found, world):
    row = Proposal(
        meeting=world.meeting,
        committee=world.meeting.committee,  # bulk_create skips save(), which copies it from the meeting
        created_by=world.staff,
        status=ProposalStatus.SUBMITTED,
        title="关于援疆医疗队的建议",
        main_content="组织医疗援疆。",
    )
    row.search_text = search.proposal_search_text(row)
    (created,) = Proposal.objects.bulk_create([row])
    rebuild_index()
    qs = search_proposals(proposals_visible_to(world.staff), "援疆医疗")
    assert list(qs.values_list("pk", flat=True)) == [created.pk]


def test_query_uses_the_index(found):
    sql = str(search_proposals(Proposal.objects.all(), "援疆").query)
    if connection.vendor == "sqlite":
        assert "search_proposal_fts MATCH" in sql
    else:
        assert '"proposals_proposal"."search_vector" @@ to_tsquery(\'simple\'::regconfig' in sql
        # The stored vector has its GIN index (search 0002). A tiny table is scanned whole or walked
        # along a btree unless the planner is told not to; then only the GIN index can answer.
        qs = search_proposals(Proposal.objects.order_by(), "援疆")
        with connection.cursor() as cursor:
            for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
                cursor.execute(f"SET LOCAL {setting} = off")
            compiled, params = qs.query.sql_with_params()
            cursor.execute("EXPLAIN " + compiled, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "search_proposal_vector_gin" in plan


def test_parse_query_keeps_only_letter_and_digit_bigrams():
    (term,) = parse_query("5%增长")
    assert term.tokens == ("增长",)
    assert not term.exact_by_index
    (two,) = parse_query("援疆")
    assert two.exact_by_index


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")
def test_postgresql_sessions_price_random_reads_for_ssd():
    # With the default 4, a common word's count (发展: 22,600 of 100,000) was a sequential scan that
    # de-TOASTs every search vector, 350 ms instead of 35 ms by the GIN index (config/settings.py).
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


# --- Queries that would take the database down (issue 18, finding 5) ----------------------------

MANY_PUNCTUATION = " ".join([".+"] * 1000)
MANY_FULL_STOPS = " ".join(["。"] * 400)
MANY_WORDS = " ".join(f"援疆{i}" for i in range(1000))


def test_terms_without_a_letter_or_digit_are_ignored(found, world):
    assert parse_query(MANY_PUNCTUATION) == parse_query(MANY_FULL_STOPS) == []
    assert len(found(MANY_FULL_STOPS)) == len(TEXTS) + 1  # as an empty query
    assert found("， 援疆") == {"title", "content", "split"}
    assert "LIKE" not in str(search_proposals(Proposal.objects.all(), "， 。 .+").query).upper()


def test_a_long_query_is_cut_to_its_first_terms_and_characters(found):
    terms = parse_query(MANY_WORDS)
    assert len(terms) == search.MAX_TERMS
    assert sum(len(t.text) + 1 for t in terms) - 1 <= search.MAX_QUERY_CHARS
    assert len(parse_query("援" * 10_000)[0].text) == search.MAX_QUERY_CHARS
    # Each term is looked up at most once, whatever the query repeats.
    assert len(parse_query("援疆 援疆 援疆")) == 1
    sql = str(search_proposals(Proposal.objects.all(), MANY_WORDS + " " + MANY_PUNCTUATION).query).upper()
    assert sql.count("LIKE") <= 3 * search.MAX_TERMS


def test_a_term_without_bigrams_is_still_narrowed_by_the_index(found):
    # "a." and "5%" have a letter or digit but no bigram of two: their characters are looked up as
    # prefixes, and the candidates re-checked, so no term is answered by scanning the table alone.
    (term,) = parse_query("5%")
    assert term.tokens == ("5",) and term.prefix and not term.exact_by_index
    qs = search_proposals(Proposal.objects.all(), "5%")
    sql = str(qs.query)
    assert "search_proposal_fts MATCH" in sql or "to_tsquery" in sql
    assert found("盖，") == {"latin"}  # 覆盖，推广
    assert found("盖。") == set()


@pytest.mark.parametrize("query", [MANY_PUNCTUATION, MANY_FULL_STOPS, MANY_WORDS])
@pytest.mark.parametrize("route", ["proposals:list", "proposals:export", "oversight:public_list"])
def test_a_thousand_terms_are_answered_without_error(found, world, client, query, route):
    from django.urls import reverse

    client.force_login(world.staff)
    response = client.get(reverse(route), {"q": query})
    assert response.status_code == 200
