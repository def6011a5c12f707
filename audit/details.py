"""Digests written into an audit row's detail, so the chain vouches for them, and read back.

``record_event`` masks anything shaped like a phone number in a detail, and 64 hex digits often
hold a run of ten or eleven decimal digits that looks like one. So a digest is written in groups of
eight, joined by ``:``: no run of digits in it is long enough to be masked, and it reads back whole.
"""

from __future__ import annotations

import re

GROUP = 8


def digest_field(name: str, hexdigest: str) -> str:
    """``name=xxxxxxxx:xxxxxxxx:…`` for a detail; ``read_digest`` gives the digest back."""
    groups = [hexdigest[i : i + GROUP] for i in range(0, len(hexdigest), GROUP)]
    return f"{name}={':'.join(groups)}"


def read_digest(detail: str, name: str) -> str | None:
    """The digest written by ``digest_field(name, …)`` in ``detail``, or None when there is none."""
    match = re.search(rf"(?:^|\s){re.escape(name)}=([0-9a-f:]+)(?:\s|$)", detail or "")
    return match.group(1).replace(":", "") if match else None
