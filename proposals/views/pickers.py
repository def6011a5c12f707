"""The JSON the search-as-you-type pickers load (``static/js/pickers.js``): members for the filing
form's 第一提案人 and 联名提案人, agencies for the assignment form. The same rows the forms offer
(``proposals.selectors.pickers``), at most ``PICKER_LIMIT`` of them.
"""

from __future__ import annotations

from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import roles
from ..http import AuthenticatedHttpRequest
from ..selectors import pickers


def _results(options: list[pickers.PickerOption]) -> JsonResponse:
    return JsonResponse({"results": [asdict(o) for o in options]})


@login_required
@require_GET
@never_cache  # members' work units: not for a shared cache
def member_picker(request: AuthenticatedHttpRequest) -> JsonResponse:
    # Those who file: staff (any proposer) and members online (their co-signers).
    if not (roles.is_staff(request.user) or roles.is_member(request.user)):
        raise PermissionDenied
    return _results(pickers.search_members(request.user, request.GET.get("q", "")))


@login_required
@require_GET
@never_cache
def agency_picker(request: AuthenticatedHttpRequest) -> JsonResponse:
    # Only staff assign (``permissions.can_assign``).
    if not roles.is_staff(request.user):
        raise PermissionDenied
    return _results(pickers.search_agencies(request.user, request.GET.get("q", "")))
