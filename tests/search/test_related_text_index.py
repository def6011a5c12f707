"""The staff search finds reply letters and consultation records through their own bigram index
(``search.text_index``, migration search/0004), kept in step as they are written; on SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection

from consultations.models import Consultation
from consultations.search import index_consultations, proposals_with_record_text
from proposals.models import AssignmentRole, ProposalStatus
from proposals.search import parse_query, search_proposals
from proposals.selectors import proposals_visible_to
from replies.models import Reply
from replies.search import index_replies, proposals_with_reply_text
from replies.services import reply_save_draft
from search.text_index import CONSULTATION_INDEX, REPLY_INDEX
from tests.factories import (
    draft_reply,
    make_assignment,
    make_other_committee,
    make_proposal,
    make_reply,
    record,
    schedule,
    sign,
)

pytestmark = pytest.mark.django_db


def staff_finds(world, query: str, user=None) -> set[int]:
    user = user or world.staff
    return set(search_proposals(proposals_visible_to(user), query, user=user).values_list("pk", flat=True))


def indexed(index, pk: int) -> str | None:
    """The index text stored for ``pk``, None when the index has no row for it."""
    if connection.vendor == "sqlite":
        sql = f"SELECT search_text FROM {index.sqlite_table} WHERE rowid = %s"  # noqa: S608
    else:
        sql = f"SELECT search_text FROM {index.pg_table} WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return row[0] if row else None


def source_sql(source, user, query: str) -> str:
    (term,) = parse_query(query)
    return str(source(user, term).query)


def uses_index(sql: str, index) -> bool:
    table = index.sqlite_table if connection.vendor == "sqlite" else index.pg_table
    return table in sql and "LIKE" not in sql.upper()


# --- Replies ------------------------------------------------------------------------------------


def test_a_reply_is_found_once_saved_and_no_longer_once_edited(world):
    proposal = world.proposal.pk
    assert staff_finds(world, "物流枢纽") == set()
    reply = draft_reply(world, body="经研究，拟在城东新建物流枢纽，明年开工。")
    assert "物流" in indexed(REPLY_INDEX, reply.pk).split()
    assert staff_finds(world, "物流枢纽") == {proposal}
    assert staff_finds(world, "城东新建") == {proposal}

    reply = reply_save_draft(
        reply=reply, actor=world.handler_a, data={"body": "经研究，拟扩建铁路货场。"}, expected_version=reply.version
    )
    assert staff_finds(world, "物流枢纽") == set()
    assert staff_finds(world, "城东") == set()
    assert staff_finds(world, "铁路货场") == {proposal}
    assert "物流" not in indexed(REPLY_INDEX, reply.pk).split()


def test_a_reply_title_is_indexed_too(world):
    draft_reply(world, title="关于城市绿道贯通问题的答复")
    assert staff_finds(world, "绿道贯通") == {world.proposal.pk}


def test_the_reply_lookup_reads_the_index_not_the_texts(world):
    draft_reply(world, body="拟在城东新建物流枢纽。")
    assert uses_index(source_sql(proposals_with_reply_text, world.staff, "物流"), REPLY_INDEX)
    assert uses_index(source_sql(proposals_with_reply_text, world.staff, "枢"), REPLY_INDEX)
    # A longer term is re-checked against the text, as for the proposal's own text.
    assert "LIKE" in source_sql(proposals_with_reply_text, world.staff, "物流枢纽").upper()


def test_a_longer_term_needs_its_characters_side_by_side_in_the_reply(world):
    # 援疆 and 疆工 are both in the text, 援疆工 is not.
    draft_reply(world, body="对口援疆成效明显。新疆工业园区建设加快。")
    assert staff_finds(world, "援疆") == {world.proposal.pk}
    assert staff_finds(world, "疆工") == {world.proposal.pk}
    assert staff_finds(world, "援疆工") == set()


def test_issuing_leaves_the_reply_findable(world):
    from tests.factories import issue

    reply = draft_reply(world, body="经研究，拟在城东新建物流枢纽，明年开工。")
    sign(world, record(world, schedule(world), reply_points="答复要点：按计划推进"))  # signed before issue
    reply = issue(world, reply)
    assert reply.status == "issued"
    assert staff_finds(world, "物流枢纽") == {world.proposal.pk}


def test_a_deleted_reply_leaves_the_index(world):
    reply = make_reply(world.assignment, by=world.handler_a, issued=None, body="拟建设冷链物流中心。")
    assert indexed(REPLY_INDEX, reply.pk) is not None
    assert staff_finds(world, "冷链物流") == {world.proposal.pk}
    pk = reply.pk
    reply.delete()
    assert indexed(REPLY_INDEX, pk) is None
    assert staff_finds(world, "冷链物流") == set()


def test_replies_written_around_the_orm_are_found_after_index_replies(world):
    (row,) = Reply.objects.bulk_create(
        [Reply(assignment=world.assignment, round=1, body="拟建设冷链物流中心。", created_by=world.handler_a)]
    )
    assert staff_finds(world, "冷链物流") == set()  # bulk_create sends no post_save
    assert index_replies(Reply.objects.filter(pk=row.pk)) == 1
    assert staff_finds(world, "冷链物流") == {world.proposal.pk}
    Reply.objects.filter(pk=row.pk).update(body="拟扩建铁路货场。")
    index_replies()  # every reply: the index is remade
    assert staff_finds(world, "冷链物流") == set()
    assert staff_finds(world, "铁路货场") == {world.proposal.pk}


# --- Who finds what -----------------------------------------------------------------------------


@pytest.fixture
def shared(world):
    """The world's proposal assigned to agency B too (co-handler): agency A's reply holds 物流枢纽."""
    make_assignment(proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff, role=AssignmentRole.CO)
    draft_reply(world, body="经研究，拟在城东新建物流枢纽，明年开工。")
    return world


def test_a_handler_does_not_find_by_another_agencys_reply_text(shared, login):
    world = shared
    assert world.proposal.pk in set(proposals_visible_to(world.handler_b).values_list("pk", flat=True))
    # Agency B sees the proposal but not agency A's draft: neither its search nor the source finds it.
    assert staff_finds(world, "物流枢纽", user=world.handler_b) == set()
    (term,) = parse_query("物流枢纽")
    assert list(proposals_with_reply_text(world.handler_b, term)) == []
    assert list(proposals_with_reply_text(world.staff, term)) == [world.proposal.pk]
    page = login(world.handler_b).get("/proposals/", {"q": "物流枢纽"}).context["page"]
    assert list(page.object_list) == []
    page = login(world.staff).get("/proposals/", {"q": "物流枢纽"}).context["page"]
    assert [p.pk for p in page.object_list] == [world.proposal.pk]


def test_staff_of_another_committee_do_not_find_by_the_reply_text(shared):
    world = shared
    other = make_other_committee()
    theirs = make_proposal(
        meeting=other.meeting, created_by=other.staff, status=ProposalStatus.ASSIGNED, title="县里的提案"
    )
    assignment = make_assignment(proposal=theirs, agency=other.agency, assigned_by=other.staff)
    make_reply(assignment, by=other.handler, issued=None, body="县里也建设物流枢纽。")
    assert staff_finds(world, "物流枢纽") == {world.proposal.pk}
    assert staff_finds(world, "物流枢纽", user=other.staff) == {theirs.pk}


# --- Consultation records -----------------------------------------------------------------------


def test_a_record_is_found_by_its_reply_points_and_the_members_opinion(world):
    consultation = record(world, schedule(world), reply_points="答复要点：冷链仓储纳入规划")
    assert "冷链" in indexed(CONSULTATION_INDEX, consultation.pk).split()
    assert staff_finds(world, "冷链仓储") == {world.proposal.pk}
    assert staff_finds(world, "加快建设") == set()
    sign(world, consultation, opinion_text="希望加快建设")
    assert staff_finds(world, "加快建设") == {world.proposal.pk}
    assert uses_index(source_sql(proposals_with_record_text, world.staff, "冷链"), CONSULTATION_INDEX)


def test_a_corrected_record_no_longer_matches_its_old_text(world):
    consultation = record(world, schedule(world), reply_points="答复要点：冷链仓储纳入规划")
    consultation = record(world, consultation, reply_points="答复要点：铁路货场扩建")
    assert staff_finds(world, "冷链仓储") == set()
    assert staff_finds(world, "铁路货场") == {world.proposal.pk}


def test_records_written_around_the_orm_are_found_after_index_consultations(world):
    consultation = record(world, schedule(world), reply_points="答复要点：冷链仓储纳入规划")
    Consultation.objects.filter(pk=consultation.pk).update(reply_points="答复要点：铁路货场扩建")
    assert staff_finds(world, "铁路货场") == set()
    index_consultations(Consultation.objects.filter(pk=consultation.pk))
    assert staff_finds(world, "铁路货场") == {world.proposal.pk}
    assert staff_finds(world, "冷链仓储") == set()


# --- The database objects -----------------------------------------------------------------------


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        # A tiny table is scanned whole unless the planner is told not to; then only an index answers.
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN index")
@pytest.mark.parametrize(
    ("source", "index"), [(proposals_with_reply_text, REPLY_INDEX), (proposals_with_record_text, CONSULTATION_INDEX)]
)
def test_postgresql_answers_from_the_gin_and_scope_indexes(world, source, index):
    lookup = index.matching("postgresql", [("物流", False)])
    assert f"search_{index.name}_scope_vector_gin" in _plan(lookup.sql, lookup.params)
    scoped = index.matching("postgresql", [("物流", False)], [world.meeting.committee_id])
    plan = _plan(scoped.sql, scoped.params)
    assert f"Seq Scan on {index.pg_table}" not in plan
    # On a tiny table the planner may take the scope's b-tree instead; without it, the committee is an
    # index condition of the (scope, search_vector) GIN index (search/0005), not a filter over every
    # committee's matches. (DDL is transactional: the test's rollback puts the b-tree back.)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX search_{index.name}_scope")
    plan = _plan(scoped.sql, scoped.params)
    assert f"search_{index.name}_scope_vector_gin" in plan and "Index Cond: ((scope = " in plan
    # The staff source looks up its committees only.
    sql = source_sql(source, world.staff, "物流")
    assert "scope = " in sql and index.pg_table in sql


def test_the_lookup_is_narrowed_to_the_users_committees(world):
    sql = source_sql(proposals_with_reply_text, world.staff, "物流")
    if connection.vendor == "sqlite":
        committee = world.meeting.committee_id
        assert f'"\ue000{committee}"' in sql
    else:
        assert f"scope = {world.meeting.committee_id}::bigint" in sql


def test_a_proposal_moved_to_another_committee_takes_its_reply_text_along(world):
    draft_reply(world, body="经研究，拟在城东新建物流枢纽，明年开工。")
    other = make_other_committee()
    proposal = world.proposal
    proposal.meeting = other.meeting
    proposal.save()
    assert proposal.committee_id == other.committee.pk
    assert staff_finds(world, "物流枢纽", user=other.staff) == {proposal.pk}
    assert staff_finds(world, "物流枢纽") == set()


@pytest.mark.django_db(transaction=True)
def test_bench_data_fills_the_reply_and_record_indexes():
    from django.core.management import call_command

    from proposals.models import User

    call_command("bench_data", proposals=120, seed=3, committees=1)
    staff = User.objects.get(username="bench_staff")
    for source, model, field in [
        (proposals_with_reply_text, Reply, "body"),
        (proposals_with_record_text, Consultation, "reply_points"),
    ]:
        (term,) = parse_query("会同相关部门")
        expected = set(
            model.objects.filter(**{f"{field}__contains": term.text}).values_list("assignment__proposal_id", flat=True)
        )
        assert expected  # the bench texts hold the phrase
        assert set(source(staff, term)) == expected
