"""Audit rows in words, for an auditor: who (with their role), what (a sentence naming the object),
and the outcome — no model labels, ids, ``key=value`` details or URLs.

A page (or an export chunk) of rows is read in two passes: every row first says which people and
objects its sentence needs (``_Plan.refs``), then all of them are described with one call per model
label (audit/describe.py) and the sentences are written. The number of queries depends on the kinds
of object on the page, never on the number of rows.

The details were written by ``record_event``'s callers in a compact form meant to be stable (and
hashed into the chain); this module is the one place that reads them back into words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import dateformat, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from . import describe
from .describe import Person
from .log import mask_personal
from .models import EVENT_LABELS, AuditEvent

# Events recorded outside audit whose names the filter offers too.
EXTRA_EVENT_LABELS = {
    "verify": gettext_lazy("核验文件"),
}

# The outcome as the auditor reads it (the model's choice labels are the admin's short forms).
OUTCOME_WORDS = {
    "ok": gettext_lazy("成功"),
    "denied": gettext_lazy("被拒绝"),
    "failed": gettext_lazy("失败"),
}

# Keys of transition details that name another row, and the model they name.
DETAIL_REFS = {"assignment": "proposals.Assignment"}
# Account fields (audit.signals.ACCOUNT_FIELDS) whose values are ids of another model.
ACCOUNT_REFS = {"agency_id": "proposals.Agency", "member_id": "proposals.Member"}

# The reasons a refused transition's detail gives after its code (``consultation_sign_online: …``).
REFUSAL_WORDS = {
    "wrong_password": gettext_lazy("密码错误"),
    "locked out": gettext_lazy("密码错误次数过多，暂停签字"),
    "forbidden": gettext_lazy("无权操作"),
}

# This app's own export (audit.views.event_export).
describe.register_phrases({"export:audit.xlsx": gettext_lazy("导出了审计日志（Excel，共 %(rows)s 行）")})

_KV = re.compile(r"(\w+)=(\S+)")
_STATES = re.compile(r":\s*(\S+) → (\S+)")
_CODE = re.compile(r"^([a-z][a-z0-9_.]*)")
_ACCOUNT = re.compile(r"^(?P<username>.*): (?P<field>\w+) (?P<old>.*) → (?P<new>.*)$")
_OTHER_SESSIONS = re.compile(r"other_sessions_ended=(\d+)")


def event_choices() -> list[tuple[str, str]]:
    """The event filter's options: every known event with its Chinese name."""
    labels = {**EVENT_LABELS, **EXTRA_EVENT_LABELS}
    return [(code, str(label)) for code, label in labels.items()]


def event_name(code: str) -> str:
    return _event_name(code, get_language())


@lru_cache(maxsize=256)
def _event_name(code: str, language: str | None) -> str:
    label = EVENT_LABELS.get(code) or EXTRA_EVENT_LABELS.get(code)
    return str(label) if label is not None else code


def outcome_word(code: str) -> str:
    return _outcome_word(code, get_language())


@lru_cache(maxsize=32)
def _outcome_word(code: str, language: str | None) -> str:
    return str(OUTCOME_WORDS.get(code, code))


@dataclass(frozen=True)
class Line:
    """One audit row as the page and the export show it."""

    row: AuditEvent
    who: str
    sentence: str

    @property
    def pk(self) -> int:
        return self.row.pk

    @property
    def at(self) -> dt.datetime:
        return self.row.at

    @property
    def ip(self) -> str:
        return self.row.ip or ""

    @property
    def event_name(self) -> str:
        return event_name(self.row.event)

    @property
    def outcome(self) -> str:
        return self.row.outcome

    @property
    def outcome_word(self) -> str:
        return outcome_word(self.row.outcome)


