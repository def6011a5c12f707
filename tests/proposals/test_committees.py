"""Many committees in one installation (issue 15): each numbers, classes, requires and publishes in
its own way, and no one sees or acts on another committee's records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from proposals import deadlines, services
from proposals.errors import DomainError
from proposals.models import (
    Agency,
    AssignmentRole,
    Category,
    Committee,
    CommitteeLevel,
    CommitteeReplyClass,
    DeadlineUnit,
    Meeting,
    Member,
    NumberStyle,
    ProposalStatus,
    Role,
)
from proposals.selectors import get_proposal_for_user, proposals_visible_to
from replies import rules
from replies import services as reply_services
from tests.factories import REPLY_DATA, make_assignment, make_proposal, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(world):
    """示范县政协: plain numbers, no class and no 负责人 required, its own meeting, agency, members."""
    committee = Committee.objects.create(
        name="中国人民政治协商会议示范县委员会",
        display_name="示范县政协",
        short_name="县政协",
        level=CommitteeLevel.COUNTY,
        parent=world.meeting.committee,
        number_width=None,
        number_style=NumberStyle.TIGHT,
        reply_class_required=False,
        leader_required=False,
    )
    meeting = Meeting.objects.create(committee=committee, term=10, session=4, number_prefix="", is_current=True)
    agency = Agency.objects.create(committee=committee, name="示范县发展和改革局")
    member = Member.objects.create(committee=committee, name="王建国")
    staff = make_user("county_staff", Role.STAFF, committee=committee)
    handler = make_user("county_handler", Role.HANDLER, agency=agency, phone="0356-1234567")
    leader = make_user("county_leader", Role.LEADER, agency=agency)
    member_user = make_user("county_member", Role.MEMBER, member=member)
    return type(
        "County",
        (),
        {
            "committee": committee,
            "meeting": meeting,
            "agency": agency,
            "member": member,
            "staff": staff,
            "handler": handler,
            "leader": leader,
            "member_user": member_user,
        },
    )


def county_proposal(county, **kw):
    return make_proposal(meeting=county.meeting, created_by=county.staff, first_proposer=county.member, **kw)


# --- Who belongs where ---------------------------------------------------------------------------


def test_users_of_an_agency_or_a_member_take_its_committee(county):
    assert county.handler.committee_id == county.committee.pk
    assert county.member_user.committee_id == county.committee.pk
    assert county_proposal(county).committee_id == county.committee.pk


def test_records_saved_without_a_committee_join_the_installations_first(world):
    first = Committee.objects.order_by("pk").first()
    assert Category.objects.create(name="新类别").committee_id == first.pk
    assert world.meeting.committee_id == first.pk and world.proposal.committee_id == first.pk


# --- Scope ---------------------------------------------------------------------------------------


def test_staff_see_and_act_on_their_committee_only(world, county, login):
    theirs = county_proposal(county)
    assert theirs not in proposals_visible_to(world.staff)
    assert world.proposal not in proposals_visible_to(county.staff)
    assert theirs in proposals_visible_to(county.staff)
    assert theirs in proposals_visible_to(world.admin)  # an administrator of every committee
    for user, proposal in ((world.staff, theirs), (county.staff, world.proposal)):
        response = login(user).get(reverse("proposals:detail", args=[proposal.pk]))
        assert response.status_code == 404


def test_an_administrator_limited_to_a_committee_sees_only_it(world, county):
    world.admin.committee = county.committee
    world.admin.save(update_fields=["committee"])
    assert list(proposals_visible_to(world.admin)) == []
    with pytest.raises(Exception) as exc:
        get_proposal_for_user(world.admin, world.proposal.pk)
    assert exc.type.__name__ == "Http404"


def test_staff_of_another_committee_cannot_register_or_assign(world, county):
    theirs = county_proposal(county)
    with pytest.raises(DomainError):
        services.proposal_register(proposal=theirs, actor=world.staff)
    services.proposal_register(proposal=theirs, actor=county.staff)
    theirs.refresh_from_db()
    spec = services.AssignmentSpec(agency=world.agency_a, role=AssignmentRole.LEAD)
    with pytest.raises(DomainError) as exc:
        services.proposal_assign(proposal=theirs, actor=county.staff, specs=[spec])
    assert exc.value.message == "所选的承办单位不属于本提案所在的政协委员会。"


def test_a_proposal_cannot_name_another_committees_member(world, county):
    with pytest.raises(DomainError) as exc:
        services.proposal_create(
            actor=county.staff, meeting=county.meeting, title="标题", main_content="内容", first_proposer=world.proposer
        )
    assert exc.value.message == "所选的提案人不属于本提案所在的政协委员会。"
    with pytest.raises(DomainError):  # nor file into another committee's meeting
        services.proposal_create(
            actor=county.staff, meeting=world.meeting, title="标题", main_content="内容", first_proposer=world.proposer
        )


def test_the_forms_offer_only_the_committees_choices(world, county, login):
    page = login(county.staff).get(reverse("proposals:create"))
    meetings = list(page.context["form"].fields["meeting"].queryset)
    members = list(page.context["form"].fields["first_proposer"].queryset)
    assert meetings == [county.meeting] and members == [county.member]
    listing = login(county.staff).get(reverse("proposals:list"))
    agencies = list(listing.context["filter"].form.fields["agency"].queryset)
    assert agencies == [county.agency]


def test_statistics_of_another_committees_meeting_answer_404(world, county, login):
    client = login(county.staff)
    assert client.get(reverse("oversight:statistics", args=[world.meeting.pk])).status_code == 404
    assert client.get(reverse("oversight:statistics", args=[county.meeting.pk])).status_code == 200


# --- Numbering -----------------------------------------------------------------------------------


def test_numbers_follow_each_committees_format(world, county):
    county.meeting.last_sequence = 11
    county.meeting.save(update_fields=["last_sequence"])
    theirs = county_proposal(county)
    services.proposal_register(proposal=theirs, actor=county.staff)
    theirs.refresh_from_db()
    assert (theirs.number, theirs.display_number) == ("12", "第12号")

    ours = make_proposal(meeting=world.meeting, created_by=world.staff, first_proposer=world.proposer)
    services.proposal_register(proposal=ours, actor=world.staff)
    ours.refresh_from_db()
    assert ours.display_number == f"第 {ours.number} 号" and ours.number.startswith("TA") and len(ours.number) == 6


@pytest.mark.parametrize(
    ("style", "shown"), [(NumberStyle.SPACED, "第 48 号"), (NumberStyle.TIGHT, "第48号"), (NumberStyle.PLAIN, "48号")]
)
def test_each_display_style(county, style, shown):
    county.committee.number_style = style
    county.committee.save(update_fields=["number_style"])
    proposal = county_proposal(county, number="48")
    proposal.refresh_from_db()
    assert proposal.display_number == shown


# --- Reply rules ---------------------------------------------------------------------------------


def _issue(assignment, handler, leader, **data):
    reply = reply_services.reply_create(assignment=assignment, actor=handler, data={**REPLY_DATA, **data})
    reply = reply_services.reply_submit(reply=reply, actor=handler)
    return reply_services.reply_issue(reply=reply, actor=leader)


def test_a_county_reply_without_a_leader_and_a_class_issues(county, settings):
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = False
    proposal = county_proposal(county, status=ProposalStatus.ASSIGNED, number="12")
    assignment = make_assignment(proposal=proposal, agency=county.agency, assigned_by=county.staff)
    reply = _issue(assignment, county.handler, county.leader, reply_class="", leader_name="")
    assert reply.status == "issued" and reply.reply_class == "" and reply.leader_name == ""
    assert reply.title == "关于县政协十届四次会议第12号提案的答复"


def test_a_jincheng_reply_without_a_class_is_refused(world, settings):
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = False
    reply = reply_services.reply_create(
        assignment=world.assignment, actor=world.handler_a, data={**REPLY_DATA, "reply_class": ""}
    )
    reply = reply_services.reply_submit(reply=reply, actor=world.handler_a)
    with pytest.raises(DomainError) as exc:
        reply_services.reply_issue(reply=reply, actor=world.leader_a)
    assert exc.value.message == "请选择答复类别（A 类、B 类或 C 类）后再签发。"


def test_a_committees_own_classes_replace_the_default_ones(county):
    for order, (code, label) in enumerate([("A", "A 类"), ("B1", "B1 类"), ("B2", "B2 类")]):
        CommitteeReplyClass.objects.create(committee=county.committee, code=code, label=label, order=order)
    assert rules.class_codes(rules.enabled_reply_classes(county.committee)) == ["A", "B1", "B2"]
    assert rules.class_list(rules.enabled_reply_classes(county.committee)) == "A 类、B1 类或 B2 类"
    assert rules.class_codes(rules.enabled_reply_classes()) == ["A", "B", "C"]  # the first committee's


def test_a_committee_may_require_the_document_number(county, settings):
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = False
    county.committee.doc_number_required = True
    county.committee.save(update_fields=["doc_number_required"])
    proposal = county_proposal(county, status=ProposalStatus.ASSIGNED)
    assignment = make_assignment(proposal=proposal, agency=county.agency, assigned_by=county.staff)
    with pytest.raises(DomainError) as exc:
        _issue(assignment, county.handler, county.leader, doc_number="")
    assert exc.value.message == "请填写发文字号后再签发。"


def test_the_signed_record_rule_is_the_committees_when_it_sets_one(county, settings):
    proposal = county_proposal(county)
    settings.REQUIRE_SIGNED_CONSULTATION_BEFORE_ISSUE = True
    assert rules.record_required_before_issue(proposal) is True
    county.committee.record_required_before_issue = False
    county.committee.save(update_fields=["record_required_before_issue"])
    proposal.refresh_from_db()
    assert rules.record_required_before_issue(proposal) is False


# --- Deadlines -----------------------------------------------------------------------------------


def test_deadlines_in_working_days(county):
    county.committee.deadline_unit = DeadlineUnit.WORKING_DAYS
    county.committee.save(update_fields=["deadline_unit"])
    meeting = Meeting.objects.get(pk=county.meeting.pk)
    meeting.due_months = meeting.rehandle_due_months = 1
    # One working day after 2024-09-30 is 2024-10-08 (国庆节); after 2024-10-11, the make-up Saturday.
    assert deadlines.default_due_date(meeting, AssignmentRole.LEAD, dt.date(2024, 9, 30)) == dt.date(2024, 10, 8)
    assert deadlines.rehandle_due_date(meeting, dt.date(2024, 10, 11)) == dt.date(2024, 10, 12)
    county.committee.deadline_unit = DeadlineUnit.MONTHS
    county.committee.save(update_fields=["deadline_unit"])
    meeting = Meeting.objects.get(pk=county.meeting.pk)
    meeting.due_months = 1
    assert deadlines.default_due_date(meeting, AssignmentRole.LEAD, dt.date(2024, 9, 30)) == dt.date(2024, 10, 30)


# --- A parent committee's read-only oversight ------------------------------------------------------


def test_a_parent_committees_staff_may_read_its_children_but_never_act(world, county, login):
    theirs = county_proposal(county)
    client = login(world.staff)
    assert client.get(reverse("proposals:detail", args=[theirs.pk])).status_code == 404
    world.staff.oversees_children = True
    world.staff.save(update_fields=["oversees_children"])
    page = login(world.staff).get(reverse("proposals:detail", args=[theirs.pk]))
    assert page.status_code == 200
    assert page.context["detail"].can_review is False  # no 立案 button on a child's proposal
    assert login(world.staff).get(reverse("oversight:statistics", args=[county.meeting.pk])).status_code == 200
    with pytest.raises(DomainError):
        services.proposal_register(proposal=theirs, actor=world.staff)
    # The county's staff do not see the parent committee's proposals, flag or not.
    county.staff.oversees_children = True
    county.staff.save(update_fields=["oversees_children"])
    assert world.proposal not in proposals_visible_to(county.staff)
