"""The workbook pages (issue 17): staff export their committee's data and import a workbook through
upload → dry-run preview → commit, the work done by the background worker; everyone else gets 404,
and a job is seen only by the one who uploaded it."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from oversight.workbook import columns as c
from proposals.models import Member, Proposal, TimelineEvent
from tests.factories import make_user
from tests.oversight.workbook_files import workbook_bytes

PAGES = ["oversight:workbook_home", "oversight:workbook_export", "oversight:workbook_template"]


def _upload(data: bytes, name: str = "数据.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def _good(world) -> bytes:
    committee = world.meeting.committee.name
    return workbook_bytes(
        {
            c.MEMBERS: [{"committee": committee, "name": "新委员", "work_unit": "丁单位", "phone": "13800000009"}],
            c.PROPOSALS: [
                {
                    "committee": committee,
                    "meeting": "8-3",
                    "number": "TA0600",
                    "title": "关于新建公园的建议",
                    "proposer_kind": "individual",
                    "first_proposer": "新委员",
                    "first_proposer_unit": "丁单位",
                    "main_content": "新建公园",
                    "status": "registered",
                    "created_by": "staff1",
                },
            ],
        }
    )


@pytest.mark.parametrize("who", ["handler_a", "leader_a", "member_user", "auditor"])
@pytest.mark.parametrize("page", PAGES)
def test_non_staff_get_404(world, login, who, page):
    assert login(getattr(world, who)).get(reverse(page)).status_code == 404


def test_non_staff_upload_is_404_and_writes_nothing(world, login):
    response = login(world.handler_a).post(reverse("oversight:workbook_upload"), {"file": _upload(_good(world))})
    assert response.status_code == 404
    assert not Proposal.objects.filter(number="TA0600").exists()


def test_anonymous_is_sent_to_login(world, login):
    response = login(None).get(reverse("oversight:workbook_home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_get_on_upload_and_commit_is_405(world, login):
    client = login(world.staff)
    assert client.get(reverse("oversight:workbook_upload")).status_code == 405
    assert client.get(reverse("oversight:workbook_commit", args=["abc"])).status_code == 405


def test_staff_export_has_their_data_without_the_reference_sheets(world, login):
    response = login(world.staff).get(reverse("oversight:workbook_export"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert "用户" not in wb.sheetnames and "委员会" not in wb.sheetnames
    rows = list(wb["提案"].iter_rows(min_row=3, values_only=True))
    assert [r[2] for r in rows] == ["TA0001"]


def test_admin_export_has_the_reference_sheets(world, login):
    response = login(world.admin).get(reverse("oversight:workbook_export"))
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    assert wb.sheetnames == [str(s.title) for s in c.SHEETS]
    assert "staff1" in [r[1] for r in wb["用户"].iter_rows(min_row=3, values_only=True)]


def test_upload_preview_then_commit(world, login):
    client = login(world.staff)
    response = client.post(reverse("oversight:workbook_upload"), {"file": _upload(_good(world))})
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url)
    text = page.content.decode()
    assert "检查完成" in text and "确认导入" in text
    assert "第 3 行 8-3 TA0600（新建）" in text
    assert not Proposal.objects.filter(number="TA0600").exists()  # the dry run wrote nothing
    token = job_url.rstrip("/").split("/")[-1]
    status = client.get(reverse("oversight:workbook_job_status", args=[token])).json()
    assert status["step"] == "checked" and status["percent"] == 100
    response = client.post(reverse("oversight:workbook_commit", args=[token]))
    assert response.status_code == 302
    proposal = Proposal.objects.get(number="TA0600")
    assert proposal.first_proposer == Member.objects.get(name="新委员")
    assert TimelineEvent.objects.filter(proposal=proposal, entered_at__isnull=False, actor=world.staff).exists()
    assert "导入完成" in client.get(job_url).content.decode()
    # Committing twice is refused: the job is done.
    client.post(reverse("oversight:workbook_commit", args=[token]))
    assert Proposal.objects.filter(number="TA0600").count() == 1
    # A commit task queued twice does nothing the second time and leaves the job done, not failed.
    from oversight.workbook.jobs import job_run

    assert job_run(token=token, commit=True) is False
    assert client.get(reverse("oversight:workbook_job_status", args=[token])).json()["step"] == "done"


def test_a_file_with_problems_shows_them_and_offers_no_commit(world, login):
    committee = world.meeting.committee.name
    data = workbook_bytes({c.MEMBERS: [{"committee": committee, "name": "新委员", "phone": "12"}]})
    client = login(world.staff)
    job_url = client.post(reverse("oversight:workbook_upload"), {"file": _upload(data)})["Location"]
    text = client.get(job_url).content.decode()
    assert "有 1 处问题，没有写入任何数据" in text
    assert "<td>委员</td><td>3</td><td>联系电话</td>" in text
    assert "确认导入" not in text
    token = job_url.rstrip("/").split("/")[-1]
    client.post(reverse("oversight:workbook_commit", args=[token]))
    assert not Member.objects.filter(name="新委员").exists()


def test_a_refused_file_shows_the_message(world, login):
    client = login(world.staff)
    job_url = client.post(reverse("oversight:workbook_upload"), {"file": _upload(b"not a workbook")})["Location"]
    text = client.get(job_url).content.decode()
    assert "无法导入" in text and "这不是有效的 Excel 工作簿" in text


def test_another_staff_members_job_is_404(world, login):
    client = login(world.staff)
    job_url = client.post(reverse("oversight:workbook_upload"), {"file": _upload(_good(world))})["Location"]
    token = job_url.rstrip("/").split("/")[-1]
    other = make_user("staff2", "staff")
    client = login(other)
    assert client.get(job_url).status_code == 404
    assert client.get(reverse("oversight:workbook_job_status", args=[token])).status_code == 404
    assert client.post(reverse("oversight:workbook_commit", args=[token])).status_code == 404
    assert not Proposal.objects.filter(number="TA0600").exists()