class _Names:
    """What the second pass reads: the described people and objects of the whole batch."""

    def __init__(
        self,
        objects: Mapping[tuple[str, str], Mapping[str, str]],
        people: Mapping[int, Person],
        by_username: Mapping[str, Person],
    ) -> None:
        self.objects = objects
        self.people = people
        self.by_username = by_username

    def parts(self, label: str, pk: str) -> Mapping[str, str]:
        if not label:
            return {}
        return self.objects.get((label, pk)) or {"name": describe.fallback_name(label, pk)}

    def name(self, label: str, pk: str) -> str:
        return self.parts(label, pk).get("name", "")

    def user(self, user_id: int | None, username: str = "") -> str:
        person = self.people.get(user_id) if user_id is not None else None
        if person is None:
            if not username:
                return _("（已删除的用户）")
            return _("用户“%(username)s”") % {"username": mask_personal(username)}
        if username and person.name != username:
            return _("%(name)s（%(username)s）") % {"name": person.name, "username": username}
        return person.name


@dataclass
class _Plan:
    refs: list[tuple[str, str]] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)
    write: Callable[[_Names], str] = lambda names: ""


class _Params(dict):
    """Formatting values: a part a sentence names but this object lacks reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


def _say(pattern: Any, **params: Any) -> str:
    return str(pattern) % _Params(params)


def _object_params(names: _Names, row: AuditEvent) -> dict[str, str]:
    parts = names.parts(row.object_label, row.object_pk)
    return {**parts, "object": parts.get("name", "")}


def _phrase(key: str, detail: str, params: Mapping[str, str]) -> Any | None:
    found = describe.phrase(key)
    return found(detail, params) if callable(found) else found


def _kv(detail: str) -> dict[str, str]:
    return dict(_KV.findall(detail or ""))


# --- one planner per event ----------------------------------------------------------------------


def _plan_transition(row: AuditEvent) -> _Plan:
    detail = row.detail or ""
    match = _CODE.match(detail)
    code = match.group(1) if match else ""
    values = _kv(detail)
    plan = _Plan(refs=[(row.object_label, row.object_pk)])
    ref_labels = {key: label for key, label in DETAIL_REFS.items() if values.get(key, "").isdigit()}
    plan.refs += [(label, values[key]) for key, label in ref_labels.items()]

    def write(names: _Names) -> str:
        params = _object_params(names, row)
        for key, label in ref_labels.items():
            ref = names.parts(label, values[key])
            params.update({f"{key}_{part}": value for part, value in ref.items()})
            params[key] = ref.get("name", "")
            params.setdefault("agency", ref.get("agency", ""))
        action = describe.code_label("action", code) if code else ""
        # A code no app labels is not shown as it is: the event's own name stands in.
        params["action"] = action if action and action != code else event_name(row.event)
        pattern = (
            _phrase(f"{row.object_label}:{code}", detail, params)
            or _phrase(code, detail, params)
            or gettext_lazy("%(action)s：%(object)s")
        )
        text = _say(pattern, **params)
        states = _STATES.search(detail)
        if states:
            old, new = (s if s != "-" else "" for s in states.groups())
            old_label, new_label = describe.code_label("state", old, code), describe.code_label("state", new, code)
            if old_label and new_label:
                text += _("，状态由“%(old)s”变为“%(new)s”") % {"old": old_label, "new": new_label}
            elif new_label:
                text += _("，状态变为“%(new)s”") % {"new": new_label}
        reason = detail[len(code) :].lstrip(":").strip() if code else ""
        if row.outcome != "ok" and reason in REFUSAL_WORDS:
            text += _("：%(reason)s") % {"reason": REFUSAL_WORDS[reason]}
        if detail.endswith(" on behalf"):
            text += _("（代委员录入）")
        if "backfilled_at" in values:
            try:
                day = dt.datetime.fromisoformat(values["backfilled_at"])
            except ValueError:
                day = None
            if day is not None:
                text += _("（补录，实际日期 %(day)s）") % {"day": _date(day)}
        return text

    plan.write = write
    return plan


def _plan_object_event(row: AuditEvent, default: Any, prefix: str) -> _Plan:
    """Downloads, exports and verifications: a sentence chosen by the object's kind (registered by
    its app as ``"<event>:<model label>"``) or by the detail's first word for object-less rows."""
    plan = _Plan(refs=[(row.object_label, row.object_pk)] if row.object_label else [])

    def write(names: _Names) -> str:
        detail = row.detail or ""
        params = {**_object_params(names, row), **_kv(detail)}
        first = detail.split(" ", 1)[0] if detail else ""
        key = f"{prefix}:{row.object_label}" if row.object_label else f"{prefix}:{first}"
        pattern = _phrase(key, detail, params)
        if pattern is None:
            pattern = default if row.object_label else EVENT_LABELS.get(row.event, row.event)
        return _say(pattern, **params)

    plan.write = write
    return plan


