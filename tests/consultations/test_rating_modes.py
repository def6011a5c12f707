"""The committee's rating mode (issue 21, item 7): one score, or 办理态度 and 办理结果 with the
沟通方式 — the service, the rate page (the member's and staff's on the paper form), the assignment
page, the statistics and scorecard counted by hand, the proposal export and the workbook."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consultations import services
from consultations.actions import ConsultationAction
from consultations.models import ContactMethod, Rating, Satisfaction
from consultations.ratings import overall_value, rating_fields, reason_required, uses_two_scores
from documents.formats import document_date
from oversight.stats import meeting_stats
from oversight.workbook import columns as c
from oversight.workbook.export import export_workbook
from oversight.workbook.importer import workbook_import
from proposals.choices import RatingMode
from proposals.deadlines import add_months
from proposals.errors import DomainError
from proposals.models import (
    Assignment,
    AssignmentStatus,
    Committee,
    Proposal,
    ProposalStatus,
    TimelineEvent,
)
from tests.confirm import assert_confirmation, confirmed_repost
from tests.factories import make_assignment, make_proposal, make_reply, pdf_upload

pytestmark = pytest.mark.django_db

S, B, U = Satisfaction.SATISFIED, Satisfaction.BASIC, Satisfaction.UNSATISFIED


def set_mode(world, mode: str) -> Committee:
    committee = world.proposal.committee
    committee.rating_mode = mode
    committee.save(update_fields=["rating_mode"])
    return committee


def answer(assignment: Assignment, by) -> None:
    """This round's reply issued and the assignment answered (rows made directly, as a past round)."""
    make_reply(assignment, by=by, issued=timezone.localdate(), round=assignment.round)
    Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.REPLIED)
    Proposal.objects.filter(pk=assignment.proposal_id).update(status=ProposalStatus.REPLIED)


@pytest.fixture
def answered(world):
    answer(world.assignment, world.handler_a)
    return world


@pytest.fixture
def two_scores(answered):
    set_mode(answered, RatingMode.TWO_SCORES)
    return answered


def rate(world, actor, member=None, **scores):
    member = member or actor.member
    return services.rating_submit(assignment=world.assignment, actor=actor, member_id=member.pk, **scores)


# --- The rule: which fields, and the overall score ---------------------------------------------


def test_the_mode_decides_the_fields(world):
    committee = world.proposal.committee
    assert committee.rating_mode == RatingMode.SINGLE  # the default: as before
    assert rating_fields(committee) == ("value",) and not uses_two_scores(committee)
    committee.rating_mode = RatingMode.TWO_SCORES
    assert rating_fields(committee) == ("attitude", "result", "contact_method") and uses_two_scores(committee)


@pytest.mark.parametrize(
    ("attitude", "result", "overall"),
    [(S, S, S), (U, S, S), (B, S, S), (S, B, B), (S, U, U), (U, U, U), (B, U, U)],
)
def test_the_result_decides_the_overall_score(attitude, result, overall):
    assert overall_value(attitude=attitude, result=result) == overall


def test_a_reason_is_required_for_either_score_short_of_satisfied():
    assert not reason_required([S, S])
    assert reason_required([B, S]) and reason_required([S, U]) and reason_required([U])


# --- The service -------------------------------------------------------------------------------


def test_single_mode_refuses_the_two_scores_and_keeps_one_score(answered):
    with pytest.raises(DomainError) as exc:
        rate(answered, answered.member_user, value=S, attitude=S, result=S, contact_method="phone")
    assert exc.value.message == str(services.RATING_SCORES_NOT_USED)
    assert not Rating.objects.exists()
    rating = rate(answered, answered.member_user, value=S)
    assert (rating.value, rating.attitude, rating.result, rating.contact_method) == (S, "", "", "")
    assert TimelineEvent.objects.get(action=ConsultationAction.RATE).note == "张三：满意"


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"result": S, "contact_method": "phone"}, services.RATING_ATTITUDE_INVALID),
        ({"attitude": S, "contact_method": "phone"}, services.RATING_RESULT_INVALID),
        ({"attitude": S, "result": S}, services.RATING_CONTACT_INVALID),
        ({"attitude": S, "result": S, "contact_method": "email"}, services.RATING_CONTACT_INVALID),
        ({"attitude": "good", "result": S, "contact_method": "phone"}, services.RATING_ATTITUDE_INVALID),
        ({"value": S}, services.RATING_ATTITUDE_INVALID),
        ({"value": U, "attitude": S, "result": S, "contact_method": "phone"}, services.RATING_VALUE_DERIVED),
    ],
)
def test_two_scores_are_each_required_and_the_value_is_not_given(two_scores, scores, message):
    with pytest.raises(DomainError) as exc:
        rate(two_scores, two_scores.member_user, **scores)
    assert exc.value.message == str(message)
    assert not Rating.objects.exists()
    assert not TimelineEvent.objects.filter(action=ConsultationAction.RATE).exists()


