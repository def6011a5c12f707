"""How the audit page names this app's rows (audit/describe.py), registered from
``ConsultationsConfig.ready``. Names only: the record's phones and work unit never leave it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.describe import Page, register_describer, register_pages, register_phrases
from proposals.audit_words import name_of, scoped

from .actions import ConsultationAction as A
from .models import Consultation, Rating

PREFIX = "assignment__proposal__"
FIELDS = (f"{PREFIX}number", f"{PREFIX}committee__number_style", f"{PREFIX}title")


def _named(rows, single, numbered) -> dict[str, dict[str, str]]:
    out = {}
    for r in rows:
        values = {"proposal": name_of(r, PREFIX), "round": r["round"]}
        name = (numbered if r["round"] > 1 else single) % values
        out[str(r["pk"])] = {"name": name, "agency": r["assignment__agency__name"]}
    return out


def describe_consultations(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    rows = scoped(Consultation, pks, reader, "assignment__proposal__committee").values(
        "pk", "round", "assignment__agency__name", *FIELDS
    )
    return _named(rows, _("%(proposal)s的面商记录表"), _("%(proposal)s的第 %(round)s 轮面商记录表"))


def describe_ratings(pks: Collection[str], reader: Any) -> dict[str, dict[str, str]]:
    rows = scoped(Rating, pks, reader, "assignment__proposal__committee").values(
        "pk", "round", "assignment__agency__name", *FIELDS
    )
    return _named(rows, _("%(proposal)s的满意度测评"), _("%(proposal)s的第 %(round)s 轮满意度测评"))


CONSULTATION = "consultations.Consultation"
RATING = "consultations.Rating"


def _consultation_download(detail: str, params: Mapping[str, str]):
    if detail == "signature":
        return gettext_lazy("查看了%(object)s上的委员签名")
    if detail.startswith("面商记录表扫描件"):
        return gettext_lazy("下载了%(object)s的纸质扫描件")
    return gettext_lazy("下载了%(object)s PDF")


PHRASES = {
    f"download:{CONSULTATION}": _consultation_download,
    f"download:{RATING}": gettext_lazy("下载了%(object)s纸质表"),
    "proposal_close": gettext_lazy("办结了%(object)s"),
    "assignment_rehandle": gettext_lazy("将%(object)s转入重新办理"),
}

PAGES = {
    "schedule": Page(A.SCHEDULE.label, "proposals.Assignment"),
    "rate": Page(A.RATE.label, "proposals.Assignment"),
    "record": Page(A.RECORD.label, CONSULTATION),
    "sign": Page(A.SIGN_ONLINE.label, CONSULTATION),
    "paper": Page(A.SIGN_PAPER.label, CONSULTATION),
    "resign": Page(A.RESIGN.label, CONSULTATION),
    "close": Page(A.CLOSE.label, "proposals.Proposal"),
}


def register() -> None:
    register_describer(CONSULTATION, describe_consultations)
    register_describer(RATING, describe_ratings)
    register_phrases(PHRASES)
    register_pages("consultations", PAGES)