def _plan_verify(row: AuditEvent) -> _Plan:
    plan = _Plan(refs=[(row.object_label, row.object_pk)] if row.object_label else [])
    by_code = "code" in (row.detail or "")

    def write(names: _Names) -> str:
        if not row.object_label:
            return _("核验文件：未找到相符的已签发文件")
        target = {"object": names.name(row.object_label, row.object_pk)}
        if row.outcome != "ok":
            return _("按核验码核验%(object)s：签字后已被改动") % target
        if by_code:
            return _("按核验码核验了%(object)s，与签字时一致") % target
        return _("核验了%(object)s的文件，与签发时一致") % target

    plan.write = write
    return plan


def _plan_account(row: AuditEvent) -> _Plan:
    detail = row.detail or ""
    plan = _Plan(user_ids=[int(row.object_pk)] if row.object_pk.isdigit() else [])
    match = _ACCOUNT.match(detail)
    field_name = match.group("field") if match else ""
    ref_label = ACCOUNT_REFS.get(field_name, "")
    if match and ref_label:
        plan.refs += [(ref_label, v) for v in (match.group("old"), match.group("new")) if v.isdigit()]

    def write(names: _Names) -> str:
        username = match.group("username") if match else ""
        target = names.user(int(row.object_pk) if row.object_pk.isdigit() else None, username)
        if match is None:
            return _("修改了用户%(target)s的账户") % {"target": target}
        old, new = match.group("old"), match.group("new")
        if field_name == "role":
            return _("修改了用户%(target)s的角色：由“%(old)s”改为“%(new)s”") % {
                "target": target,
                "old": describe.code_label("role", old) or _("无"),
                "new": describe.code_label("role", new) or _("无"),
            }
        turned_on = new == "True"
        if field_name == "is_active":
            pattern = gettext_lazy("启用了用户%(target)s") if turned_on else gettext_lazy("停用了用户%(target)s")
        elif field_name == "is_staff":
            pattern = (
                gettext_lazy("允许用户%(target)s进入后台管理")
                if turned_on
                else gettext_lazy("取消了用户%(target)s进入后台管理的权限")
            )
        elif field_name == "is_superuser":
            pattern = (
                gettext_lazy("授予用户%(target)s超级管理员权限")
                if turned_on
                else gettext_lazy("取消了用户%(target)s的超级管理员权限")
            )
        elif field_name == "username":
            return _("将用户名“%(old)s”改为“%(new)s”") % {"old": old, "new": new}
        elif ref_label:
            pattern = (
                gettext_lazy("将用户%(target)s的所属承办单位由“%(old)s”改为“%(new)s”")
                if field_name == "agency_id"
                else gettext_lazy("将用户%(target)s对应的委员由“%(old)s”改为“%(new)s”")
            )
            return _say(
                pattern,
                target=target,
                old=names.name(ref_label, old) if old.isdigit() else _("无"),
                new=names.name(ref_label, new) if new.isdigit() else _("无"),
            )
        else:
            pattern = gettext_lazy("修改了用户%(target)s的账户")
        return _say(pattern, target=target)

    plan.write = write
    return plan


def _plan_account_created(row: AuditEvent) -> _Plan:
    values = _kv(row.detail)
    plan = _Plan(user_ids=[int(row.object_pk)] if row.object_pk.isdigit() else [])

    def write(names: _Names) -> str:
        target = names.user(int(row.object_pk) if row.object_pk.isdigit() else None, values.get("username", ""))
        text = _("新建了账户%(target)s，角色为“%(role)s”") % {
            "target": target,
            "role": describe.code_label("role", values.get("role", "")) or _("无"),
        }
        if values.get("superuser") == "True":
            text += _("，为超级管理员")
        elif values.get("staff") == "True":
            text += _("，可进入后台管理")
        return text

    plan.write = write
    return plan


