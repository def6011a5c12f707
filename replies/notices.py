"""Notices other apps put on a reply's page (dependencies point one way: replies knows no records).

An app appends a function to ``REPLY_NOTICES`` from its AppConfig.ready(); the reply page shows
what each returns for the current reply, with the action it offers (a POST button) when there is one.
The consultations app uses it to say that the member signed the record on an earlier version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from proposals.models import User

from .models import Reply


@dataclass(frozen=True)
class ReplyNotice:
    text: str
    action_url: str = ""
    action_label: str = ""


REPLY_NOTICES: list[Callable[[User, Reply], list[ReplyNotice]]] = []


def reply_notices(user: User, reply: Reply | None) -> list[ReplyNotice]:
    if reply is None:
        return []
    return [notice for source in REPLY_NOTICES for notice in source(user, reply)]
