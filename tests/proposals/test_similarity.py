"""Similar proposals (issue 21, item 4): quality on a labelled set, scope, the index, "不相似"."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from proposals.models import (
    Meeting,
    Proposal,
    ProposalAction,
    ProposalStatus,
    SimilarityDismissal,
    SimilarityDocFreq,
    SimilarityTerm,
    SimilarityVector,
    TimelineEvent,
)
from proposals.roles import NOT_ALLOWED
from proposals.services import proposal_create
from proposals.services.similarity import (
    ALREADY_DISMISSED,
    SAME_PROPOSAL,
    similarity_dismiss,
    similarity_index,
    similarity_rebuild,
)
from proposals.similarity import shared_words, similar_proposals
from proposals.views.similarity import OTHER_REQUIRED
from tests.factories import make_other_committee, make_proposal, refused

pytestmark = pytest.mark.django_db

# Topics with words of their own, and a stock of phrases every proposal may use: the labelled set
# is only "easy" if the method looks past the shared boilerplate. Two pairs of topics share a
# word on purpose (农村…, 老旧小区…).
TOPICS = {
    "water": ("农村饮水安全", ["自来水管网", "水源地保护", "水质检测", "供水工程", "饮水设施维修"]),
    "village": ("农村人居环境整治", ["厕所革命", "生活污水处理", "村容村貌", "垃圾收运", "庭院整治"]),
    "lift": ("老旧小区加装电梯", ["加装电梯", "楼道改造", "业主意见", "电梯维保", "低层住户补偿"]),
    "parking": ("城市停车难", ["停车泊位", "立体停车库", "错时共享停车", "占道停车", "停车收费"]),
    "elderly": ("智慧养老服务", ["居家养老", "助餐服务", "失能老人照护", "养老服务中心", "适老化改造"]),
    "school": ("学前教育普惠", ["普惠性幼儿园", "幼儿教师待遇", "入园难", "保教质量", "民办园扶持"]),
    "credit": ("中小企业融资", ["贷款担保", "融资成本", "信用贷款", "应收账款质押", "风险补偿基金"]),
    "heritage": ("非物质文化遗产保护", ["非遗传承人", "传统技艺", "非遗工坊", "民俗活动", "口述史记录"]),
}
STOCK = [
    "近年来，我市在这方面取得了一定成效，但仍存在资金投入不足、统筹协调不够等问题。",
    "建议建立由政府牵头、相关部门参与的联席会议制度。",
    "建议设立专项资金并纳入年度财政预算。",
    "要加强专业人才队伍建设，完善考核评价办法。",
    "建议开展专项督查并定期通报，强化督导检查和问责。",
    "同时要注重发挥政协委员的监督作用。",
    "相关数据应当定期向社会公开。",
]
PER_TOPIC = 6


def _text(rng: random.Random, topic: str) -> tuple[str, str]:
    name, words = TOPICS[topic]
    picked = rng.sample(words, 3)
    title = (
        f"关于{rng.choice(['加快', '推进', '完善', '加强'])}{name}{rng.choice(['工作', '体系建设', '长效机制'])}的建议"
    )
    body = [
        rng.choice(STOCK),
        f"当前{name}中，{picked[0]}和{picked[1]}问题群众反映较多。",
        rng.choice(STOCK),
        f"建议重点抓好{picked[2]}，把{picked[0]}纳入考核。",
        rng.choice(STOCK),
    ]
    return title, "".join(body)


def _labelled_set(world) -> dict[int, str]:
    """PER_TOPIC proposals per topic, over two meetings of the world's committee: id -> topic."""
    rng = random.Random(21)  # noqa: S311 - fixed test data, not a secret
    earlier = Meeting.objects.create(term=8, session=2, number_prefix="TB")
    labels = {}
    for topic in TOPICS:
        for i in range(PER_TOPIC):
            title, content = _text(rng, topic)
            p = make_proposal(
                meeting=earlier if i % 3 == 0 else world.meeting,
                created_by=world.staff,
                first_proposer=world.proposer,
                status=ProposalStatus.REGISTERED,
                title=title,
                main_content=content,
            )
            labels[p.pk] = topic
    return labels


def test_precision_at_5_on_labelled_topics(world):
    labels = _labelled_set(world)
    precisions = []
    for pk, topic in labels.items():
        proposal = Proposal.objects.get(pk=pk)
        top = similar_proposals(proposal, limit=5)
        # The world's own proposal (产业合作) is in the corpus too: a miss if it is returned.
        hits = sum(1 for other, _score in top if labels.get(other.pk) == topic)
        if proposal.meeting_id == world.meeting.pk:  # the current meeting sees every topic-mate
            assert len(top) == 5
            precisions.append(hits / 5)
    precision = sum(precisions) / len(precisions)
    print(f"similarity precision@5 = {precision:.3f} over {len(precisions)} queries")
    assert precision >= 0.8


