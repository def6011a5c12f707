from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from consultations.models import Consultation
from consultations.pdf import record_pdf_for_download
from proposals.models import Assignment, Meeting, Proposal
from replies.models import Reply, ReplyStatus


class Command(BaseCommand):
    help = "导出一件提案某承办单位的答复函（reply）或面商记录表（consultation）PDF。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", choices=["reply", "consultation"], help="reply：答复函；consultation：面商记录表")
        parser.add_argument("--session", required=True, help="届-次，例如 8-3（八届三次会议）")
        parser.add_argument("--number", required=True, help="提案编号，例如 TA0207")
        parser.add_argument("--agency", required=True, help="承办单位全称")
        parser.add_argument("-o", "--output", required=True, help="输出文件路径")

    def handle(self, *args, kind: str, session: str, number: str, agency: str, output: str, **options) -> None:
        assignment = self._assignment(session, number, agency)
        if kind == "reply":
            data = self._reply_pdf(assignment)
        else:
            data = self._record_pdf(assignment)
        Path(output).write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"已导出 {output}（{len(data)} 字节）。"))

    def _assignment(self, session: str, number: str, agency: str) -> Assignment:
        try:
            term, meeting_no = (int(part) for part in session.split("-"))
        except ValueError:
            raise CommandError(f"会议格式不对：{session}，应为“届-次”，例如 8-3。") from None
        meeting = Meeting.objects.filter(term=term, session=meeting_no).first()
        if meeting is None:
            raise CommandError(f"找不到会议：{term} 届 {meeting_no} 次。")
        proposal = Proposal.objects.filter(meeting=meeting, number=number).first()
        if proposal is None:
            raise CommandError(f"{meeting.display_name}没有编号为 {number} 的提案。")
        assignment = (
            Assignment.objects.filter(proposal=proposal, agency__name=agency).order_by("-assigned_at", "-id").first()
        )
        if assignment is None:
            raise CommandError(f"第 {number} 号提案没有交办给“{agency}”。")
        return assignment

    def _reply_pdf(self, assignment: Assignment) -> bytes:
        reply = Reply.objects.filter(assignment=assignment, status=ReplyStatus.ISSUED).order_by("-round", "-id").first()
        if reply is None:
            raise CommandError("该承办单位尚无已签发的答复。")
        from replies.pdf import reply_pdf_bytes

        return reply_pdf_bytes(reply)

    def _record_pdf(self, assignment: Assignment) -> bytes:
        records = Consultation.objects.filter(assignment=assignment).exclude(status="scheduled")
        record = (
            records.filter(status="signed").order_by("-round", "-id").first()
            or records.order_by("-round", "-id").first()
        )
        if record is None:
            raise CommandError("该承办单位尚无面商记录。")
        return record_pdf_for_download(record)
