"""A proposal's long texts, and the record text copied from them, have a length limit (issue 18,
finding 11): a 400 KB text took seconds to render into a letter or record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from proposals.models import Proposal
from tests.factories import make_proposal

pytestmark = pytest.mark.django_db

LIMIT = 20_000
TOO_LONG = f"确保该变量包含不超过 {LIMIT} 字符 (目前字符数 {LIMIT + 1})。"


def _filing(world, **values) -> dict:
    return {
        "meeting": world.meeting.pk,
        "title": "长文测试",
        "main_content": "内容",
        "proposer_kind": "individual",
        "first_proposer": world.proposer.pk,
        **values,
    }


@pytest.mark.parametrize("field", ["main_content", "reason", "suggestions"])
def test_staff_filing_refuses_an_over_long_text_with_a_form_error(world, login, field):
    before = Proposal.objects.count()
    response = login(world.staff).post(reverse("proposals:create"), _filing(world, **{field: "长" * (LIMIT + 1)}))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [TOO_LONG]
    assert Proposal.objects.count() == before


def test_staff_filing_takes_a_text_at_the_limit(world, login):
    response = login(world.staff).post(reverse("proposals:create"), _filing(world, main_content="长" * LIMIT))
    assert response.status_code == 302
    assert Proposal.objects.filter(title="长文测试", main_content="长" * LIMIT).exists()


def test_member_draft_edit_refuses_an_over_long_text(world, login):
    draft = make_proposal(
        meeting=world.meeting, created_by=world.member_user, first_proposer=world.proposer, status="draft"
    )
    response = login(world.member_user).post(
        reverse("proposals:edit", kwargs={"pk": draft.pk}),
        {"title": "改", "main_content": "内容", "proposer_kind": "individual", "suggestions": "长" * (LIMIT + 1)},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["suggestions"] == [TOO_LONG]
    draft.refresh_from_db()
    assert draft.title != "改"


@pytest.mark.parametrize("field", ["main_content", "reply_points"])
def test_consultation_record_refuses_an_over_long_copied_text(world, field):
    from consultations.forms import RecordForm

    form = RecordForm(data={field: "长" * (LIMIT + 1)})
    assert not form.is_valid()
    assert form.errors[field] == [TOO_LONG]


@pytest.mark.parametrize("field", ["main_content", "reason", "suggestions"])
def test_the_service_refuses_an_over_long_text_whatever_the_caller(world, field):
    """The limit lives on the model, so a service called without a form (an import, a script) holds it too."""
    from proposals import services
    from proposals.errors import DomainError

    data = {"title": "长文测试", "main_content": "内容", field: "长" * (LIMIT + 1)}
    before = Proposal.objects.count()
    with pytest.raises(DomainError) as exc:
        services.proposal_create(actor=world.staff, meeting=world.meeting, first_proposer=world.proposer, **data)
    assert TOO_LONG in exc.value.message
    assert Proposal.objects.count() == before
