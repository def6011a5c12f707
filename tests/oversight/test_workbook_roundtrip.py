"""Export → import into an empty database gives the same rows (issue 17), and a second import of
the same workbook changes nothing.

The empty database is a real one: a freshly migrated SQLite file in another process, which runs
``import_xlsx --dry-run`` and ``import_xlsx`` as an administrator would and reports its rows
(``workbook_snapshot``) and the text of TA0207's regenerated reply PDF."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from oversight.workbook import columns as c
from oversight.workbook.export import export_workbook, template_workbook
from oversight.workbook.importer import store_issued_pdfs, workbook_import
from proposals.models import Assignment, AssignmentStatus, Committee, Proposal, ProposalStatus, TimelineEvent
from replies.models import Reply, ReplyStatus
from tests.factories import make_other_committee, make_rating, signed_round
from tests.oversight.workbook_files import workbook_bytes
from tests.oversight.workbook_snapshot import snapshot

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(  # noqa: S603 — our own manage.py with fixed arguments
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.fixture(scope="session")
def empty_database(tmp_path_factory) -> Path:
    """A migrated, empty SQLite database, made once and copied for each test that needs one."""
    folder = tmp_path_factory.mktemp("empty-db")
    path = folder / "empty.sqlite3"
    _manage(_env(path, folder / "media"), "migrate", "--noinput", "-v", "0")
    return path


def _env(db: Path, media: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_CURRENT_TEST")}
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        MEDIA_ROOT=str(media),
        TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        DEBUG="1",
    )
    return env


def import_elsewhere(workbook: Path, empty_database: Path, tmp_path: Path) -> dict:
    db = tmp_path / "other.sqlite3"
    shutil.copy(empty_database, db)
    env = _env(db, tmp_path / "other-media")
    dry = _manage(env, "import_xlsx", str(workbook), "--dry-run")
    _manage(env, "import_xlsx", str(workbook), "--render-pdfs")
    again = _manage(env, "import_xlsx", str(workbook))
    script = (
        "import json; from tests.oversight.workbook_snapshot import snapshot; "
        "from tests.documents.pdfutil import pdf_text, squeeze; from replies.models import Reply; "
        "from proposals.models import TimelineEvent; "
        "r = Reply.objects.filter(assignment__proposal__number='TA0207', status='issued').first(); "
        "text = squeeze(pdf_text(r.pdf.open('rb').read())) if r and r.pdf else ''; "
        "print('RESULT ' + json.dumps({'snapshot': snapshot(), 'pdf': text, 'sha': r.pdf_sha256 if r else '', "
        "'backfilled': TimelineEvent.objects.filter(entered_at__isnull=False).count()}, ensure_ascii=False))"
    )
    out = _manage(env, "shell", "-c", script)
    result = json.loads(out.split("RESULT ", 1)[1])
    result["dry_run"] = dry
    result["again"] = again
    return result


def _assert_same(ours: dict, theirs: dict) -> None:
    for model, rows in ours.items():
        assert theirs[model] == rows, model


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_demo_round_trip_into_an_empty_database(db, tmp_path, empty_database, settings):
    settings.DEBUG = True
    call_command("load_demo", password="Demo-Passw0rd-2024", force=True)
    path = tmp_path / "demo.xlsx"
    call_command("export_xlsx", "-o", str(path))
    ours = snapshot()
    theirs = import_elsewhere(path, empty_database, tmp_path)
    assert "检查通过" in theirs["dry_run"]
    _assert_same(ours, theirs["snapshot"])
    for model in ("Proposal", "Assignment", "Reply", "Consultation", "Rating"):
        assert len(theirs["snapshot"][model]) == len(ours[model]) > 0, model
    assert "2024年7月9日" in theirs["pdf"]
    assert "第TA0207号提案的答复" in theirs["pdf"]
    assert len(theirs["sha"]) == 64
    assert theirs["backfilled"] > 0
    # The second import of the same file: every row found again, nothing new.
    assert "新建 0" in theirs["again"] and "新建 1" not in theirs["again"]
    assert "补录办理记录 0 条" in theirs["again"]


def _rich_world(world):
    """More shapes than the demo: a second committee, a returned assignment, a body proposal, a
    draft without a number, and a text that looks like a formula."""
    signed_round(world)
    make_rating(world.assignment, member=world.proposer, by=world.staff, value="satisfied")
    other = make_other_committee()
    returned = Assignment.objects.create(
        proposal=world.proposal, agency=world.agency_b, role="co", status=AssignmentStatus.RETURNED,
        assigned_by=world.staff, due_date=dt.date(2024, 5, 1), original_due_date=dt.date(2024, 5, 1),
        returned_at=timezone.now(), return_reason="不属于本单位职责",
    )  # fmt: skip
    assert returned.pk
    Proposal.objects.create(
        meeting=world.meeting, created_by=world.staff, status=ProposalStatus.SUBMITTED, title="=1+1 不是公式",
        proposer_kind="body", body_name="民建晋城市委", body_contact="赵联系", body_contact_phone="0356-2021234",
        main_content="'以撇号开头的内容",
    )  # fmt: skip
    return other


def test_rich_world_round_trip_into_an_empty_database(world, tmp_path, empty_database):
    _rich_world(world)
    path = tmp_path / "world.xlsx"
    with path.open("wb") as out:
        export_workbook(out, committees=list(Committee.objects.all()))
    ours = snapshot()
    theirs = import_elsewhere(path, empty_database, tmp_path)
    _assert_same(ours, theirs["snapshot"])


def test_second_import_of_the_same_workbook_changes_nothing(world, tmp_path):
    _rich_world(world)
    import io

    out = io.BytesIO()
    export_workbook(out, committees=list(Committee.objects.all()))
    before = snapshot()
    events = TimelineEvent.objects.count()
    result = workbook_import(source=out.getvalue(), actor=world.admin)
    assert result.committed
    assert all(count.create == 0 for count in result.plan.counts), result.plan.counts
    assert result.created == {}
    assert snapshot() == before
    assert TimelineEvent.objects.count() == events
    assert AuditEvent.objects.filter(event="import", user=world.admin).count() == 1


def test_template_has_every_sheet_with_headers_and_explanations(tmp_path):
    import io

    from openpyxl import load_workbook

    out = io.BytesIO()
    template_workbook(out)
    wb = load_workbook(io.BytesIO(out.getvalue()))
    assert wb.sheetnames == [str(sheet.title) for sheet in c.SHEETS]
    ws = wb[str(c.PROPOSALS.title)]
    headers = [cell.value for cell in ws[1]]
    assert headers[:3] == ["委员会", "会议", "提案编号"]
    assert ws.cell(row=2, column=3).value == "例如 TA0207；同一次会议内不能重复"
    assert str(ws.cell(row=2, column=6).value).startswith("可填：个人、联名、集体")
    assert ws.max_row == 2


def test_imported_case_keeps_its_real_dates_marked_backfilled(world):
    """A 2019 case from a workbook: its events carry 2019 dates, are marked as entered now by the
    importing staff member, and its issued letter is rendered with its own 成文日期."""
    committee = world.meeting.committee.name
    where = {"committee": committee, "meeting": "8-3", "number": "TA0500", "agency": world.agency_a.name}

    def aware(*args):
        return timezone.make_aware(dt.datetime(*args))

    data = workbook_bytes(
        {
            c.PROPOSALS: [
                {
                    "committee": committee,
                    "meeting": "8-3",
                    "number": "TA0500",
                    "title": "关于旧城改造的建议",
                    "proposer_kind": "individual",
                    "first_proposer": "张三",
                    "first_proposer_unit": "甲单位",
                    "main_content": "旧城改造",
                    "status": "replied",
                    "created_by": "staff1",
                    "created_at": aware(2019, 1, 10, 9),
                    "submitted_at": aware(2019, 1, 10, 9),
                    "registered_at": aware(2019, 1, 20, 10),
                },
            ],
            c.ASSIGNMENTS: [
                {
                    **where,
                    "role": "lead",
                    "status": "replied",
                    "round": 1,
                    "assigned_at": aware(2019, 2, 1, 10),
                    "assigned_by": "staff1",
                    "due_date": dt.date(2019, 5, 1),
                    "accepted_at": aware(2019, 2, 2, 9),
                    "replied_at": aware(2019, 4, 20, 16),
                },
            ],
            c.REPLIES: [
                {
                    **where,
                    "round": 1,
                    "status": "issued",
                    "reply_class": "B",
                    "title": "关于旧城改造提案的答复",
                    "addressee": "张三委员：",
                    "body": "经研究，答复如下。",
                    "leader_name": "王主任",
                    "handler_name": "甲经办",
                    "phone": "0356-2021234",
                    "reply_date": dt.date(2019, 4, 18),
                    "is_public": True,
                    "created_by": "handler_a",
                    "signed_by": "leader_a",
                    "issued_at": aware(2019, 4, 20, 16),
                },
            ],
        }
    )
    result = workbook_import(source=data, actor=world.staff)
    assert result.committed, result.plan.problems
    proposal = Proposal.objects.get(number="TA0500")
    assert proposal.sequence == 500
    from proposals.search import search_proposals

    assert list(search_proposals(Proposal.objects.all(), "旧城改造")) == [proposal]  # in the search index
    events = list(TimelineEvent.objects.filter(proposal=proposal).order_by("at"))
    assert [e.action for e in events] == [
        "proposal_file", "proposal_submit", "proposal_register", "proposal_assign", "assignment_accept", "reply_issue",
    ]  # fmt: skip
    assert all(e.at.year == 2019 and e.is_backfilled and e.actor == world.staff for e in events)
    assert world.meeting.__class__.objects.get(pk=world.meeting.pk).last_sequence == 500
    reply = Reply.objects.get(assignment__proposal=proposal)
    assert reply.status == ReplyStatus.ISSUED and not reply.pdf
    assert result.issued_replies == [reply.pk]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    from tests.documents.pdfutil import pdf_text, squeeze

    assert store_issued_pdfs(result.issued_replies) == 1
    reply.refresh_from_db()
    assert len(reply.pdf_sha256) == 64
    assert "2019年4月18日" in squeeze(pdf_text(reply.pdf.open("rb").read()))


def test_a_file_that_would_change_an_issued_reply_is_refused(world):
    import io

    from openpyxl import load_workbook

    from oversight.workbook.importer import FROZEN_CHANGED, WorkbookRefused

    _consultation, reply = signed_round(world)
    out = io.BytesIO()
    export_workbook(out, committees=[world.meeting.committee])
    wb = load_workbook(io.BytesIO(out.getvalue()))
    ws = wb[str(c.REPLIES.title)]
    body = [col.field for col in c.REPLIES.columns].index("body") + 1
    ws.cell(row=3, column=body, value="改写过的正文")
    changed = io.BytesIO()
    wb.save(changed)
    before = snapshot()
    with pytest.raises(WorkbookRefused) as refused:
        workbook_import(source=changed.getvalue(), actor=world.admin)
    assert refused.value.message == str(FROZEN_CHANGED) % {"sheet": "答复", "row": 3}
    assert snapshot() == before
    reply.refresh_from_db()
    assert reply.body != "改写过的正文"


@pytest.mark.parametrize("who", ["staff", "admin"])
def test_a_file_that_would_move_a_case_along_is_refused(world, who):
    """States change only through the services: a re-import may correct a proposal's text, not
    close it, renumber it or move its assignment on (found in review: 办理中 → 已办结 went through)."""
    import io

    from openpyxl import load_workbook

    from oversight.workbook.importer import STATE_CHANGED, WorkbookRefused
    from proposals.choices import ProposalStatus

    out = io.BytesIO()
    export_workbook(out, committees=[world.meeting.committee])
    wb = load_workbook(io.BytesIO(out.getvalue()))
    ws = wb[str(c.PROPOSALS.title)]
    status = [col.field for col in c.PROPOSALS.columns].index("status") + 1
    title = [col.field for col in c.PROPOSALS.columns].index("title") + 1
    ws.cell(row=3, column=status, value=str(ProposalStatus.CLOSED.label))
    changed = io.BytesIO()
    wb.save(changed)
    before = snapshot()
    with pytest.raises(WorkbookRefused) as refused:
        workbook_import(source=changed.getvalue(), actor=getattr(world, who))
    assert refused.value.message == str(STATE_CHANGED) % {"sheet": "提案", "row": 3, "columns": "状态"}
    assert snapshot() == before
    world.proposal.refresh_from_db()
    assert world.proposal.status == ProposalStatus.ASSIGNED

    # A text correction alone still goes through.
    ws.cell(row=3, column=status, value=str(ProposalStatus.ASSIGNED.label))
    ws.cell(row=3, column=title, value="改正后的标题")
    fixed = io.BytesIO()
    wb.save(fixed)
    workbook_import(source=fixed.getvalue(), actor=getattr(world, who))
    world.proposal.refresh_from_db()
    assert world.proposal.title == "改正后的标题" and world.proposal.status == ProposalStatus.ASSIGNED


def test_reply_text_corrected_by_a_workbook_is_found_by_the_staff_search(world, client):
    """The import writes rows in bulk, past Reply's signals: it keeps the search index itself."""
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    from tests.factories import draft_reply

    draft_reply(world)
    out = io.BytesIO()
    export_workbook(out, committees=[world.meeting.committee])
    wb = load_workbook(io.BytesIO(out.getvalue()))
    ws = wb[str(c.REPLIES.title)]
    body = [col.field for col in c.REPLIES.columns].index("body") + 1
    ws.cell(row=3, column=body, value="关于水源涵养林改造的答复正文")
    changed = io.BytesIO()
    wb.save(changed)
    workbook_import(source=changed.getvalue(), actor=world.staff)
    client.force_login(world.staff)
    page = client.get(reverse("proposals:list"), {"q": "水源涵养林", "meeting": ""}).content.decode()
    assert world.proposal.title in page
