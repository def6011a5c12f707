"""The workbook's sheets and columns: the one definition the export, the template, the importer and
its checks read (issue 17).

Each sheet is one kind of record; each column names the record's attribute (``field``), the
header printed in row 1 (``header``, Chinese whatever the user's language, so a workbook reads the
same everywhere) and the explanation printed under it in row 2 (``help``). Data starts in row 3
(``FIRST_DATA_ROW``). Choices are written as their Chinese labels and read back from label or code;
yes/no as 是/否; dates and times as real Excel dates.

Natural keys (``Sheet.key``) make a re-import update the rows it made instead of adding new ones:
a committee by its full name, a meeting by committee + 届 + 次, a member by committee + name + work
unit, an agency by committee + name, a user by user name, a proposal by meeting + number, an
assignment by proposal + agency + 交办时间, a reply, record or rating by its assignment and round
(and member).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from consultations.models import ConsultationStatus, ContactMethod, Method, Opinion, Satisfaction, SignMethod
from proposals.choices import RatingMode
from proposals.models import (
    AssignmentRole,
    AssignmentStatus,
    CommitteeLevel,
    DeadlineUnit,
    NumberStyle,
    ProposalStatus,
    ProposerKind,
    Role,
)
from proposals.models.proposal import REFUSAL_REASON_MAX_CHARS
from replies.models import NotPublicKind, ReplyStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

HEADER_ROW = 1
HELP_ROW = 2
FIRST_DATA_ROW = 3
# The separator of several members in one cell (联名提案人): "李四（乙单位）；王五".
LIST_SEPARATOR = "；"
YES = _("是")
NO = _("否")
CHOICES_HELP = _("可填：%(labels)s")
REQUIRED_MARK = _("（必填）")


class Kind(enum.Enum):
    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    PHONE = "phone"


@dataclass(frozen=True)
class Column:
    field: str
    header: StrOrPromise
    help: StrOrPromise
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: type[models.TextChoices] | None = None
    max_length: int | None = None
    # A yes/no column that may stay blank (then the record has no value: the system's setting).
    nullable: bool = False
    # A column added after workbooks were first exported: a file without it is still read, and the
    # records keep what they have (a new one the model's default).
    optional: bool = False

    def help_text(self) -> str:
        """Row 2 of the sheet: what to write in the column."""
        if self.choices is not None and not self.help:
            labels = "、".join(str(label) for label in self.choices.labels)
            text = str(CHOICES_HELP) % {"labels": labels}
        else:
            text = str(self.help)
        return text + str(REQUIRED_MARK) if self.required else text


@dataclass(frozen=True)
class Sheet:
    code: str
    title: StrOrPromise
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # Reference data only an administrator may import (the committee's rules, the users).
    admin_only: bool = False

    def column(self, field: str) -> Column:
        for column in self.columns:
            if column.field == field:
                return column
        raise KeyError(field)


def _committee() -> Column:
    return Column("committee", _("委员会"), _("政协委员会的全称，须与“委员会”表或系统中的一致"), required=True)


def _meeting() -> Column:
    return Column("meeting", _("会议"), _("届-次，例如 8-3（八届三次会议）"), required=True)


def _number(required: bool = True) -> Column:
    return Column("number", _("提案编号"), _("例如 TA0207；同一次会议内不能重复"), required=required, max_length=20)


def _agency(field: str = "agency", required: bool = True) -> Column:
    return Column(field, _("承办单位"), _("承办单位全称，须在“承办单位”表或系统中"), required=required, max_length=100)


def _round() -> Column:
    return Column("round", _("办理轮次"), _("第一次办理为 1，重新办理为 2"), Kind.INT, required=True)


def _member(field: str, header: StrOrPromise, required: bool = True) -> Column:
    return Column(field, header, _("委员姓名，须在“委员”表或系统中"), required=required, max_length=50)


def _member_unit(field: str, header: StrOrPromise) -> Column:
    return Column(field, header, _("与姓名一起确定是哪位委员；同名委员靠工作单位区分"), max_length=200)


def _user(field: str, header: StrOrPromise) -> Column:
    return Column(field, header, _("系统用户名，须在“用户”表或系统中；留空则为导入人"), max_length=150)


def _bool(field: str, header: StrOrPromise, help: StrOrPromise, nullable: bool = False) -> Column:
    return Column(field, header, help, Kind.BOOL, nullable=nullable)


def _choice(field: str, header: StrOrPromise, choices: type[models.TextChoices], required: bool = True) -> Column:
    return Column(field, header, "", Kind.CHOICE, required, choices)  # help: the labels (help_text)


COMMITTEES = Sheet(
    "committees",
    _("委员会"),
    (
        Column("name", _("全称"), _("例如 中国人民政治协商会议晋城市委员会"), required=True, max_length=100),
        Column("display_name", _("名称"), _("例如 晋城市政协"), required=True, max_length=50),
        Column("short_name", _("简称"), _("答复标题使用，例如 市政协"), required=True, max_length=30),
        _choice("level", _("级别"), CommitteeLevel),
        Column("parent", _("上级委员会"), _("上级政协委员会的全称，没有则留空"), max_length=100),
        Column("number_width", _("序号位数"), _("序号补零到的位数，例如 4；留空则不补零"), Kind.INT),
        _choice("number_style", _("编号显示方式"), NumberStyle),
        _bool("reply_class_required", _("签发须选答复类别"), _("是 或 否")),
        _bool("leader_required", _("签发须填负责人"), _("是 或 否")),
        _bool("handler_required", _("签发须填承办人"), _("是 或 否")),
        _bool("phone_required", _("签发须填联系电话"), _("是 或 否")),
        _bool("doc_number_required", _("签发须填发文字号"), _("是 或 否")),
        _bool(
            "record_required_before_issue",
            _("签发前须有委员签字的面商记录"),
            _("是 或 否；留空则按系统设置"),
            nullable=True,
        ),
        _choice("deadline_unit", _("办理时限单位"), DeadlineUnit),
        _bool("public_pages", _("公开答复"), _("是 或 否")),
        Column("rating_mode", _("满意度测评方式"), "", Kind.CHOICE, choices=RatingMode, optional=True),
    ),
    key=("name",),
    admin_only=True,
)

REPLY_CLASSES = Sheet(
    "reply_classes",
    _("答复类别"),
    (
        _committee(),
        Column("code", _("代码"), _("例如 A、B1"), required=True, max_length=8),
        Column("label", _("名称"), _("例如 A 类"), required=True, max_length=20),
        Column("definition", _("含义"), _("例如 所提问题已经解决或基本解决"), max_length=200),
        Column("order", _("排序"), _("数字小的在前"), Kind.INT),
    ),
    key=("committee", "code"),
    admin_only=True,
)

CATEGORIES = Sheet(
    "categories",
    _("提案类别"),
    (
        _committee(),
        Column("name", _("名称"), _("例如 经济建设"), required=True, max_length=50),
        Column("order", _("排序"), _("数字小的在前"), Kind.INT),
        _bool("is_active", _("启用"), _("是 或 否")),
    ),
    key=("committee", "name"),
)

DECLINE_REASONS = Sheet(
    "decline_reasons",
    _("不予立案理由"),
    (
        _committee(),
        Column("text", _("不予立案理由"), _("例如 属于个人诉求"), required=True, max_length=200),
        Column("order", _("排序"), _("数字小的在前"), Kind.INT),
        _bool("is_active", _("启用"), _("是 或 否")),
    ),
    key=("committee", "text"),
)

MEETINGS = Sheet(
    "meetings",
    _("会议"),
    (
        _committee(),
        Column("term", _("届"), _("数字，例如 8"), Kind.INT, required=True),
        Column("session", _("次"), _("数字，例如 3"), Kind.INT, required=True),
        Column("number_prefix", _("编号前缀"), _("例如 TA；不用前缀的留空"), max_length=8),
        Column("opened_on", _("开幕日期"), _("日期，例如 2024-01-10"), Kind.DATE),
        _bool("is_current", _("当前会议"), _("是 或 否")),
        Column("due_months", _("办理时限"), _("单位见委员会的办理时限单位"), Kind.INT),
        Column("cohandler_due_months", _("会办意见时限"), _("单位见委员会的办理时限单位"), Kind.INT),
        Column("rehandle_due_months", _("重新办理时限"), _("单位见委员会的办理时限单位"), Kind.INT),
        Column("return_window_days", _("退回期限（工作日）"), _("数字，例如 7"), Kind.INT),
        Column("last_sequence", _("已用最大序号"), _("已立案编号的最大序号，留空则按导入的编号计算"), Kind.INT),
    ),
    key=("committee", "term", "session"),
)

AGENCIES = Sheet(
    "agencies",
    _("承办单位"),
    (
        _committee(),
        Column("name", _("单位名称"), _("全称，例如 晋城市发展和改革委员会"), required=True, max_length=100),
        Column("short_name", _("简称"), _("例如 市发改委"), max_length=30),
        Column("email", _("电子邮箱"), _("可留空"), max_length=254),
        _bool("is_active", _("启用"), _("是 或 否")),
    ),
    key=("committee", "name"),
)

MEMBERS = Sheet(
    "members",
    _("委员"),
    (
        _committee(),
        Column("name", _("姓名"), _("委员姓名"), required=True, max_length=50),
        _member_unit("work_unit", _("工作单位")),
        Column("phone", _("联系电话"), _("手机 11 位，或带区号的固定电话，如 0356-2021234"), Kind.PHONE, max_length=30),
        Column("sector", _("界别"), _("例如 经济界"), max_length=50),
        Column("email", _("电子邮箱"), _("可留空"), max_length=254),
        _bool("is_active", _("在任"), _("是 或 否")),
    ),
    key=("committee", "name", "work_unit"),
)

USERS = Sheet(
    "users",
    _("用户"),
    (
        Column("committee", _("委员会"), _("政协委员会的全称；系统管理员留空则可管理全部委员会"), max_length=100),
        Column("username", _("用户名"), _("登录用的名字；导入的新用户须由管理员设置密码后才能登录"), required=True),
        Column("display_name", _("姓名"), _("显示的姓名"), max_length=50),
        _choice("role", _("角色"), Role),
        _agency("agency", required=False),
        _member("member", _("对应委员"), required=False),
        _member_unit("member_unit", _("对应委员工作单位")),
        Column("phone", _("联系电话"), _("手机 11 位，或带区号的固定电话"), Kind.PHONE, max_length=30),
        Column("email", _("电子邮箱"), _("可留空"), max_length=254),
        _bool("oversees_children", _("可查看下级委员会（只读）"), _("是 或 否")),
        _bool("is_active", _("启用"), _("是 或 否")),
    ),
    key=("username",),
    admin_only=True,
)

PROPOSALS = Sheet(
    "proposals",
    _("提案"),
    (
        _committee(),
        _meeting(),
        _number(required=False),
        _bool("between_meetings", _("闭会期间提案"), _("是 或 否")),
        Column("title", _("标题"), _("提案标题"), required=True, max_length=300),
        _choice("proposer_kind", _("提案人类型"), ProposerKind),
        _member("first_proposer", _("第一提案人"), required=False),
        _member_unit("first_proposer_unit", _("第一提案人工作单位")),
        Column(
            "cosigners",
            _("联名提案人"),
            _("多位用“；”分隔；同名委员在姓名后用括号写工作单位，例如 李四（乙单位）；王五"),
        ),
        Column("body_name", _("提案单位"), _("集体提案的党派、界别、专门委员会或人民团体"), max_length=100),
        Column("body_contact", _("联系人"), _("集体提案的联系人"), max_length=50),
        Column("body_contact_phone", _("联系人电话"), _("集体提案联系人的电话"), Kind.PHONE, max_length=30),
        Column("category", _("类别"), _("须在“提案类别”表或系统中；可留空"), max_length=50),
        Column("main_content", _("主要内容"), _("提案的主要内容"), required=True),
        Column("reason", _("案由"), _("可留空")),
        Column("suggestions", _("建议"), _("可留空")),
        # The proposer's choices (issue 21, item 6).
        Column(
            "suggested_agencies",
            _("建议承办单位"),
            _("提案人建议的承办单位，多个用“；”分隔，须在“承办单位”表或系统中；可留空"),
            optional=True,
        ),
        Column(
            "publication_consent",
            _("是否同意公开"),
            _("是 或 否；留空为同意"),
            Kind.BOOL,
            optional=True,
        ),
        Column(
            "publication_refusal_reason",
            _("不同意公开的理由"),
            _("不同意公开时必填"),
            max_length=REFUSAL_REASON_MAX_CHARS,
            optional=True,
        ),
        _choice("status", _("状态"), ProposalStatus),
        _bool("is_key", _("重点提案"), _("是 或 否")),
        Column("key_note", _("督办说明"), _("可留空")),
        Column("decline_reason", _("不予立案理由"), _("须在“不予立案理由”表或系统中"), max_length=200),
        Column("decline_note", _("不予立案说明"), _("可留空")),
        _bool("converted_to_opinion", _("转为意见建议"), _("是 或 否")),
        _user("created_by", _("录入人")),
        Column("created_at", _("创建时间"), _("日期和时间，例如 2024-01-12 09:30"), Kind.DATETIME),
        Column("submitted_at", _("提交时间"), _("日期和时间"), Kind.DATETIME),
        Column("registered_at", _("立案时间"), _("日期和时间"), Kind.DATETIME),
        Column("closed_at", _("办结时间"), _("日期和时间"), Kind.DATETIME),
        Column("close_note", _("办结说明"), _("可留空")),
    ),
    key=("meeting", "number"),
)

ASSIGNMENTS = Sheet(
    "assignments",
    _("交办"),
    (
        _committee(),
        _meeting(),
        _number(),
        _agency(),
        _choice("role", _("办理方式"), AssignmentRole),
        Column("scope", _("分办范围"), _("分办时答复的部分，例如 第二条"), max_length=200),
        _choice("status", _("状态"), AssignmentStatus),
        _round(),
        Column("assigned_at", _("交办时间"), _("日期和时间，例如 2024-02-01 10:00"), Kind.DATETIME, required=True),
        _user("assigned_by", _("交办人")),
        Column("due_date", _("办理时限"), _("日期，例如 2024-05-01"), Kind.DATE, required=True),
        Column("original_due_date", _("原办理时限"), _("延期前的时限；留空则同办理时限"), Kind.DATE),
        Column("accepted_at", _("签收时间"), _("日期和时间"), Kind.DATETIME),
        Column("returned_at", _("退回时间"), _("日期和时间"), Kind.DATETIME),
        Column("return_reason", _("退回理由"), _("可留空")),
        Column("replied_at", _("答复时间"), _("日期和时间"), Kind.DATETIME),
    ),
    key=("meeting", "number", "agency", "assigned_at"),
)

REPLIES = Sheet(
    "replies",
    _("答复"),
    (
        _committee(),
        _meeting(),
        _number(),
        _agency(),
        _round(),
        _choice("status", _("状态"), ReplyStatus),
        Column("reply_class", _("答复类别"), _("委员会启用的类别代码，例如 A"), max_length=8),
        Column("title", _("标题"), _("答复函标题"), required=True, max_length=300),
        Column("addressee", _("主送"), _("例如 朱国胜委员："), required=True, max_length=200),
        Column("body", _("正文"), _("答复函正文")),
        Column("closing", _("结束语"), _("可留空")),
        Column("leader_name", _("负责人"), _("可留空"), max_length=50),
        Column("handler_name", _("承办人"), _("可留空"), max_length=50),
        Column("phone", _("联系电话"), _("承办人的联系电话"), Kind.PHONE, max_length=30),
        Column("reply_date", _("成文日期"), _("日期，例如 2024-07-09"), Kind.DATE),
        Column("doc_number", _("发文字号"), _("可留空"), max_length=100),
        Column("copy_to", _("抄送"), _("可留空"), max_length=300),
        Column("signer_name", _("签发人"), _("可留空"), max_length=50),
        Column("report_to", _("报"), _("可留空"), max_length=300),
        Column("printed_by", _("印发机关"), _("可留空"), max_length=100),
        Column("printed_on", _("印发日期"), _("日期"), Kind.DATE),
        _bool("is_public", _("主动公开"), _("是 或 否")),
        _choice("not_public_kind", _("不公开的属性"), NotPublicKind, required=False),
        Column("not_public_reason", _("不公开理由"), _("不公开时必填")),
        _user("created_by", _("撰写人")),
        Column("created_at", _("创建时间"), _("日期和时间"), Kind.DATETIME),
        Column("submitted_at", _("提交时间"), _("日期和时间"), Kind.DATETIME),
        _user("signed_by", _("签发人账号")),
        Column("issued_at", _("签发时间"), _("日期和时间"), Kind.DATETIME),
    ),
    key=("meeting", "number", "agency", "round"),
)

CONSULTATIONS = Sheet(
    "consultations",
    _("面商记录"),
    (
        _committee(),
        _meeting(),
        _number(),
        _agency(),
        _round(),
        _member("member", _("委员")),
        _member_unit("member_unit", _("委员工作单位")),
        _choice("status", _("状态"), ConsultationStatus),
        Column("held_at", _("面商时间"), _("日期和时间"), Kind.DATETIME, required=True),
        Column("place", _("面商地点"), _("例如 市发改委三楼会议室"), required=True, max_length=200),
        _choice("method", _("面商方式"), Method),
        Column("host_name", _("面商人"), _("承办单位面商的人"), required=True, max_length=50),
        Column("host_phone", _("面商人联系电话"), _("面商人的电话"), Kind.PHONE, required=True, max_length=30),
        Column("member_phone", _("委员联系电话"), _("记录表上委员的电话"), Kind.PHONE, max_length=30),
        Column("main_content", _("提案主要内容"), _("可留空")),
        Column("reply_points", _("答复意见要点"), _("可留空")),
        Column("handling_class", _("办理情况"), _("答复类别代码，例如 A"), max_length=8),
        _choice("opinion", _("委员意见"), Opinion, required=False),
        Column("opinion_text", _("委员意见和要求"), _("例如 同意")),
        _choice("sign_method", _("签字方式"), SignMethod, required=False),
        Column("signed_at", _("签字时间"), _("日期和时间"), Kind.DATETIME),
        _user("created_by", _("录入人")),
        Column("created_at", _("创建时间"), _("日期和时间"), Kind.DATETIME),
    ),
    key=("meeting", "number", "agency", "round", "member", "member_unit"),
)

RATINGS = Sheet(
    "ratings",
    _("满意度测评"),
    (
        _committee(),
        _meeting(),
        _number(),
        _agency(),
        _round(),
        _member("member", _("委员")),
        _member_unit("member_unit", _("委员工作单位")),
        _choice("value", _("测评结果"), Satisfaction),
        # Two-score ratings (issue 21, item 7): optional, older workbooks have no such columns.
        Column("attitude", _("办理态度"), "", Kind.CHOICE, choices=Satisfaction, optional=True),
        Column("result", _("办理结果"), "", Kind.CHOICE, choices=Satisfaction, optional=True),
        Column("contact_method", _("沟通方式"), "", Kind.CHOICE, choices=ContactMethod, optional=True),
        Column("comment", _("意见"), _("可留空")),
        _user("entered_by", _("录入人")),
        _bool("on_behalf", _("代为录入"), _("是 或 否")),
        Column("created_at", _("测评时间"), _("日期和时间"), Kind.DATETIME),
    ),
    key=("meeting", "number", "agency", "round", "member", "member_unit"),
)

# In the order they are written and imported: every sheet refers only to sheets before it.
SHEETS: tuple[Sheet, ...] = (
    COMMITTEES,
    REPLY_CLASSES,
    CATEGORIES,
    DECLINE_REASONS,
    MEETINGS,
    AGENCIES,
    MEMBERS,
    USERS,
    PROPOSALS,
    ASSIGNMENTS,
    REPLIES,
    CONSULTATIONS,
    RATINGS,
)
