from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every login that comes with a request (the site login and
    /admin/ both pass one). Calls without a request (the test client's ``login()``, scripts) are
    left to the next backend instead of failing: there is no client address to lock out."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
