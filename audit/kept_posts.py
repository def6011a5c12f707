"""Text typed into a form survives a session that ended while it was typed (issue 19, "nothing lost").

A form post that arrives without a logged-in user (the idle timeout ended the session) would be sent
to the login page by ``login_required`` and then, after the login, to a GET of the POST-only URL:
a blank 405 with the text gone. For the views marked ``@keeps_typed_text`` the middleware below
instead keeps the post's fields in the new anonymous session under one key and sends the user to
log in, with the posted URL as ``next`` (exactly what ``login_required`` answers, so an anonymous
visitor learns nothing more). Django's ``login()`` keeps an anonymous session's data, so after the
login the GET of that URL is sent on to the form's own page (asked of the view, now with the user
known, so a page the user may not see is a 404 as always), and the page shows the kept text in its
form with ``KEPT_MESSAGE``; the user then saves it. Nothing is saved on the user's behalf.

The text is kept for the person who typed it only. The browser carries a signed cookie naming the
last user it was logged in as (``OWNER_COOKIE``, set by this middleware on an authenticated
response); the kept text records that user and is given back only to them after the login, so on
a shared computer another person who logs in next never reads it. Without that cookie nothing is
kept.

The text is kept no longer than needed: it is taken (and removed) by the first GET of its page,
dropped by any other page the logged-in user opens, and never used after ``MAX_AGE``. It is never
logged. Files cannot be kept; a form with files keeps its text fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEPT_MESSAGE = _("登录已超时，请重新登录，您的内容已保存")
SESSION_KEY = "_kept_post"
MAX_AGE_SECONDS = 15 * 60  # long enough to find one's password, short enough not to linger
_NOT_KEPT = {"csrfmiddlewaretoken"}
ATTRIBUTE = "kept_post_form_url"
OWNER_COOKIE = "pd_last_user"
OWNER_SALT = "audit.kept_posts.owner"
OWNER_MAX_AGE = 7 * 24 * 3600  # a week: longer than any idle session, and it names no one readable

V = TypeVar("V", bound=Callable[..., Any])
# The URL of the page whose form posts to the view, from the request (user logged in) and the
# view's URL kwargs; None when the view's own URL is that page (a GET/POST form view).
FormUrl = Callable[..., str] | None


def keeps_typed_text(form_url: FormUrl = None) -> Callable[[V], V]:
    """Mark a view whose form's text must survive an ended session. ``form_url(request, **kwargs)``
    names the page that shows the form (it may raise Http404 for a user who may not see it)."""

    def mark(view: V) -> V:
        setattr(view, ATTRIBUTE, form_url)
        return view

    return mark


def take_kept_post(request: HttpRequest) -> QueryDict | None:
    """The fields kept for this page, once: the caller binds its form to them. Adds KEPT_MESSAGE."""
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("path") != request.path:
        return None
    del request.session[SESSION_KEY]
    if kept.get("owner") != request.user.pk:  # typed by someone else on this browser
        return None
    if timezone.now().timestamp() - kept.get("at", 0) > MAX_AGE_SECONDS:
        return None
    data = QueryDict(mutable=True)
    for name, values in kept.get("data", []):
        data.setlist(name, values)
    messages.warning(request, KEPT_MESSAGE)
    return data


class KeepTypedTextMiddleware:
    """Sits after AuthenticationMiddleware (it reads ``request.user``) and CsrfViewMiddleware (a
    post refused by the CSRF check is never kept)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and _owner(request) != user.pk:
            response.set_signed_cookie(
                OWNER_COOKIE,
                str(user.pk),
                salt=OWNER_SALT,
                max_age=OWNER_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None:
            return None
        marked = hasattr(view_func, ATTRIBUTE)
        if not user.is_authenticated:
            owner = _owner(request)
            if marked and request.method == "POST" and owner is not None:
                session[SESSION_KEY] = {
                    "owner": owner,
                    "path": request.path,
                    "at": timezone.now().timestamp(),
                    "data": [(name, request.POST.getlist(name)) for name in request.POST if name not in _NOT_KEPT],
                }
                return redirect_to_login(request.get_full_path())
            return None
        kept = session.get(SESSION_KEY)
        if not kept:
            return None
        if kept.get("path") != request.path:
            del session[SESSION_KEY]  # the user went elsewhere: the text is not needed any more
            return None
        mine = kept.get("owner") == user.pk
        if not mine:
            del session[SESSION_KEY]  # typed by someone else on this browser: never shown
        form_url = getattr(view_func, ATTRIBUTE, None)
        if request.method == "GET" and form_url is not None:
            # The login sent the user to the URL that was posted to; the form is on another page
            # (asked of the view with this user: a page they may not see is a 404 as always).
            target = form_url(request, *view_args, **view_kwargs)
            if mine:
                session[SESSION_KEY] = {**kept, "path": target}
            return redirect(target)
        return None


def _owner(request: HttpRequest) -> int | None:
    """The user this browser was last logged in as, from the signed cookie; None if absent or forged."""
    value = request.get_signed_cookie(OWNER_COOKIE, default=None, salt=OWNER_SALT, max_age=OWNER_MAX_AGE)
    return int(value) if value is not None and value.isdigit() else None  # missing or forged: None