def test_two_scores_store_the_derived_value_and_the_timeline_names_both(two_scores):
    rating = rate(two_scores, two_scores.member_user, attitude=S, result=B, contact_method="face_to_face", comment="慢")
    rating.refresh_from_db()
    assert (rating.value, rating.attitude, rating.result, rating.contact_method) == (B, S, B, "face_to_face")
    event = TimelineEvent.objects.get(action=ConsultationAction.RATE)
    assert event.note == "张三：办理态度 满意，办理结果 基本满意（总体 基本满意），沟通方式 面商\n慢"
    assert (event.from_state, event.to_state) == ("", B)
    # A value given as well is accepted when it is the derived one.
    again = rate(two_scores, two_scores.member_user, value=S, attitude=S, result=S, contact_method="phone")
    assert (again.pk, again.value, again.contact_method) == (rating.pk, S, "phone")
    change = TimelineEvent.objects.get(action=ConsultationAction.RATE_CHANGE)
    assert (change.from_state, change.to_state) == (B, S)


@pytest.mark.parametrize(("attitude", "result"), [(B, S), (U, S), (S, B)])
def test_either_score_short_of_satisfied_needs_a_reason(two_scores, attitude, result):
    with pytest.raises(DomainError) as exc:
        rate(two_scores, two_scores.member_user, attitude=attitude, result=result, contact_method="phone", comment=" ")
    assert exc.value.message == str(services.RATING_REASON_REQUIRED)
    assert not Rating.objects.exists()


def test_an_unsatisfied_attitude_alone_does_not_send_the_proposal_back(two_scores):
    rating = rate(two_scores, two_scores.member_user, attitude=U, result=S, contact_method="none", comment="没联系我")
    assert rating.value == S
    two_scores.assignment.refresh_from_db()
    assert (two_scores.assignment.status, two_scores.assignment.round) == (AssignmentStatus.REPLIED, 1)
    assert not TimelineEvent.objects.filter(action=ConsultationAction.REHANDLE).exists()


def test_an_unsatisfied_result_reopens_for_re_handling(two_scores):
    rating = rate(two_scores, two_scores.member_user, attitude=S, result=U, contact_method="phone", comment="未解决")
    assert rating.value == U
    a = two_scores.assignment
    a.refresh_from_db()
    assert (a.status, a.round) == (AssignmentStatus.REHANDLING, 2)
    assert a.due_date == add_months(timezone.localdate(), two_scores.meeting.rehandle_due_months)
    assert TimelineEvent.objects.filter(action=ConsultationAction.REHANDLE, to_state="rehandling").exists()
    assert Proposal.objects.get(pk=two_scores.proposal.pk).status == ProposalStatus.ASSIGNED


def test_staff_enter_two_scores_from_the_paper_form(two_scores):
    scores = {"attitude": B, "result": S, "contact_method": "written", "comment": "书面答复，未面谈"}
    with pytest.raises(DomainError) as exc:
        rate(two_scores, two_scores.staff, member=two_scores.cosigner, **scores)
    assert exc.value.message == str(services.RATING_FORM_REQUIRED)
    with pytest.raises(DomainError) as exc:
        rate(two_scores, two_scores.staff, member=two_scores.cosigner, result=S, contact_method="written",
             paper_form=pdf_upload("测评表.pdf"))  # fmt: skip
    assert exc.value.message == str(services.RATING_ATTITUDE_INVALID)
    rating = rate(
        two_scores, two_scores.staff, member=two_scores.cosigner, paper_form=pdf_upload("测评表.pdf"), **scores
    )
    assert (rating.member, rating.on_behalf, rating.entered_by) == (two_scores.cosigner, True, two_scores.staff)
    assert (rating.value, rating.attitude, rating.result, rating.contact_method) == (S, B, S, "written")
    assert rating.paper_form.name.endswith(".pdf")
    note = TimelineEvent.objects.get(action=ConsultationAction.RATE).note
    assert note.startswith(
        "李四：办理态度 基本满意，办理结果 满意（总体 满意），沟通方式 书面（工作人员凭纸质测评表代为录入）"
    )


