"""The Word import page: a .docx prefills the filing form, and the saved proposal keeps the file as
its attachment; a file that is no Word document, or says nothing recognisable, gets a message and
the empty form."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.docx_form import DOCX_UNPACKED_TOO_LARGE, NOT_A_WORD_FILE, NOTHING_RECOGNISED
from proposals.models import Attachment, Proposal, ProposalStatus, ProposerKind
from proposals.views.word import FILE_GONE, PENDING_FOLDER, SESSION_KEY
from tests.factories import make_user
from tests.proposals.test_docx_form import (
    paragraph_form_docx,
    table_form_docx,
    unrecognisable_docx,
    zip_bomb_docx,
)

pytestmark = pytest.mark.django_db
URL = reverse("proposals:word_import")


def _upload(data: bytes, name: str = "提案.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _pending_files() -> list[str]:
    if not default_storage.exists(PENDING_FOLDER):
        return []
    return default_storage.listdir(PENDING_FOLDER)[1]


def _token(client) -> str:
    (token,) = client.session[SESSION_KEY].keys()
    return token


def test_staff_import_a_table_form_and_file_it_with_the_word_file_attached(world, client):
    client.force_login(world.staff)
    assert client.get(URL).status_code == 200
    data = table_form_docx()
    response = client.post(URL, {"file": _upload(data)})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == "关于加快产业合作的建议"
    assert form.initial["first_proposer"] == world.proposer.pk
    assert form.initial["cosigners"] == [world.cosigner.pk, world.unrelated.pk]  # 李四、王五
    assert form.initial["proposer_kind"] == ProposerKind.JOINT
    assert form.initial["reason"].startswith("两地产业互补性强")
    assert "关于加快产业合作的建议" in response.content.decode()
    assert len(_pending_files()) == 1

    response = client.post(
        URL,
        {
            "step": "file",
            "word_token": _token(client),
            "meeting": world.meeting.pk,
            "title": form.initial["title"],
            "proposer_kind": ProposerKind.JOINT,
            "first_proposer": world.proposer.pk,
            "cosigners": [world.cosigner.pk],
            "main_content": form.initial["main_content"],
            "reason": form.initial["reason"],
            "suggestions": form.initial["suggestions"],
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.exclude(pk=world.proposal.pk).get(title="关于加快产业合作的建议")
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])
    assert proposal.status == ProposalStatus.SUBMITTED
    attachment = Attachment.objects.get(proposal=proposal)
    assert attachment.original_name == "提案.docx"
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    with attachment.file.open("rb") as fh:
        assert fh.read() == data
    # The waiting copy is gone, and so is the token.
    assert _pending_files() == []
    assert not client.session[SESSION_KEY]


def test_a_member_imports_free_paragraphs_into_their_draft(world, client):
    world.meeting.is_current = True
    world.meeting.save(update_fields=["is_current"])
    client.force_login(world.member_user)
    response = client.post(URL, {"file": _upload(paragraph_form_docx())})
    form = response.context["form"]
    assert form.initial["title"] == "关于改善老城区交通的建议"
    assert form.initial["main_content"] == "老城区高峰时段拥堵严重。"
    assert form.initial["cosigners"] == [world.cosigner.pk]
    response = client.post(
        URL,
        {
            "step": "file",
            "word_token": _token(client),
            "meeting": world.meeting.pk,
            "title": form.initial["title"],
            "proposer_kind": ProposerKind.JOINT,
            "cosigners": [world.cosigner.pk],
            "main_content": form.initial["main_content"],
            "reason": form.initial["reason"],
            "suggestions": form.initial["suggestions"],
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="关于改善老城区交通的建议")
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.first_proposer == world.proposer
    assert proposal.attachments.count() == 1


def test_names_that_match_no_member_are_left_to_choose(world, client):
    world.unrelated.is_active = False  # 王五 of the form is then nobody to choose
    world.unrelated.save(update_fields=["is_active"])
    client.force_login(world.staff)
    response = client.post(URL, {"file": _upload(table_form_docx())})
    assert response.context["form"].initial["cosigners"] == [world.cosigner.pk]
    assert "未找到名为“王五”的委员，请手动选择。" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (unrecognisable_docx(), NOTHING_RECOGNISED),
        (b"<html><body>renamed</body></html>", NOT_A_WORD_FILE),
        (zip_bomb_docx(), DOCX_UNPACKED_TOO_LARGE % {"limit": 50}),
    ],
    ids=["nothing-recognised", "not-a-docx", "zip-bomb"],
)
def test_a_bad_file_gets_its_message_and_the_empty_form(world, client, data, message):
    client.force_login(world.staff)
    before = Proposal.objects.count()
    response = client.post(URL, {"file": _upload(data)})
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    form = response.context["form"]
    assert form is not None and not form.is_bound and not form.initial.get("title")
    assert _pending_files() == []
    assert SESSION_KEY not in client.session
    assert Proposal.objects.count() == before


def test_another_users_token_attaches_nothing(world, client):
    client.force_login(world.staff)
    client.post(URL, {"file": _upload(table_form_docx())})
    token = _token(client)
    other = make_user("staff2", "staff")
    client.force_login(other)
    before = Proposal.objects.count()
    response = client.post(
        URL,
        {
            "step": "file",
            "word_token": token,
            "meeting": world.meeting.pk,
            "title": "关于加快产业合作的建议",
            "proposer_kind": ProposerKind.INDIVIDUAL,
            "first_proposer": world.proposer.pk,
            "main_content": "内容",
        },
    )
    assert response.status_code == 200
    assert str(FILE_GONE) in response.content.decode()
    assert Proposal.objects.count() == before
    assert not Attachment.objects.exists()


def test_a_handler_cannot_import(world, client):
    client.force_login(world.handler_a)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"file": _upload(table_form_docx())}).status_code == 403