def _plan_password(row: AuditEvent) -> _Plan:
    detail = row.detail or ""
    target_id = int(row.object_pk) if row.object_pk.isdigit() else None
    plan = _Plan(user_ids=[target_id] if target_id is not None else [])

    def write(names: _Names) -> str:
        if row.outcome != "ok":
            if detail.endswith("locked out"):
                return _("修改密码被拒绝：原密码错误次数过多")
            return _("修改密码时原密码输入错误")
        if target_id is not None and target_id == row.user_id:
            text = _("修改了自己的密码")
        else:
            text = _("修改了用户%(target)s的密码") % {"target": names.user(target_id, detail.split(":", 1)[0])}
        ended = _OTHER_SESSIONS.search(detail)
        if ended and int(ended.group(1)):
            text += _("，其他 %(n)s 个登录会话已结束") % {"n": ended.group(1)}
        return text

    plan.write = write
    return plan


def _plan_denied(row: AuditEvent) -> _Plan:
    method, _sep, path = (row.detail or "").partition(" ")
    page: describe.Page | None = None
    app_name = ""
    pk = ""
    try:
        match = resolve(path) if path.startswith("/") else None
    except Resolver404:
        match = None
    if match is not None:
        page = describe.page(match.view_name)
        app_name = match.namespace.split(":", 1)[0]
        ints = [str(v) for v in match.kwargs.values() if isinstance(v, int)]
        pk = ints[0] if len(ints) == 1 else ""
    target = (page.model_label, pk) if page is not None and page.model_label and pk else None
    plan = _Plan(refs=[target] if target else [])

    def write(names: _Names) -> str:
        if page is not None:
            what = _("“%(page)s”") % {"page": page.label}
        elif app_name == "admin":
            what = _("后台管理中的页面")
        elif app_name:
            what = _("“%(app)s”中的页面") % {"app": _app_name(app_name)}
        else:
            what = _("页面")
        if target is not None:
            what += _("（%(object)s）") % {"object": names.name(*target)}
        if method in ("GET", "HEAD"):
            return _("打开%(what)s被拒绝") % {"what": what}
        return _("提交%(what)s被拒绝") % {"what": what}

    plan.write = write
    return plan


def _plan_out_of_scope(row: AuditEvent) -> _Plan:
    values = _kv(row.detail)
    last = (row.detail or "").split("last=", 1)[1] if "last=" in (row.detail or "") else ""
    label, _sep, pk = last.partition("#")

    def write(names: _Names) -> str:
        # The row names the kind and the id asked for, never the object (it may not exist).
        kind = describe.kind_name(label) if label else ""
        if kind:
            what = _("%(kind)s（编号 %(pk)s）") % {"kind": kind, "pk": pk} if pk.isdigit() else kind
        else:
            what = _("“%(app)s”中的页面") % {"app": _app_name(label.split(" ", 1)[0])} if label else _("对象")
        text = _("试图打开权限范围以外的%(what)s") % {"what": what}
        count = values.get("count", "")
        if count.isdigit() and int(count) > 1:
            text += _("（一分钟内共 %(n)s 次）") % {"n": count}
        return text

    return _Plan(write=write)


def _plan_simple(row: AuditEvent) -> _Plan:
    detail = row.detail or ""
    values = _kv(detail)

    def write(names: _Names) -> str:
        event = row.event
        if event == "login":
            return _("登录了系统")
        username = mask_personal(row.username)
        owner = names.by_username.get(row.username) if row.username else None
        if event == "login_failed":
            if owner is not None:
                return _("以%(person)s的用户名“%(username)s”登录失败") % {"person": owner.full, "username": username}
            if username:
                return _("以用户名“%(username)s”登录失败（没有这个用户）") % {"username": username}
            return _("登录失败")
        if event == "lockout":
            return _("用户名“%(username)s”连续 %(n)s 次登录失败，锁定 %(minutes)s 分钟") % {
                "username": username,
                "n": values.get("failures", "?"),
                "minutes": values.get("cooloff_minutes", "?"),
            }
        if event == "logout":
            text = _("退出登录")
            ended = values.get("other_sessions_ended", "0")
            if ended.isdigit() and int(ended):
                text += _("，同时结束了其他 %(n)s 个登录会话") % {"n": ended}
            return text
        if event == "audit_purge":
            return _("清理了 %(days)s 天以前的审计日志，共 %(n)s 条") % {
                "days": values.get("days", "?"),
                "n": values.get("deleted", "?"),
            }
        if event == "audit_rekey":
            return _("审计日志启用了密钥，此前的记录按原方式校验")
        name = event_name(event)
        if row.object_label:
            return _("%(event)s：%(object)s") % {"event": name, "object": names.name(row.object_label, row.object_pk)}
        return name

    plan = _Plan(refs=[(row.object_label, row.object_pk)] if row.object_label else [])
    plan.write = write
    return plan