# --- The rate page and the assignment page ----------------------------------------------------


def test_single_mode_page_is_as_before(answered, login):
    client = login(answered.member_user)
    url = reverse("consultations:rate", args=[answered.assignment.pk])
    form = client.get(url).context["form"]
    assert set(form.fields) == {"value", "comment"}
    assert client.post(url, {"value": "satisfied"}).status_code == 302
    assert Rating.objects.get().attitude == ""


def test_member_rates_two_scores_through_the_page(two_scores, login):
    client = login(two_scores.member_user)
    url = reverse("consultations:rate", args=[two_scores.assignment.pk])
    page = client.get(url)
    assert set(page.context["form"].fields) == {"attitude", "result", "contact_method", "comment"}
    body = page.content.decode()
    assert "办理态度" in body and "办理结果" in body and "面商" in body and "未沟通" in body
    # A missing contact method is a form error; nothing is written.
    response = client.post(url, {"attitude": "satisfied", "result": "satisfied"})
    assert response.status_code == 400 and "contact_method" in response.context["form"].errors
    # A score short of 满意 on the attitude alone needs a reason, too.
    response = client.post(url, {"attitude": "basic", "result": "satisfied", "contact_method": "phone"})
    assert response.context["form"].errors["comment"] == [str(services.RATING_REASON_REQUIRED)]
    assert not Rating.objects.exists()
    response = client.post(
        url, {"attitude": "basic", "result": "satisfied", "contact_method": "phone", "comment": "慢"}
    )
    assert response.status_code == 302
    rating = Rating.objects.get()
    assert (rating.value, rating.attitude, rating.result, rating.contact_method) == (S, B, S, "phone")
    # The page shows the rating given, to change it.
    assert client.get(url).context["form"].initial["attitude"] == B
    # The agency sees both scores and the contact method on the assignment page.
    handler_page = login(two_scores.handler_a).get(reverse("consultations:assignment", args=[two_scores.assignment.pk]))
    assert "办理态度 基本满意 · 办理结果 满意 · 沟通方式 电话" in handler_page.content.decode()


def test_an_unsatisfied_result_on_the_page_asks_first(two_scores, login):
    client = login(two_scores.member_user)
    url = reverse("consultations:rate", args=[two_scores.assignment.pk])
    data = {"attitude": "satisfied", "result": "unsatisfied", "contact_method": "face_to_face", "comment": "路没修"}
    response = client.post(url, data)
    due = add_months(timezone.localdate(), two_scores.meeting.rehandle_due_months)
    consequence = f"选择“不满意”后，该件将退回承办单位重新办理，办理时限为 {document_date(due)}。"
    assert_confirmation(response, url, consequence, "确认不满意")
    assert not Rating.objects.exists()
    assert client.post(url, confirmed_repost(response)).status_code == 302
    two_scores.assignment.refresh_from_db()
    assert (two_scores.assignment.status, two_scores.assignment.round) == (AssignmentStatus.REHANDLING, 2)
    assert Rating.objects.get().value == U


def test_staff_enter_the_paper_form_on_the_page(two_scores, login):
    client = login(two_scores.staff)
    url = reverse("consultations:rate", args=[two_scores.assignment.pk])
    form = client.get(url).context["form"]
    assert set(form.fields) == {"attitude", "result", "contact_method", "comment", "member", "paper_form"}
    data = {
        "attitude": "satisfied",
        "result": "satisfied",
        "contact_method": "written",
        "member": two_scores.cosigner.pk,
    }
    assert client.post(url, data).status_code == 400  # no scan
    assert not Rating.objects.exists()
    assert client.post(url, {**data, "paper_form": pdf_upload()}).status_code == 302
    rating = Rating.objects.get()
    assert (rating.member, rating.on_behalf, rating.contact_method, rating.value) == (
        two_scores.cosigner,
        True,
        "written",
        S,
    )


