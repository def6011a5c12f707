"""A member's draft is theirs until it is submitted: no admin page lists it or anything of it.

The proposal admin hides other people's drafts (``proposals_visible_to``); the version history
(audit's historical tables), the timeline, the co-signers and the attachments of a draft are hidden
by the same rule — every changelist of the admin is walked, and every row of the draft is opened.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from proposals import services
from proposals.models import Attachment, ProposalCosigner, ProposerKind, TimelineEvent
from tests.factories import pdf_upload

pytestmark = pytest.mark.django_db

TITLE = "未提交的私人草稿"


@pytest.fixture
def draft(world):
    proposal = services.proposal_create(
        actor=world.member_user,
        meeting=world.meeting,
        title=TITLE,
        main_content="草稿正文",
        proposer_kind=ProposerKind.JOINT,
        cosigners=[world.cosigner],
        attachments=[pdf_upload("草稿附件.pdf")],
    )
    # a second version of the draft
    services.proposal_update_draft(
        proposal=proposal,
        actor=world.member_user,
        title=TITLE + "（二稿）",
        main_content="草稿正文二",
        proposer_kind=ProposerKind.JOINT,
        cosigners=[world.cosigner],
    )
    return proposal


def _change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _changelists() -> list[str]:
    return [f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist" for m in admin.site._registry]


def test_no_admin_changelist_names_someone_elses_draft(world, login, draft):
    client = login(world.admin)
    for name in _changelists():
        # the search echoes its term: search for part of the title, look for all of it
        for params in ({}, {"q": "私人草稿"}, {"q": str(draft.pk)}):
            response = client.get(reverse(name), params)
            assert response.status_code == 200, name
            assert TITLE not in response.content.decode(), (name, params)
            assert "草稿附件.pdf" not in response.content.decode(), (name, params)


def test_no_admin_change_page_opens_a_row_of_someone_elses_draft(world, login, draft):
    client = login(world.admin)
    rows = [
        *draft.history.all(),
        *TimelineEvent.objects.filter(proposal=draft),
        *ProposalCosigner.objects.filter(proposal=draft),
        *Attachment.objects.filter(proposal=draft),
    ]
    assert len(rows) >= 6  # two versions, two timeline events, a co-signer, an attachment
    for row in rows:
        url = _change_url(row) if not hasattr(row, "history_id") else _history_url(row)
        response = client.get(url)
        # the admin's "does not exist" answer: back to the index with a message, no values shown
        assert response.status_code == 302, (type(row).__name__, url)


def _history_url(version) -> str:
    opts = version._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[version.history_id])


def test_the_author_who_is_an_administrator_still_sees_their_draft_versions(world, login):
    # The rule is "someone else's draft": the same rule as the proposal admin's, unchanged.
    own = services.proposal_create(actor=world.member_user, meeting=world.meeting, title="本人草稿", main_content="x")
    world.member_user.is_staff = True
    world.member_user.is_superuser = True
    world.member_user.save()
    client = login(world.member_user)
    version = own.history.get()
    assert client.get(_history_url(version)).status_code == 200
    assert "本人草稿" in client.get(reverse("admin:audit_historicalproposal_changelist")).content.decode()


def test_submitted_proposal_versions_stay_listed(world, login, draft):
    services.proposal_submit(proposal=draft, actor=world.member_user)
    client = login(world.admin)
    body = client.get(reverse("admin:audit_historicalproposal_changelist"), {"q": str(draft.pk)}).content.decode()
    assert TITLE in body
    assert "李四" in client.get(reverse("admin:proposals_proposalcosigner_changelist")).content.decode()
    timeline = client.get(reverse("admin:proposals_timelineevent_changelist")).content.decode()
    assert TITLE in timeline