def _plan_import(row: AuditEvent) -> _Plan:
    """The Excel workbook import (oversight.workbook): one row for the whole file."""
    plan = _Plan()
    plan.write = lambda names: _say(
        gettext_lazy("导入了 Excel 工作簿，补录办理记录 %(events)s 条"), events=_kv(row.detail).get("events", "0")
    )
    return plan


_PLANNERS: dict[str, Callable[[AuditEvent], _Plan]] = {
    "transition": _plan_transition,
    "download": lambda row: _plan_object_event(row, gettext_lazy("下载了%(object)s"), "download"),
    "export": lambda row: _plan_object_event(row, gettext_lazy("导出了%(object)s"), "export"),
    "verify": lambda row: _plan_verify(row),
    "import": _plan_import,
    "role_change": _plan_account,
    "account_change": _plan_account,
    "account_created": _plan_account_created,
    "password_change": _plan_password,
    "permission_denied": _plan_denied,
    "out_of_scope": _plan_out_of_scope,
}


def _app_name(app_label: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return app_label


def _date(value: dt.datetime) -> str:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, _("Y年n月j日"))


def lines(rows: Iterable[AuditEvent], reader: Any) -> list[Line]:
    """The rows in words, in the order given: a fixed number of queries for any number of rows.
    People and objects of committees ``reader`` does not work in are not named (describe.py)."""
    rows = list(rows)
    plans = [(_PLANNERS.get(row.event, _plan_simple))(row) for row in rows]
    refs: dict[str, set[str]] = defaultdict(set)
    user_ids: set[int] = set()
    usernames: set[str] = set()
    user_label = settings.AUTH_USER_MODEL
    for row, plan in zip(rows, plans, strict=True):
        for label, pk in plan.refs:
            if label == user_label and pk.isdigit():
                user_ids.add(int(pk))
            elif label:
                refs[label].add(pk)
        user_ids.update(plan.user_ids)
        if row.user_id is not None:
            user_ids.add(row.user_id)
        elif row.username:
            usernames.add(row.username)
    objects = describe.describe_objects(refs, reader)
    by_id, by_username = describe.describe_people(user_ids, usernames, reader)
    user_objects = {
        (user_label, str(pk)): {"name": person.full}
        for pk, person in by_id.items()  # a user as the object of an event
    }
    names = _Names({**objects, **user_objects}, by_id, by_username)
    out = []
    for row, plan in zip(rows, plans, strict=True):
        out.append(Line(row=row, who=_who(row, by_id), sentence=plan.write(names)))
    return out


def _who(row: AuditEvent, by_id: Mapping[int, Person]) -> str:
    if row.user_id is not None:
        person = by_id.get(row.user_id)
        if person is not None:
            return person.full
        role = describe.code_label("role", row.role)
        return _("%(name)s（%(title)s）") % {"name": row.username, "title": role} if role else row.username
    # A failed login or a lockout: whoever typed the username is not known, only the username.
    return _("未登录的访问者") if row.username else _("系统")


def export_header() -> Sequence[str]:
    return [_("编号"), _("时间"), _("人员"), _("事件"), _("经过"), _("结果"), _("IP 地址")]


def export_cells(line: Line) -> list[Any]:
    # openpyxl takes no time zone: the local time, as the page shows it
    at = timezone.localtime(line.at).replace(tzinfo=None)
    return [line.pk, at, line.who, line.event_name, line.sentence, line.outcome_word, line.ip]