def test_scores_are_best_first_between_0_and_1(world):
    _labelled_set(world)
    top = similar_proposals(Proposal.objects.filter(title__contains="电梯").latest("pk"), limit=10)
    scores = [s for _p, s in top]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s <= 1 for s in scores)


def _pair(world, **extra):
    text = dict(title="关于推进老旧小区加装电梯工作的建议", main_content="老旧小区加装电梯涉及业主意见协调和资金分担。")
    a = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer, **text)
    b = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.unrelated, **text, **extra)
    return a, b


def test_never_itself_another_committee_a_later_meeting_or_a_draft(world):
    a, b = _pair(world)
    text = dict(title=a.title, main_content=a.main_content)
    other = make_other_committee()
    make_proposal(meeting=other.meeting, created_by=other.staff, first_proposer=other.member, **text)
    later = Meeting.objects.create(term=8, session=4, number_prefix="TC")
    make_proposal(meeting=later, created_by=world.staff, first_proposer=world.proposer, **text)
    make_proposal(
        meeting=world.meeting,
        created_by=world.member_user,
        first_proposer=world.proposer,
        status=ProposalStatus.DRAFT,
        **text,
    )
    result = similar_proposals(a)
    assert [p.pk for p, _s in result] == [b.pk]
    assert result[0][1] == pytest.approx(1.0, abs=1e-3)


def test_shared_words_are_marked_in_the_other_title(world):
    a, b = _pair(world)
    shared = shared_words(a, [b])[b.pk]
    assert "<mark>" in shared.title_html
    assert "加装电梯" in "".join(shared.words)
    assert "<" not in "".join(shared.words)


def test_title_is_escaped_when_marked(world):
    a = make_proposal(meeting=world.meeting, created_by=world.staff, title="关于<b>加装电梯</b>的建议")
    b = make_proposal(meeting=world.meeting, created_by=world.staff, title="关于<b>加装电梯</b>的建议")
    html = shared_words(a, [b])[b.pk].title_html
    assert "<b>" not in html
    assert "&lt;b&gt;" in html


# --- The index ------------------------------------------------------------------------------


def test_staff_filing_indexes_the_proposal_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(
            actor=world.staff,
            meeting=world.meeting,
            title="关于加强中小企业融资担保的建议",
            main_content="中小企业融资难、融资贵。",
            first_proposer=world.proposer,
        )
    vector = SimilarityVector.objects.get(proposal=proposal)
    assert "融资" in vector.grams.split()
    assert SimilarityDocFreq.objects.get(committee_id=world.meeting.committee_id, term="融资").df == 1
    assert SimilarityTerm.objects.filter(proposal=proposal, term="融资").exists()


def test_member_draft_is_not_indexed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        draft = proposal_create(
            actor=world.member_user, meeting=world.meeting, title="关于智慧养老的建议", main_content="居家养老。"
        )
    assert not SimilarityVector.objects.filter(proposal=draft).exists()


def test_changed_text_is_reindexed_and_document_frequencies_follow(world):
    a, b = _pair(world)
    similar_proposals(a)  # indexes both
    committee = world.meeting.committee_id
    assert SimilarityDocFreq.objects.get(committee_id=committee, term="电梯").df == 2
    Proposal.objects.filter(pk=b.pk).update(title="关于学前教育普惠的建议", main_content="普惠性幼儿园不足。")
    similar_proposals(Proposal.objects.get(pk=b.pk))  # the query's own text is checked each time
    assert SimilarityDocFreq.objects.get(committee_id=committee, term="电梯").df == 1
    assert SimilarityDocFreq.objects.get(committee_id=committee, term="幼儿").df == 1
    assert similar_proposals(a) == []


def test_rebuild_gives_the_same_postings_as_the_incremental_index(world):
    labels = _labelled_set(world)
    for pk in [*labels, world.proposal.pk]:
        similarity_index(proposal=Proposal(pk=pk))
    incremental = dict(((p, t), w) for p, t, w in SimilarityTerm.objects.values_list("proposal_id", "term", "weight"))
    df_before = dict(SimilarityDocFreq.objects.values_list("term", "df"))
    similarity_rebuild(committee_id=world.meeting.committee_id)
    assert dict(SimilarityDocFreq.objects.values_list("term", "df")) == df_before
    rebuilt = SimilarityTerm.objects.values_list("proposal_id", "term", "weight")
    # Early proposals were weighted with the counts of their day; the terms they keep are mostly the same.
    same = sum(1 for p, t, _w in rebuilt if (p, t) in incremental)
    assert same >= 0.8 * len(incremental)


# --- 不相似 -----------------------------------------------------------------------------------


