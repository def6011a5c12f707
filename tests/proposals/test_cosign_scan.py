"""A co-signer's paper confirmation scan (issue 21 follow-ups) is the committee's record of their
consent, not one of the proposal's files: not under 附件, never read by an agency or another
proposer, opened by staff from the co-signer's state in the co-signers panel."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from proposals.choices import AttachmentPurpose, CosignMethod, CosignRule, CosignStatus
from proposals.models import Attachment, ProposalCosigner
from proposals.selectors import attachments_visible_to
from proposals.services import attachment_add, cosign
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db

SCAN_NAME = "李四联名确认书.pdf"
OWN_FILE = "调研报告.pdf"


@pytest.fixture
def recorded(world):
    """The world's proposal (assigned to agency A): 李四 asked to confirm, staff record his signed
    paper; the proposal also has a file of its own. Returns (scan, own file)."""
    committee = world.meeting.committee
    committee.cosign_rule = CosignRule.ALL
    committee.save(update_fields=["cosign_rule"])
    ProposalCosigner.objects.filter(proposal=world.proposal).update(
        status=CosignStatus.PENDING, invited_at=timezone.now(), due_date=timezone.localdate()
    )
    own = attachment_add(proposal=world.proposal, actor=world.staff, upload=pdf_upload(OWN_FILE))
    row = cosign.cosign_record_paper(
        proposal=world.proposal, actor=world.staff, member=world.cosigner, scan=pdf_upload(SCAN_NAME)
    )
    assert row.paper_scan is not None
    return row.paper_scan, own


def download(attachment: Attachment) -> str:
    return reverse("proposals:attachment_download", args=[attachment.pk])


def attachments_block(html: str) -> str:
    """The 附件 section of the proposal's page (between its heading and the timeline's)."""
    start = html.index(">附件</h2>")
    return html[start : html.index(">办理记录</h2>", start)]


def cosign_block(html: str) -> str:
    start = html.index('id="cosign"')
    return html[start : html.index("</section>", start)]


def test_the_scan_is_stored_as_a_confirmation_linked_from_the_row(world, recorded):
    scan, own = recorded
    row = ProposalCosigner.objects.get(proposal=world.proposal, member=world.cosigner)
    assert (row.status, row.confirm_method, row.paper_scan_id) == (CosignStatus.CONFIRMED, CosignMethod.PAPER, scan.pk)
    assert (scan.purpose, scan.original_name, len(scan.sha256)) == (
        AttachmentPurpose.COSIGN_CONFIRMATION,
        SCAN_NAME,
        64,
    )
    assert own.purpose == AttachmentPurpose.PROPOSAL


@pytest.mark.parametrize(
    ("who", "reads_scan"),
    [
        ("staff", True),
        ("admin", True),
        ("handler_a", False),
        ("leader_a", False),
        ("member_user", False),
        ("cosigner_user", False),
    ],
)
def test_the_selector_gives_the_scan_to_staff_only(world, recorded, who, reads_scan):
    scan, own = recorded
    user = getattr(world, who)
    visible = set(attachments_visible_to(user).values_list("pk", flat=True))
    assert own.pk in visible
    assert (scan.pk in visible) is reads_scan
    assert set(attachments_visible_to(user, proposal=world.proposal).values_list("pk", flat=True)) == visible


def test_the_agency_sees_the_proposals_files_without_the_scan(world, recorded, login):
    scan, own = recorded
    client = login(world.handler_a)
    html = client.get(reverse("proposals:detail", args=[world.proposal.pk])).content.decode()
    files = attachments_block(html)
    assert OWN_FILE in files and download(own) in files
    assert SCAN_NAME not in files and download(scan) not in html
    # Nor by its address: the same 404 as for a file that does not exist.
    assert client.get(download(scan)).status_code == 404
    assert client.get(download(own)).status_code == 200


def test_staff_open_the_scan_beside_the_cosigners_state(world, recorded, login):
    scan, _own = recorded
    client = login(world.staff)
    html = client.get(reverse("proposals:detail", args=[world.proposal.pk])).content.decode()
    files = attachments_block(html)
    assert OWN_FILE in files and SCAN_NAME not in files  # not one of the proposal's files
    panel = cosign_block(html)
    row = panel[panel.index(f'data-cosigner="{world.cosigner.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "纸质确认" in row and f'href="{download(scan)}"' in row and SCAN_NAME in row
    response = client.get(download(scan))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("who", ["member_user", "cosigner_user"])
def test_the_proposers_read_the_state_without_the_scan(world, recorded, login, who):
    scan, _own = recorded
    client = login(getattr(world, who))
    html = client.get(reverse("proposals:detail", args=[world.proposal.pk])).content.decode()
    assert "纸质确认" in cosign_block(html)
    assert download(scan) not in html and SCAN_NAME not in attachments_block(html)
    assert client.get(download(scan)).status_code == 404


def test_the_migration_marks_the_scans_recorded_before_it(world):
    """Scans recorded before the field existed: the attachment uploaded by whoever recorded the
    paper confirmation, in the same step, becomes the confirmation; other files stay the proposal's."""
    migration = importlib.import_module("proposals.migrations.0023_attachment_purpose_and_cosign_scan")
    old_scan = attachment_add(proposal=world.proposal, actor=world.staff, upload=pdf_upload(SCAN_NAME))
    # Two files that are not it: one by someone else in the same moment, one by the same staff a day before.
    own = attachment_add(proposal=world.proposal, actor=world.staff, upload=pdf_upload(OWN_FILE))
    Attachment.objects.filter(pk=own.pk).update(
        uploaded_by=world.admin, uploaded_at=old_scan.uploaded_at + dt.timedelta(milliseconds=10)
    )
    earlier = attachment_add(proposal=world.proposal, actor=world.staff, upload=pdf_upload("旧文件.pdf"))
    Attachment.objects.filter(pk=earlier.pk).update(uploaded_at=old_scan.uploaded_at - dt.timedelta(days=1))
    ProposalCosigner.objects.filter(proposal=world.proposal, member=world.cosigner).update(
        status=CosignStatus.CONFIRMED,
        confirm_method=CosignMethod.PAPER,
        confirmed_by=world.staff,
        confirmed_at=old_scan.uploaded_at + dt.timedelta(milliseconds=20),
    )

    migration.mark_paper_scans(django_apps, None)

    row = ProposalCosigner.objects.get(proposal=world.proposal, member=world.cosigner)
    assert row.paper_scan_id == old_scan.pk
    purposes = dict(Attachment.objects.filter(proposal=world.proposal).values_list("pk", "purpose"))
    assert purposes == {
        own.pk: AttachmentPurpose.PROPOSAL,
        old_scan.pk: AttachmentPurpose.COSIGN_CONFIRMATION,
        earlier.pk: AttachmentPurpose.PROPOSAL,
    }