# --- Statistics and the scorecard, counted by hand ----------------------------------------------


def scored(assignment, member, by, value, attitude="", result="", contact="", round=1) -> Rating:
    return Rating.objects.create(
        assignment=assignment, round=round, member=member, value=value, attitude=attitude, result=result,
        contact_method=contact, entered_by=by,
    )  # fmt: skip


@pytest.fixture
def counted(world):
    """Three answered assignments of meeting 8-3, rated (the ratings in force marked ✓):

    TA0001 A: 张三 态度满意 结果基本满意 电话 (基本满意) ✓; 李四 态度基本满意 结果满意 面商 (满意) ✓
    TA0002 B: 张三 round 1 态度不满意 结果不满意 未沟通 (不满意), replaced by round 2:
              态度不满意 结果满意 面商 (满意) ✓
    TA0003 A: 张三 one score 满意, given before the committee changed its mode ✓ (no scores)

    In force: value 满意 3, 基本满意 1; 态度 满意 1, 基本满意 1, 不满意 1 (of 3); 结果 满意 2, 基本满意 1
    (of 3); 面商 2, 电话 1 (of 3). Agency A: 态度 2/2, 结果 2/2, 面商 1; agency B: 态度 0/1, 结果 1/1, 面商 1.
    """
    w = world
    set_mode(w, RatingMode.TWO_SCORES)
    answer(w.assignment, w.handler_a)
    p2 = make_proposal(meeting=w.meeting, created_by=w.staff, first_proposer=w.proposer, number="TA0002", sequence=2,
                       status=ProposalStatus.ASSIGNED, title="第二件")  # fmt: skip
    a2 = make_assignment(proposal=p2, agency=w.agency_b, assigned_by=w.staff)
    answer(a2, w.handler_b)
    make_reply(a2, by=w.handler_b, issued=timezone.localdate(), round=2)
    p3 = make_proposal(meeting=w.meeting, created_by=w.staff, first_proposer=w.proposer, number="TA0003", sequence=3,
                       status=ProposalStatus.ASSIGNED, title="第三件")  # fmt: skip
    a3 = make_assignment(proposal=p3, agency=w.agency_a, assigned_by=w.staff)
    answer(a3, w.handler_a)
    scored(w.assignment, w.proposer, w.member_user, B, S, B, "phone")
    scored(w.assignment, w.cosigner, w.cosigner_user, S, B, S, "face_to_face")
    scored(a2, w.proposer, w.member_user, U, U, U, "none")
    scored(a2, w.proposer, w.member_user, S, U, S, "face_to_face", round=2)
    scored(a3, w.proposer, w.member_user, S)
    return w


def test_statistics_count_both_scores_and_the_contact_methods(counted):
    stats = meeting_stats(counted.meeting)
    assert stats.two_scores
    t = stats.totals
    assert (t.ratings[S], t.ratings[B], t.ratings[U], t.rated) == (3, 1, 0, 4)
    assert (t.satisfaction_rate.numerator, t.satisfaction_rate.denominator) == (4, 4)
    assert dict(t.attitudes) == {S: 1, B: 1, U: 1}
    assert dict(t.results) == {S: 2, B: 1}
    assert dict(t.contacts) == {"face_to_face": 2, "phone": 1}
    assert (t.attitude_rate.numerator, t.attitude_rate.denominator, str(t.attitude_rate)) == (2, 3, "66.7%")
    assert (t.result_rate.numerator, t.result_rate.denominator, str(t.result_rate)) == (3, 3, "100.0%")
    assert [(code, r.numerator, r.denominator) for code, _label, r in t.contact_rows()] == [
        ("face_to_face", 2, 3),
        ("phone", 1, 3),
        ("written", 0, 3),
        ("none", 0, 3),
    ]
    by_agency = {row.agency.pk: row.tally for row in stats.agencies}
    a, b = by_agency[counted.agency_a.pk], by_agency[counted.agency_b.pk]
    assert (a.rated, str(a.attitude_rate), str(a.result_rate), a.contacts["face_to_face"]) == (3, "100.0%", "100.0%", 1)
    assert (b.rated, str(b.attitude_rate), str(b.result_rate), b.contacts["face_to_face"]) == (1, "0.0%", "100.0%", 1)


