from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from proposals import services
from proposals.models import (
    Agency,
    Assignment,
    Attachment,
    Category,
    DeclineReason,
    ExtensionRequest,
    Meeting,
    Member,
    Proposal,
    ProposalCosigner,
    ProposalStatus,
    TimelineEvent,
    User,
)
from tests.factories import make_proposal, pdf_upload

pytestmark = pytest.mark.django_db

MODELS = [
    Meeting,
    Category,
    DeclineReason,
    Member,
    Agency,
    User,
    Proposal,
    ProposalCosigner,
    Attachment,
    Assignment,
    ExtensionRequest,
    TimelineEvent,
]


@pytest.fixture
def filled(world, decline_reason):
    services.attachment_add(proposal=world.proposal, actor=world.staff, upload=pdf_upload())
    services.assignment_request_extension(
        assignment=world.assignment,
        actor=world.handler_a,
        reason="r",
        requested_due_date=world.assignment.due_date + dt.timedelta(days=3),
    )
    return world


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_search_and_change_page(filled, login, model):
    client = login(filled.admin)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "TA0001"}).status_code == 200
    obj = model.objects.first()
    assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])).status_code == 200


def test_admin_proposal_page_shows_inlines(filled, login):
    body = (
        login(filled.admin).get(reverse("admin:proposals_proposal_change", args=[filled.proposal.pk])).content.decode()
    )
    assert filled.agency_a.name in body and "附件.pdf" in body and "李四" in body


def test_admin_does_not_list_someone_elses_draft(world, login):
    draft = make_proposal(
        meeting=world.meeting, created_by=world.member_user, status=ProposalStatus.DRAFT, title="私人草稿"
    )
    client = login(world.admin)
    assert "私人草稿" not in client.get(reverse("admin:proposals_proposal_changelist")).content.decode()
    assert client.get(reverse("admin:proposals_proposal_change", args=[draft.pk])).status_code == 302
