"""How the audit page names this app's rows (audit/describe.py), registered from ``RepliesConfig.ready``."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.describe import register_describer, register_phrases
from proposals.audit_words import name_of, scoped
from proposals.choices import ANSWERING_ROLES

from .actions import ReplyAction as A
from .models import Reply

PREFIX = "assignment__proposal__"


def describe_replies(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    rows = scoped(Reply, pks, reader, "assignment__proposal__committee").values(
        "pk",
        "round",
        "assignment__role",
        "assignment__agency__name",
        f"{PREFIX}number",
        f"{PREFIX}committee__number_style",
        f"{PREFIX}title",
    )
    out = {}
    for r in rows:
        values = {"proposal": name_of(r, PREFIX), "round": r["round"]}
        if r["assignment__role"] not in ANSWERING_ROLES:
            name = _("%(proposal)s的会办意见") % values
        elif r["round"] > 1:
            name = _("%(proposal)s的第 %(round)s 轮答复") % values
        else:
            name = _("%(proposal)s的答复") % values
        out[str(r["pk"])] = {"name": name, "agency": r["assignment__agency__name"]}
    return out


LABEL = "replies.Reply"


def _download(detail: str, params: Mapping[str, str]):
    return gettext_lazy("下载了%(object)s PDF（%(agency)s）")


PHRASES = {
    f"{LABEL}:{A.CREATE}": gettext_lazy("起草了%(object)s（%(agency)s）"),
    f"{LABEL}:reply_save": gettext_lazy("修改了%(object)s的草稿（%(agency)s）"),
    f"{LABEL}:{A.SUBMIT}": gettext_lazy("将%(object)s提交签发（%(agency)s）"),
    f"{LABEL}:{A.RETURN}": gettext_lazy("将%(object)s退回修改（%(agency)s）"),
    f"{LABEL}:{A.ISSUE}": gettext_lazy("签发了%(object)s（%(agency)s）"),
    f"download:{LABEL}": _download,
}


def register() -> None:
    register_describer(LABEL, describe_replies)
    register_phrases(PHRASES)
