"""Request-wide security plumbing: the audit context, 403 auditing, and the CSP header."""

from __future__ import annotations

from django.conf import settings

from .log import current_request, record_event
from .probes import flush_out_of_scope
from .sessions import register_session


class AuditMiddleware:
    """Makes the request known to ``record_event``, records every 403 the site answers and writes
    the out-of-scope probes noted during the request (audit/probes.py).

    It sits after AuthenticationMiddleware (it needs ``request.user``) and sees responses made by
    ``handler403`` for PermissionDenied, by the CSRF check and by views that answer 403 directly,
    so each is recorded exactly once here.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        session = getattr(request, "session", None)
        key_before = session.session_key if session is not None else None
        try:
            response = self.get_response(request)
            # A key rotated during the request (password change) joins the user's session index.
            if session is not None and session.session_key and session.session_key != key_before:
                user = getattr(request, "user", None)
                if user is not None and user.is_authenticated:
                    register_session(user, session.session_key, replaces=key_before)
            flush_out_of_scope(request)  # outside any transaction of the view (audit/probes.py)
            if response.status_code == 403:
                record_event(
                    event="permission_denied",
                    request=request,
                    outcome="denied",
                    detail=f"{request.method} {request.path}"[:500],
                )
            return response
        finally:
            current_request.reset(token)


DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Django 5.2 has no built-in CSP. Every script and style is a same-origin file (no inline
    ``<script>`` or ``style=""`` in our templates or Django admin's), so the strict policy holds
    for the site and the admin alike. ``CONTENT_SECURITY_POLICY = ""`` switches it off."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP)
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
