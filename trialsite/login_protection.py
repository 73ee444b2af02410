"""How django-axes counts failed logins here, and the page a locked-out user sees.

Failed passwords are counted per user name and address (settings.AXES_*). Any other password
check counts the same way if it calls `django.contrib.auth.authenticate(request, ...)`, or
sends `user_login_failed` with the request when a password is wrong.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render

_USERNAME_FIELD = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD)


def attempted_username(request, credentials: dict | None) -> str | None:
    """The user name a login attempt was for, as axes stores and compares it.

    Whatever was typed is cut to the longest real user name and cleared of NUL characters, so
    a hostile 10 kB name is still counted (and never breaks the attempt table's column).
    """
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get(_USERNAME_FIELD.name) if source else None
    if not isinstance(username, str):
        return None
    return username.replace("\x00", "")[: _USERNAME_FIELD.max_length]


def lockout_response(request, original_response=None, credentials=None):
    """The lock-out page: what happened, how long it lasts, what to do (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "lockout_minutes": minutes},
        status=429,
    )


def login_failure_count(request) -> None:
    """Count a wrong password typed somewhere other than the login form (the sign-off) as a
    failed login of the logged-in user, so both share one lock-out."""
    credentials = {_USERNAME_FIELD.name: request.user.get_username()}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)


def login_locked_out(request) -> bool:
    """Whether the logged-in user (from this address) is locked out by failed passwords."""
    credentials = {_USERNAME_FIELD.name: request.user.get_username()}
    return AxesProxyHandler.is_locked(request, credentials)
