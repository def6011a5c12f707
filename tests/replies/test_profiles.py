"""Letter profiles (issue 16): a committee's or an agency's own letter layout, followed by the
reply's default texts, its form and its PDF; without one, TA0207's layout."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from oversight.public import public_reply_context
from proposals.models import Assignment, Committee, Proposal
from replies import profiles
from replies.forms import ReplyForm
from replies.models import (
    AddresseeStyle,
    ClassMarkStyle,
    ContactPlace,
    LetterProfile,
    Reply,
    TitleStyle,
)
from replies.pdf import reply_context, reply_pdf_bytes
from replies.services.defaults import new_draft_defaults
from tests.documents.pdfutil import pdf_lines, pdf_text, squeeze

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_reply(db):
    call_command("load_demo", "--password", "Demo-Pass-2024!", "--force", stdout=io.StringIO())
    return Reply.objects.select_related("assignment__proposal", "assignment__agency").get(
        assignment__proposal__number="12"
    )


def test_the_county_letter_prints_each_part_of_its_profile_in_its_place(county_reply):
    data = reply_pdf_bytes(county_reply)
    text = squeeze(pdf_text(data))
    for part in (
        "对县政协十届四次会议第12号提案的复函",
        "类别：B",
        "签发人：孙立新",
        "示发改函〔2025〕8号",
        "王建国、刘芳、陈志强委员：",
        "专此答复。",
        "经办人及联系电话：赵晓明0356—6021234",
        "抄送：县政协提案委员会，县农业农村局。",
        "示范县发展和改革局办公室",
        "2025年3月18日印发",
    ):
        assert part in text, part
    assert "负责人" not in text and "A 类" not in text
    lines = pdf_lines(data)

    def where(fragment: str):
        return next(line for line in lines if fragment in line.text.replace(" ", ""))

    date, contact, printed = where("2025年3月18日"), where("经办人及联系电话"), where("印发")
    # The contact block is the note after the date (same page, below it); the 印发 line ends the letter.
    assert (contact.page, contact.y_min) > (date.page, date.y_min)
    assert (printed.page, printed.y_min) > (contact.page, contact.y_min)
    doc, signer = where("示发改函"), where("签发人")
    assert doc.page == signer.page == 1 and abs(doc.y_min - signer.y_min) < 2 and doc.x_max < signer.x_min


def test_the_form_shows_what_the_profile_prints_with_its_labels(county_reply):
    county_form = ReplyForm(instance=county_reply, assignment=county_reply.assignment)
    assert {"signer_name", "printed_by", "printed_on", "copy_to"} <= set(county_form.fields)
    assert "leader_name" not in county_form.fields and "report_to" not in county_form.fields
    assert county_form.fields["handler_name"].label == "经办人"


def test_the_default_form_asks_only_for_what_ta0207_prints(world):
    default_form = ReplyForm(assignment=world.assignment)
    assert not {"signer_name", "report_to", "printed_by", "printed_on", "not_public_kind"} & set(default_form.fields)
    assert default_form.fields["leader_name"].label == "负责人"


def test_a_field_the_profile_does_not_print_keeps_its_value_on_save(county_reply):
    form = ReplyForm(
        data={"title": "标题", "addressee": "王建国等委员：", "body": "正文", "version": "1"},
        instance=county_reply,
        assignment=county_reply.assignment,
    )
    form.is_valid()
    assert "leader_name" not in form.service_data()


def test_an_agencys_profile_wins_over_its_committees(world):
    committee = world.proposal.committee
    LetterProfile.objects.create(committee=committee, name="委员会格式", title_style=TitleStyle.TO_REPLY)
    assert profiles.profile_for(world.assignment).name == "委员会格式"
    LetterProfile.objects.create(
        committee=committee,
        agency=world.agency_a,
        name="发改委格式",
        title_style=TitleStyle.ABOUT_LETTER,
        addressee_style=AddresseeStyle.ALL_NAMES,
        closings="专此答复。\n特此函复。",
    )
    assignment = Assignment.objects.get(pk=world.assignment.pk)
    defaults = new_draft_defaults(assignment, world.handler_a)
    assert defaults["title"].startswith("关于") and defaults["title"].endswith("号提案的复函")
    assert defaults["closing"] == "专此答复。"


def test_without_a_profile_the_letter_is_laid_out_as_ta0207(world):
    assert profiles.profile_for(world.assignment) is profiles.DEFAULT_PROFILE
    reply = Reply(assignment=world.assignment, title="t", addressee="a", reply_class="A", leader_name="王")
    ctx = reply_context(reply)
    assert (ctx["class_place"], ctx["class_mark"], ctx["signer_line"], ctx["contact_after_date"]) == (
        "top_right",
        "A 类",
        "",
        False,
    )
    assert [row["label"] for row in ctx["contact_rows"]] == ["负责人：", "承办人：", "联系电话："]


@pytest.mark.parametrize(
    ("style", "place", "text"),
    [
        (ClassMarkStyle.TOP_RIGHT, "top_right", "B1 类"),
        (ClassMarkStyle.LINE, "line", "类别：B1"),
        (ClassMarkStyle.WITH_DOC_NUMBER, "with_doc_number", "B1"),
        (ClassMarkStyle.NONE, "", ""),
    ],
)
def test_class_mark_styles(style, place, text):
    mark = profiles.class_mark(LetterProfile(class_mark=style), "B1")
    assert (mark.place, mark.text) == (place, text)


def test_the_public_copy_masks_the_phone_of_the_combined_contact_line(county_reply):
    ctx = public_reply_context(county_reply)
    assert county_reply.phone and "6021234" not in str(ctx)
    assert any(row["handler"] and row["phone"] for row in ctx["contact_rows"])  # the combined line prints ctx["phone"]


def test_a_profile_cannot_drop_the_leader_line_its_committee_requires(world):
    committee = Committee.objects.get(pk=world.proposal.committee_id)
    assert committee.leader_required
    with pytest.raises(ValidationError) as exc:
        LetterProfile(committee=committee, name="x", show_leader=False).full_clean()
    assert "show_leader" in exc.value.message_dict


def test_the_admin_previews_a_profile_as_a_pdf(world, login):
    profile = LetterProfile.objects.create(
        committee=world.proposal.committee, name="预览", contact_place=ContactPlace.AFTER_DATE, show_printed=True
    )
    response = login(world.admin).get(reverse("admin:replies_letterprofile_preview", args=[profile.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "印发" in squeeze(pdf_text(body))
    assert Proposal.objects.count() == 1  # the sample letter is built in memory, nothing is saved


def test_export_pdf_prints_the_county_letter_and_names_the_committee_when_ambiguous(county_reply, tmp_path):
    from django.core.management.base import CommandError

    out = tmp_path / "c12.pdf"
    args = ["export_pdf", "reply", "--session", "10-4", "--number", "12", "--agency", "示范县发展和改革局"]
    call_command(*args, "-o", str(out), stdout=io.StringIO())
    assert "对县政协十届四次会议第12号提案的复函" in squeeze(pdf_text(out.read_bytes()))
    # Another committee with its own 十届四次会议 and 第12号: the command asks which.
    other = Committee.objects.create(
        name="中国人民政治协商会议乙县委员会", display_name="乙县政协", short_name="县政协"
    )
    from proposals.models import Meeting

    meeting = Meeting.objects.create(committee=other, term=10, session=4, number_prefix="")
    Proposal.objects.create(
        meeting=meeting, number="12", title="乙", main_content="x", created_by=county_reply.created_by
    )
    with pytest.raises(CommandError) as exc:
        call_command(*args, "-o", str(out), stdout=io.StringIO())
    assert "--committee" in str(exc.value) and "乙县政协" in str(exc.value)
    call_command(*args, "--committee", "示范县政协", "-o", str(out), stdout=io.StringIO())
