"""An agency that returned an assignment no longer reaches its pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from proposals.models import Assignment, AssignmentStatus

pytestmark = pytest.mark.django_db


def test_returned_assignment_pages_are_404_for_the_agency(world, login):
    Assignment.objects.filter(pk=world.assignment.pk).update(status=AssignmentStatus.RETURNED)
    client = login(world.handler_a)
    for url in (
        reverse("proposals:detail", args=[world.proposal.pk]),
        reverse("replies:assignment", args=[world.assignment.pk]),
        reverse("consultations:assignment", args=[world.assignment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # Staff still reach it, to re-assign.
    assert login(world.staff).get(reverse("replies:assignment", args=[world.assignment.pk])).status_code == 200


def test_member_does_not_see_a_cohandlers_view_on_the_consultation_page(world, login):
    from django.utils import timezone

    from replies.models import Reply, ReplyStatus
    from tests.factories import make_assignment

    co = make_assignment(proposal=world.proposal, agency=world.agency_b, assigned_by=world.staff, role="co")
    Reply.objects.create(
        assignment=co,
        status=ReplyStatus.ISSUED,
        reply_class="A",
        title="乙单位会办意见标题",
        addressee="甲单位：",
        created_by=world.handler_b,
        issued_at=timezone.now(),
    )
    page = login(world.member_user).get(reverse("consultations:assignment", args=[co.pk]))
    assert "乙单位会办意见标题" not in page.content.decode()
