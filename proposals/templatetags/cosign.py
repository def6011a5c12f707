"""The co-signer confirmation panel of a proposal's page (staff of its committee, its members)."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Proposal
from ..selectors.cosign import CosignPanel, cosign_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def cosign_state(context: dict[str, Any], proposal: Proposal) -> CosignPanel | None:
    """The panel for the request's user, or None when it is not shown (no co-signer was asked to
    confirm, or the user is an agency's)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return cosign_panel(user, proposal)
