"""The registry's states and kinds as stable codes with labels: one home, imported by models,
services, deadlines and the other apps. Nothing here imports a model."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("提案委员会工作人员")
    HANDLER = "handler", _("承办单位经办人")
    LEADER = "leader", _("承办单位负责人")
    MEMBER = "member", _("政协委员")
    ADMIN = "admin", _("系统管理员")
    AUDITOR = "auditor", _("审计员")


class ProposerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("个人")
    JOINT = "joint", _("联名")
    BODY = "body", _("集体")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审查")
    REGISTERED = "registered", _("已立案")
    NOT_REGISTERED = "not_registered", _("不予立案")
    ASSIGNED = "assigned", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("会办")
    SPLIT = "split", _("分办")


# Lead and split handlers answer the member; co-handlers only send their view to the lead.
ANSWERING_ROLES = (AssignmentRole.LEAD, AssignmentRole.SPLIT)


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    ACCEPTED = "accepted", _("办理中")
    RETURNED = "returned", _("已退回")
    REPLIED = "replied", _("已答复")
    REHANDLING = "rehandling", _("重新办理")
    DONE = "done", _("已办结")


# Assignments the agency still has to work on: deadlines, reminders and "overdue" apply to these.
OPEN_ASSIGNMENT_STATES = (AssignmentStatus.PENDING, AssignmentStatus.ACCEPTED, AssignmentStatus.REHANDLING)


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class ProposalAction(models.TextChoices):
    """Timeline events of the registry. The code is stored; the label is what people read.

    Each app that writes timeline events declares its own ``…Action`` choices and registers them
    (``proposals.models.register_action_choices``); ``timeline_record`` refuses an unknown code, so
    a typo fails at once instead of silently hiding an event from members.
    """

    FILE = "proposal_file", _("录入提案")
    DRAFT = "proposal_draft", _("起草提案")
    EDIT = "proposal_edit", _("修改草稿")
    SUBMIT = "proposal_submit", _("提交提案")
    REGISTER = "proposal_register", _("立案")
    DECLINE = "proposal_decline", _("不予立案")
    ASSIGN = "proposal_assign", _("交办")
    ACCEPT = "assignment_accept", _("签收")
    RETURN = "assignment_return", _("退回")
    REASSIGN = "assignment_reassign", _("重新交办")
    EXTENSION_REQUEST = "extension_request", _("申请延期")
    EXTENSION_APPROVE = "extension_approve", _("批准延期")
    EXTENSION_REFUSE = "extension_refuse", _("不批准延期")
    URGE = "assignment_urge", _("催办")
    KEY_ON = "proposal_key_on", _("列为重点提案")
    KEY_OFF = "proposal_key_off", _("取消重点提案")
    ATTACH = "attachment_add", _("上传附件")
    SIMILARITY_DISMISS = "similarity_dismiss", _("标记为不相似")
    MERGE = "proposal_merge", _("并案")
    MERGE_UNDO = "proposal_merge_undo", _("撤销并案")
    MERGE_FOLLOW = "proposal_merge_follow", _("随主提案办理")
    COSIGN_INVITE = "cosign_invite", _("邀请联名人确认")
    COSIGN_CONFIRM = "cosign_confirm", _("联名人确认")
    COSIGN_PAPER = "cosign_paper", _("录入联名人纸质确认")
    COSIGN_DECLINE = "cosign_decline", _("联名人退出联名")
    COSIGN_REMOVE = "cosign_remove", _("移除未确认的联名人")


class CalendarDayKind(models.TextChoices):
    """An entry of the official calendar that differs from the plain week."""

    HOLIDAY = "holiday", _("放假")
    WORKDAY = "workday", _("调休上班")


class CommitteeLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class NumberStyle(models.TextChoices):
    """How a number is printed in titles, lists and letters; ``{n}`` is the number."""

    SPACED = "第 {n} 号", _("第 TA0207 号（“第”“号”与编号间空一格）")
    TIGHT = "第{n}号", _("第48号")
    PLAIN = "{n}号", _("48号")


class CosignRule(models.TextChoices):
    """When a joint proposal (联名提案) counts as joint: the committee's rule on its co-signers' confirmation."""

    NONE = "none", _("无需联名人确认")
    ALL = "all", _("全部联名人确认")
    ANY = "any", _("至少一名联名人确认")


class CosignStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")


class CosignMethod(models.TextChoices):
    ONLINE = "online", _("网上确认")
    PAPER = "paper", _("纸质确认")


class AttachmentPurpose(models.TextChoices):
    """What a file attached to a proposal is. A co-signer's paper confirmation is the committee's
    record of their consent, not part of the proposal: who reads which is ``attachments_visible_to``."""

    PROPOSAL = "proposal", _("提案附件")
    COSIGN_CONFIRMATION = "cosign_confirm", _("联名确认书")


class RatingMode(models.TextChoices):
    """How a committee asks its members to rate the handling."""

    SINGLE = "single", _("一项：满意度")
    TWO_SCORES = "two_scores", _("两项：办理态度和办理结果，并填沟通方式")


class DeadlineUnit(models.TextChoices):
    MONTHS = "months", _("月")
    WORKING_DAYS = "working_days", _("工作日")
