from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

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
        parser.add_argument(
            "--committee", default="", help="政协委员会的名称、简称或全称（多个委员会有相同的会议和编号时必填）"
        )
        parser.add_argument("-o", "--output", required=True, help="输出文件路径")

    def handle(
        self, *args, kind: str, session: str, number: str, agency: str, output: str, committee: str = "", **options
    ) -> None:
        assignment = self._assignment(session, number, agency, committee)
        if kind == "reply":
            data = self._reply_pdf(assignment)
        else:
            data = self._record_pdf(assignment)
        Path(output).write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"已导出 {output}（{len(data)} 字节）。"))

    def _assignment(self, session: str, number: str, agency: str, committee: str = "") -> Assignment:
        try:
            term, meeting_no = (int(part) for part in session.split("-"))
        except ValueError:
            raise CommandError(f"会议格式不对：{session}，应为“届-次”，例如 8-3。") from None
        meetings = Meeting.objects.filter(term=term, session=meeting_no).select_related("committee")
        if committee:
            meetings = meetings.filter(
                Q(committee__display_name=committee) | Q(committee__short_name=committee) | Q(committee__name=committee)
            )
        meeting = meetings.first()
        if meeting is None:
            raise CommandError(f"找不到会议：{term} 届 {meeting_no} 次。")
        # Several committees may each have an 八届三次会议 and a 第12号: the number decides, else --committee.
        proposals = list(Proposal.objects.filter(meeting__in=meetings, number=number).select_related("committee"))
        if not proposals:
            raise CommandError(f"{meeting.display_name}没有编号为 {number} 的提案。")
        if len(proposals) > 1:
            names = "、".join(p.committee.display_name for p in proposals)
            raise CommandError(f"{names}都有{meeting.display_name}第 {number} 号提案，请用 --committee 指定委员会。")
        proposal = proposals[0]
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
