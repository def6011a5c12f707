"""Batch 立案 from the staff list in a real browser (issue 20): 20 ticked, one already registered."""

from __future__ import annotations

import pytest

from proposals import services
from proposals.models import Proposal, ProposalStatus
from tests.e2e.checks import assert_no_axe_violations, check_page
from tests.factories import PASSWORD, make_proposal, make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_batch_register_twenty_with_one_failing_row(actor):
    world = make_world()
    for i in range(20):
        extra = {"status": ProposalStatus.REGISTERED, "number": "TA0100", "sequence": 100} if i == 7 else {}
        make_proposal(
            meeting=world.meeting,
            created_by=world.staff,
            first_proposer=world.unrelated,
            title=f"批量{i:02d}号",
            **extra,
        )
    staff = actor("staff")
    staff.login(world.staff.username, PASSWORD)

    staff.goto("/proposals/?q=批量")
    boxes = staff.page.locator("input[name=ids]")
    assert boxes.count() == 20
    for i in range(20):
        boxes.nth(i).check()
    staff.page.select_option("select[name=action]", "register")
    check_page(staff, "batch-list-ticked")
    staff.page.click("#batch-preview")
    staff.page.wait_for_url("**/proposals/batch/")
    main = staff.page.inner_text("main")
    assert "将对以下 20 件提案逐件执行“立案”" in main
    assert Proposal.objects.filter(title__startswith="批量", status=ProposalStatus.REGISTERED).count() == 1
    check_page(staff, "batch-preview")
    assert_no_axe_violations(staff, "batch preview")

    staff.page.get_by_role("button", name="确认立案").click()
    staff.page.wait_for_selector("#batch-summary")
    assert "成功 19 件，未成功 1 件。" in staff.page.inner_text("#batch-summary")
    failed = staff.page.locator("tr.batch-failed")
    assert failed.count() == 1
    assert "批量07号" in failed.inner_text() and str(services.ALREADY_REGISTERED) in failed.inner_text()
    assert staff.page.locator("tr.batch-ok").count() == 19
    check_page(staff, "batch-result")
    assert_no_axe_violations(staff, "batch result")
    assert Proposal.objects.filter(title__startswith="批量", status=ProposalStatus.REGISTERED).count() == 20