def test_statistics_page_shows_the_two_scores_only_in_that_mode(counted, login):
    client = login(counted.staff)
    url = reverse("oversight:statistics", args=[counted.meeting.pk])
    html = client.get(url).content.decode()
    assert 'data-figure="attitude_rate">66.7%（2/3）' in html
    assert 'data-figure="result_rate">100.0%（3/3）' in html
    assert 'data-figure="attitude_unsatisfied">1' in html and 'data-figure="result_satisfied">2' in html
    assert 'data-figure="contact_face_to_face">2' in html and 'data-figure="contact_phone">1' in html
    assert 'data-figure="satisfaction_rate">100.0%' in html  # the overall score, as before
    row_b = html.split(f'data-agency="{counted.agency_b.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-figure="agency_attitude_rate">0.0%' in row_b and 'data-figure="agency_result_rate">100.0%' in row_b
    assert "办理态度满意率 =（态度满意 + 态度基本满意）" in html
    set_mode(counted, RatingMode.SINGLE)
    html = client.get(url).content.decode()
    assert 'id="two-scores"' not in html and "办理态度满意率" not in html
    assert 'data-figure="satisfaction_rate">100.0%' in html


def test_scorecard_workbook_adds_the_two_scores_columns(counted, login):
    client = login(counted.staff)
    url = reverse("oversight:statistics_xlsx", args=[counted.meeting.pk])
    wb = load_workbook(io.BytesIO(client.get(url, {"part": "scorecard"}).content))
    card = wb["承办单位"]
    header = [cell.value for cell in card[4]]
    start = header.index("办理态度：满意")
    assert header[start - 2 : start] == ["按时办复率", "满意率"]
    assert header[start:] == [
        "办理态度：满意", "办理态度：基本满意", "办理态度：不满意",
        "办理结果：满意", "办理结果：基本满意", "办理结果：不满意",
        "面商", "电话", "书面", "未沟通", "办理态度满意率", "办理结果满意率",
    ]  # fmt: skip
    rows = {r[0]: r for r in card.iter_rows(min_row=5, values_only=True)}
    assert rows[counted.agency_b.name][start:] == (0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 0.0, 1.0)
    total = rows["合计"]
    assert total[start:start + 10] == (1, 1, 1, 2, 1, 0, 2, 1, 0, 0)  # fmt: skip
    assert total[start + 10] == pytest.approx(2 / 3) and total[start + 11] == 1.0
    assert card.cell(row=5, column=len(header)).number_format == "0.0%"
    full = load_workbook(io.BytesIO(client.get(url).content))
    sheet = full["两项测评"]
    assert [sheet["A5"].value, sheet["B5"].value, sheet["C5"].value] == ["办理态度：满意 + 基本满意", 2, 3]
    assert [sheet["A7"].value, sheet["B7"].value, sheet["C7"].value] == ["沟通方式：面商", 2, 3]
    # One score: the scorecard ends with 满意率, as before, and there is no such sheet.
    set_mode(counted, RatingMode.SINGLE)
    card = load_workbook(io.BytesIO(client.get(url, {"part": "scorecard"}).content))["承办单位"]
    assert [cell.value for cell in card[4]][-2:] == ["按时办复率", "满意率"]
    assert "两项测评" not in load_workbook(io.BytesIO(client.get(url).content)).sheetnames


# --- The proposal export and the workbook --------------------------------------------------------


def _export_rows(client) -> dict[str, dict]:
    response = client.get(reverse("proposals:export"))
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    return {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def test_proposal_export_adds_the_scores_to_the_satisfaction_cell(counted, login):
    rows = _export_rows(login(counted.staff))
    assert set(next(iter(rows.values()))) >= {"满意度"}  # the columns every committee has, no more
    assert (
        rows["TA0001"]["满意度"]
        == "满意、基本满意（办理态度：满意、基本满意，办理结果：满意、基本满意，沟通方式：面商、电话）"
    )
    assert rows["TA0002"]["满意度"] == "满意（办理态度：不满意，办理结果：满意，沟通方式：面商）"  # round 2 in force
    assert rows["TA0003"]["满意度"] == "满意"  # a one-score rating: as before
    # A member: their own rating only.
    mine = _export_rows(login(counted.cosigner_user))
    assert mine["TA0001"]["满意度"] == "满意（办理态度：基本满意，办理结果：满意，沟通方式：面商）"


def _workbook(world) -> bytes:
    out = io.BytesIO()
    export_workbook(out, committees=[world.proposal.committee])
    return out.getvalue()


def test_workbook_carries_the_mode_and_the_scores_and_reads_files_without_them(counted):
    data = _workbook(counted)
    wb = load_workbook(io.BytesIO(data))
    committees = wb[str(c.COMMITTEES.title)]
    header = [cell.value for cell in committees[1]]
    assert (
        committees.cell(row=3, column=header.index("满意度测评方式") + 1).value
        == "两项：办理态度和办理结果，并填沟通方式"
    )
    ratings = wb[str(c.RATINGS.title)]
    header = [cell.value for cell in ratings[1]]
    assert {"办理态度", "办理结果", "沟通方式"} <= set(header)
    by_unit = {
        (r[header.index("办理轮次")], r[header.index("委员")], r[header.index("提案编号")]): r
        for r in ratings.iter_rows(min_row=3, values_only=True)
    }
    row = by_unit[(2, "张三", "TA0002")]
    assert [row[header.index(h)] for h in ("测评结果", "办理态度", "办理结果", "沟通方式")] == [
        "满意",
        "不满意",
        "满意",
        "面商",
    ]
    # A re-import of the file puts back scores lost since.
    Rating.objects.update(attitude="", result="", contact_method="")
    Committee.objects.update(rating_mode=RatingMode.SINGLE)
    result = workbook_import(source=data, actor=counted.admin)
    assert result.committed, result.plan.problems
    assert Committee.objects.get(pk=counted.proposal.committee_id).rating_mode == RatingMode.TWO_SCORES
    r = Rating.objects.get(assignment__proposal__number="TA0002", round=2)
    assert (r.value, r.attitude, r.result, r.contact_method) == (S, U, S, ContactMethod.FACE_TO_FACE)
    # An older workbook, without the new columns: still read; the ratings keep their scores.
    for title, headers in (
        (c.RATINGS.title, ("办理态度", "办理结果", "沟通方式")),
        (c.COMMITTEES.title, ("满意度测评方式",)),
    ):
        ws = wb[str(title)]
        for h in headers:
            ws.delete_cols([cell.value for cell in ws[1]].index(h) + 1)
    old = io.BytesIO()
    wb.save(old)
    result = workbook_import(source=old.getvalue(), actor=counted.admin)
    assert result.committed, result.plan.problems
    r.refresh_from_db()
    assert (r.value, r.attitude, r.result, r.contact_method) == (S, U, S, ContactMethod.FACE_TO_FACE)
    assert Committee.objects.get(pk=counted.proposal.committee_id).rating_mode == RatingMode.TWO_SCORES


def test_workbook_refuses_scores_that_disagree_with_the_overall_value(counted):
    wb = load_workbook(io.BytesIO(_workbook(counted)))
    ratings = wb[str(c.RATINGS.title)]
    header = [cell.value for cell in ratings[1]]
    ratings.cell(row=3, column=header.index("测评结果") + 1, value="不满意")
    ratings.cell(row=4, column=header.index("办理结果") + 1).value = None
    out = io.BytesIO()
    wb.save(out)
    plan = workbook_import(source=out.getvalue(), actor=counted.admin, dry_run=True).plan
    problems = {(p.row, p.column, p.message) for p in plan.problems if p.sheet == str(c.RATINGS.title)}
    assert problems == {
        (3, "测评结果", str(services.ratings.RATING_VALUE_MISMATCH)),
        (4, "办理结果", str(services.ratings.RATING_SCORES_INCOMPLETE)),
    }