def test_staff_dismiss_a_pair_with_an_event_on_both(world):
    a, b = _pair(world)
    dismissal = similarity_dismiss(proposal=b, other=a, actor=world.staff)
    assert (dismissal.proposal_id, dismissal.other_id) == (min(a.pk, b.pk), max(a.pk, b.pk))
    for p in (a, b):
        event = TimelineEvent.objects.get(proposal=p, action=ProposalAction.SIMILARITY_DISMISS)
        assert event.actor == world.staff
        assert "标记为不相似" in event.note
    assert similar_proposals(a) == []
    assert similar_proposals(b) == []
    with refused(ALREADY_DISMISSED):
        similarity_dismiss(proposal=a, other=b, actor=world.staff)
    assert SimilarityDismissal.objects.count() == 1


def test_dismiss_refused_to_non_staff_and_for_the_same_proposal(world):
    a, b = _pair(world)
    for user in (world.handler_a, world.member_user, world.admin):
        with refused(NOT_ALLOWED):
            similarity_dismiss(proposal=a, other=b, actor=user)
    with refused(SAME_PROPOSAL):
        similarity_dismiss(proposal=a, other=a, actor=world.staff)
    other = make_other_committee()
    c = make_proposal(meeting=other.meeting, created_by=other.staff, title=a.title)
    with refused(NOT_ALLOWED):
        similarity_dismiss(proposal=a, other=c, actor=world.staff)
    assert not SimilarityDismissal.objects.exists()
    assert not TimelineEvent.objects.filter(action=ProposalAction.SIMILARITY_DISMISS).exists()


# --- The page ---------------------------------------------------------------------------------


def test_staff_see_the_panel_with_marks_and_links(client, world):
    a, b = _pair(world)
    client.force_login(world.staff)
    html = client.get(reverse("proposals:detail", args=[a.pk])).content.decode()
    assert 'id="similar"' in html
    assert f'data-similar="{b.pk}"' in html
    assert reverse("proposals:detail", args=[b.pk]) in html
    assert "<mark>" in html
    assert "100%" in html


def test_agency_and_members_do_not_see_the_panel(client, world):
    _pair(world)
    for user in (world.handler_a, world.member_user):
        client.force_login(user)
        response = client.get(reverse("proposals:detail", args=[world.proposal.pk]))
        assert response.status_code == 200
        assert 'id="similar"' not in response.content.decode()


def test_dismiss_view_marks_the_pair_and_the_panel_drops_it(client, world):
    a, b = _pair(world)
    client.force_login(world.staff)
    url = reverse("proposals:similarity_dismiss", args=[a.pk])
    assert client.get(url).status_code == 405
    asked = client.post(url, {"other": b.pk})  # asked first: nothing is marked yet
    assert asked.status_code == 200 and "确认标记为不相似" in asked.content.decode()
    assert not SimilarityDismissal.objects.exists()
    response = client.post(url, {"other": b.pk, "confirm": "1"})
    assert response.status_code == 302
    assert SimilarityDismissal.objects.filter(proposal_id=min(a.pk, b.pk), other_id=max(a.pk, b.pk)).exists()
    html = client.get(reverse("proposals:detail", args=[a.pk])).content.decode()
    assert f'data-similar="{b.pk}"' not in html


def test_dismiss_view_bad_input_and_outsiders(client, world):
    a, b = _pair(world)
    other = make_other_committee()
    c = make_proposal(meeting=other.meeting, created_by=other.staff, title=a.title)
    url = reverse("proposals:similarity_dismiss", args=[a.pk])
    client.force_login(world.staff)
    response = client.post(url, {"other": "x", "confirm": "1"}, follow=True)
    assert str(OTHER_REQUIRED) in response.content.decode()
    assert client.post(url, {"other": c.pk}).status_code == 404  # another committee's: "missing"
    assert client.post(url, {"other": 999999}).status_code == 404
    client.force_login(world.handler_a)  # a is not assigned to agency A: not theirs to see
    assert client.post(url, {"other": b.pk}).status_code == 404
    client.force_login(other.staff)
    assert client.post(url, {"other": b.pk}).status_code == 404
    assert not SimilarityDismissal.objects.exists()


def test_index_command_rebuilds_every_committee(world):
    a, b = _pair(world)
    other = make_other_committee()
    c = make_proposal(meeting=other.meeting, created_by=other.staff, title=a.title, main_content=a.main_content)
    out = StringIO()
    call_command("similarity_index", stdout=out)
    assert set(SimilarityVector.objects.values_list("proposal_id", flat=True)) == {world.proposal.pk, a.pk, b.pk, c.pk}
    assert SimilarityDocFreq.objects.get(committee_id=other.committee.pk, term="电梯").df == 1
    assert SimilarityDocFreq.objects.get(committee_id=world.meeting.committee_id, term="电梯").df == 2
    assert "4 件提案" in out.getvalue()
