"""The proposer's choices on the proposal form (issue 21, item 6): suggested agencies (建议承办单位),
which staff see when assigning, and publication consent (是否同意公开) with a reason, which keeps
every reply to the proposal off the public pages."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from oversight.models import PublicReplyPdf, PublicReplyText
from oversight.public import refresh_public_texts
from oversight.services import public_pdf_store
from oversight.workbook import columns as c
from oversight.workbook.export import export_workbook
from oversight.workbook.importer import check_workbook, workbook_import
from proposals import services
from proposals.choices import ProposalAction
from proposals.models import Agency, Committee, Proposal, ProposalStatus
from proposals.services.common import OF_OTHER_COMMITTEE
from proposals.services.filing import REFUSAL_REASON_REQUIRED
from replies.models import NotPublicKind, Reply
from replies.services.defaults import PROPOSER_REFUSED, new_draft_defaults
from tests.factories import draft_reply, last_event, make_other_committee, make_reply, refused

pytestmark = pytest.mark.django_db

REASON = "涉及企业商业秘密"
TITLE = "关于加快产业合作的建议的答复"


def staff_form(world, **extra):
    data = {
        "meeting": world.meeting.pk,
        "title": "关于完善公交线网的建议",
        "proposer_kind": "individual",
        "first_proposer": world.proposer.pk,
        "main_content": "主要内容",
    }
    data.update(extra)
    return data


# --- Filing ----------------------------------------------------------------------------------
def test_staff_file_suggested_agencies_and_a_refusal(world, login):
    client = login(world.staff)
    html = client.get(reverse("proposals:create")).content.decode()
    assert "建议承办单位" in html and "是否同意公开" in html and world.agency_b.name in html
    response = client.post(
        reverse("proposals:create"),
        staff_form(
            world,
            suggested_agencies=[world.agency_b.pk, world.agency_a.pk],
            publication_consent="no",
            publication_refusal_reason=f"  {REASON} ",
        ),
    )
    p = Proposal.objects.get(title="关于完善公交线网的建议")
    assert response.status_code == 302
    assert set(p.suggested_agencies.all()) == {world.agency_a, world.agency_b}
    assert p.publication_consent is False and p.publication_refusal_reason == REASON
    assert last_event(p).action == ProposalAction.FILE
    page = client.get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "建议承办单位" in page and world.agency_b.name in page
    assert "不同意公开" in page and REASON in page


def test_a_form_without_the_choices_means_consent(world, login):
    response = login(world.staff).post(reverse("proposals:create"), staff_form(world))
    assert response.status_code == 302
    p = Proposal.objects.get(title="关于完善公交线网的建议")
    assert p.publication_consent is True and p.publication_refusal_reason == ""
    assert not p.suggested_agencies.exists()
    page = login(world.staff).get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert "同意公开" in page and "不同意公开</dd>" not in page


def test_member_files_online_with_the_choices_and_keeps_them_when_editing(world, login):
    client = login(world.member_user)
    html = client.get(reverse("proposals:create")).content.decode()
    assert "建议承办单位" in html
    # The agency picker answers staff only: a member's list is a plain select.
    assert 'data-picker="/proposals/pickers/agencies/' not in html
    response = client.post(
        reverse("proposals:create"),
        {
            "meeting": world.meeting.pk,
            "title": "委员的提案",
            "proposer_kind": "individual",
            "main_content": "x",
            "suggested_agencies": [world.agency_a.pk],
            "publication_consent": "no",
            "publication_refusal_reason": REASON,
        },
    )
    p = Proposal.objects.get(title="委员的提案")
    assert response.status_code == 302 and p.status == ProposalStatus.DRAFT
    assert list(p.suggested_agencies.all()) == [world.agency_a] and not p.publication_consent
    edit = client.get(reverse("proposals:edit", args=[p.pk]))
    form = edit.context["form"]
    assert form["publication_consent"].value() == "no" and form["publication_refusal_reason"].value() == REASON
    assert REASON in edit.content.decode()
    client.post(
        reverse("proposals:edit", args=[p.pk]),
        {
            "title": "委员的提案",
            "proposer_kind": "individual",
            "main_content": "y",
            "suggested_agencies": [world.agency_b.pk],
            "publication_consent": "yes",
            "publication_refusal_reason": REASON,
        },
    )
    p.refresh_from_db()
    assert list(p.suggested_agencies.all()) == [world.agency_b]
    # Agreeing drops the reason: nothing is kept that no longer applies.
    assert p.publication_consent is True and p.publication_refusal_reason == ""


def test_refusal_without_a_reason_is_refused_with_the_message(world, login):
    before = Proposal.objects.count()
    response = login(world.staff).post(
        reverse("proposals:create"),
        staff_form(world, publication_consent="no", publication_refusal_reason="   "),
    )
    assert response.status_code == 200
    assert str(REFUSAL_REASON_REQUIRED) in response.context["form"].errors["publication_refusal_reason"]
    assert Proposal.objects.count() == before
    # The service says the same to any other caller.
    with refused(REFUSAL_REASON_REQUIRED):
        services.proposal_create(
            actor=world.staff,
            meeting=world.meeting,
            title="无理由",
            main_content="x",
            first_proposer=world.proposer,
            publication_consent=False,
        )
    assert Proposal.objects.count() == before


def test_agencies_of_another_committee_are_refused(world, login):
    other = make_other_committee()
    before = Proposal.objects.count()
    response = login(world.staff).post(
        reverse("proposals:create"), staff_form(world, suggested_agencies=[other.agency.pk])
    )
    assert response.status_code == 200 and "suggested_agencies" in response.context["form"].errors
    assert other.agency.name not in login(world.staff).get(reverse("proposals:create")).content.decode()
    message = str(OF_OTHER_COMMITTEE) % {"what": "建议承办单位"}
    with refused(message):
        services.proposal_create(
            actor=world.staff,
            meeting=world.meeting,
            title="别的委员会的单位",
            main_content="x",
            first_proposer=world.proposer,
            suggested_agencies=[world.agency_a, other.agency],
        )
    assert Proposal.objects.count() == before


def test_member_draft_edit_refuses_another_committees_agency(world):
    other = make_other_committee()
    draft = services.proposal_create(actor=world.member_user, meeting=world.meeting, title="草稿", main_content="x")
    with refused(str(OF_OTHER_COMMITTEE) % {"what": "建议承办单位"}):
        services.proposal_update_draft(
            proposal=draft, actor=world.member_user, title="草稿", main_content="x", suggested_agencies=[other.agency]
        )
    assert not draft.suggested_agencies.exists()


# --- Assignment ------------------------------------------------------------------------------
@pytest.fixture
def registered(world):
    p = services.proposal_create(
        actor=world.staff,
        meeting=world.meeting,
        title="关于改善城区停车的建议",
        main_content="x",
        first_proposer=world.proposer,
        suggested_agencies=[world.agency_b, world.agency_a],
    )
    return services.proposal_register(proposal=p, actor=world.staff)


def test_assign_page_shows_the_suggestions_and_offers_the_first_as_lead(world, login, registered):
    response = login(world.staff).get(reverse("proposals:assign", args=[registered.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    block = html.split('id="suggested-agencies"', 1)[1].split("</div></div>", 1)[0]
    assert "提案人建议的承办单位" in html
    assert world.agency_a.name in block and world.agency_b.name in block
    # The first suggestion (by name) is the preselected lead; staff may change it.
    first = Agency.objects.filter(pk__in=[world.agency_a.pk, world.agency_b.pk]).order_by("name").first()
    assert first is not None
    assert response.context["form"]["lead_agency"].value() == first.pk
    assert f'<option value="{first.pk}" selected>' in html


def test_assign_page_names_an_inactive_suggestion_and_does_not_offer_it(world, login, registered):
    Agency.objects.filter(pk=world.agency_a.pk).update(is_active=False)
    response = login(world.staff).get(reverse("proposals:assign", args=[registered.pk]))
    html = response.content.decode()
    assert f"{world.agency_a.name}（已停用）" in html
    assert response.context["form"]["lead_agency"].value() == world.agency_b.pk


def test_assign_page_without_suggestions_has_no_block(world, login):
    p = services.proposal_register(
        proposal=services.proposal_create(
            actor=world.staff, meeting=world.meeting, title="无建议", main_content="x", first_proposer=world.proposer
        ),
        actor=world.staff,
    )
    response = login(world.staff).get(reverse("proposals:assign", args=[p.pk]))
    assert 'id="suggested-agencies"' not in response.content.decode()
    assert response.context["form"]["lead_agency"].value() is None


# --- Replies ---------------------------------------------------------------------------------
def refuse(proposal: Proposal, reason: str = REASON) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(publication_consent=False, publication_refusal_reason=reason)
    proposal.refresh_from_db()


def test_reply_of_a_refusing_proposer_defaults_to_not_public_with_the_reason(world, login):
    assert new_draft_defaults(world.assignment, world.handler_a)["is_public"] is True
    refuse(world.proposal)
    defaults = new_draft_defaults(world.assignment, world.handler_a)
    expected = str(PROPOSER_REFUSED) % {"reason": REASON}
    assert defaults["is_public"] is False
    assert defaults["not_public_kind"] == NotPublicKind.NOT_PUBLIC
    assert defaults["not_public_reason"] == expected == f"提案人不同意公开：{REASON}"
    # The empty form the handler sees is prefilled so.
    html = login(world.handler_a).get(reverse("replies:assignment", args=[world.assignment.pk])).content.decode()
    assert expected in html
    # And a draft saved without touching the box stays not public.
    reply = draft_reply(world)
    assert reply.is_public is False and reply.not_public_reason == expected


# --- Public pages ----------------------------------------------------------------------------
@pytest.fixture
def wrongly_public(world):
    """An issued reply marked 主动公开 although the proposer refused publication."""
    refuse(world.proposal)
    reply = make_reply(world.assignment, by=world.handler_a, issued=timezone.localdate(), title=TITLE)
    assert reply.is_public
    return reply


def test_public_pages_never_show_a_reply_of_a_refusing_proposer(world, client, wrongly_public):
    reply = wrongly_public
    link = reverse("oversight:public_detail", args=[reply.pk])
    listing = client.get(reverse("oversight:public_list"))
    assert listing.status_code == 200 and TITLE not in listing.content.decode() and link not in listing.content.decode()
    for q in ("产业合作", TITLE, "TA0001"):
        found = client.get(reverse("oversight:public_list"), {"q": q})
        assert found.status_code == 200 and link not in found.content.decode()
        assert not found.context["page"].object_list
    assert client.get(reverse("oversight:public_detail", args=[reply.pk])).status_code == 404
    assert client.get(reverse("oversight:public_pdf", args=[reply.pk])).status_code == 404
    # Nothing public is stored for it: neither the searchable text nor the public PDF.
    assert not PublicReplyText.objects.filter(reply=reply).exists()
    assert public_pdf_store(reply_id=reply.pk, force=True) is None
    assert not PublicReplyPdf.objects.filter(reply=reply).exists()
    assert refresh_public_texts([reply]) == 0
    assert not PublicReplyText.objects.filter(reply=reply).exists()


def test_the_same_reply_is_public_when_the_proposer_agrees(world, client, wrongly_public):
    # The control: only the refusal keeps it off.
    Proposal.objects.filter(pk=world.proposal.pk).update(publication_consent=True, publication_refusal_reason="")
    reply = Reply.objects.get(pk=wrongly_public.pk)
    refresh_public_texts([reply])
    assert PublicReplyText.objects.filter(reply=reply).exists()
    assert client.get(reverse("oversight:public_detail", args=[reply.pk])).status_code == 200
    found = client.get(reverse("oversight:public_list"), {"q": "产业合作"})
    assert reverse("oversight:public_detail", args=[reply.pk]) in found.content.decode()


def test_a_refusal_after_the_fact_removes_the_stored_public_text(world, wrongly_public):
    Proposal.objects.filter(pk=world.proposal.pk).update(publication_consent=True)
    reply = Reply.objects.get(pk=wrongly_public.pk)
    refresh_public_texts([reply])
    assert PublicReplyText.objects.filter(reply=reply).exists()
    Proposal.objects.filter(pk=world.proposal.pk).update(publication_consent=False)
    reply = Reply.objects.select_related("assignment__proposal").get(pk=reply.pk)
    reply.save()  # the post_save hook refreshes the public text
    assert not PublicReplyText.objects.filter(reply=reply).exists()


# --- Workbook --------------------------------------------------------------------------------
def _export() -> bytes:
    out = io.BytesIO()
    export_workbook(out, committees=list(Committee.objects.all()))
    return out.getvalue()


def test_workbook_carries_the_choices_and_a_reimport_restores_them(world):
    world.proposal.suggested_agencies.set([world.agency_a, world.agency_b])
    refuse(world.proposal)
    data = _export()
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data))[str(c.PROPOSALS.title)]
    headers = [cell.value for cell in ws[1]]
    row = {h: cell.value for h, cell in zip(headers, ws[3], strict=False)}
    assert set(str(row["建议承办单位"]).split("；")) == {world.agency_a.name, world.agency_b.name}
    assert row["是否同意公开"] == "否" and row["不同意公开的理由"] == REASON
    # Lose the choices, import the file: they come back.
    world.proposal.suggested_agencies.clear()
    Proposal.objects.filter(pk=world.proposal.pk).update(publication_consent=True, publication_refusal_reason="")
    result = workbook_import(source=data, actor=world.admin)
    assert result.committed
    world.proposal.refresh_from_db()
    assert set(world.proposal.suggested_agencies.all()) == {world.agency_a, world.agency_b}
    assert world.proposal.publication_consent is False and world.proposal.publication_refusal_reason == REASON


def test_workbook_without_the_new_columns_still_imports_and_keeps_the_choices(world):
    world.proposal.suggested_agencies.set([world.agency_b])
    refuse(world.proposal)
    data = _export()
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    ws = wb[str(c.PROPOSALS.title)]
    for header in ("不同意公开的理由", "是否同意公开", "建议承办单位"):  # right to left: indexes stay valid
        index = [cell.value for cell in ws[1]].index(header) + 1
        ws.delete_cols(index)
    out = io.BytesIO()
    wb.save(out)
    result = workbook_import(source=out.getvalue(), actor=world.admin)
    assert result.committed
    world.proposal.refresh_from_db()
    assert list(world.proposal.suggested_agencies.all()) == [world.agency_b]
    assert world.proposal.publication_consent is False and world.proposal.publication_refusal_reason == REASON


def test_workbook_refusal_without_reason_or_unknown_agency_is_a_problem(world):
    from openpyxl import load_workbook

    data = _export()
    wb = load_workbook(io.BytesIO(data))
    ws = wb[str(c.PROPOSALS.title)]
    headers = [cell.value for cell in ws[1]]
    ws.cell(row=3, column=headers.index("是否同意公开") + 1, value="否")
    ws.cell(row=3, column=headers.index("不同意公开的理由") + 1, value="")
    ws.cell(row=3, column=headers.index("建议承办单位") + 1, value="不存在的局")
    out = io.BytesIO()
    wb.save(out)
    plan = check_workbook(out.getvalue(), actor=world.admin)
    messages = [p.message for p in plan.problems]
    assert str(REFUSAL_REASON_REQUIRED) in messages
    assert any("不存在的局" in m for m in messages)


# --- Word import -----------------------------------------------------------------------------
def test_word_import_recognises_the_suggested_agencies(world, client):
    import docx
    from django.core.files.uploadedfile import SimpleUploadedFile

    Agency.objects.filter(pk=world.agency_b.pk).update(short_name="乙商务")
    document = docx.Document()
    for line in (
        "标题：关于改善老城区交通的建议",
        "提案人：张三",
        "主要内容：老城区高峰时段拥堵严重。",
        f"建议承办单位：{world.agency_a.name}、乙商务、不存在的局",
        "建议：优化信号灯配时。",
    ):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    client.force_login(world.staff)
    upload = SimpleUploadedFile("提案.docx", out.getvalue(), content_type="application/octet-stream")
    response = client.post(reverse("proposals:word_import"), {"file": upload})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["suggested_agencies"] == [world.agency_a.pk, world.agency_b.pk]
    # The line does not run into the suggestions (建议) before or after it.
    assert form.initial["suggestions"] == "优化信号灯配时。"
    assert "未找到建议承办单位“不存在的局”，请手动选择。" in response.content.decode()
