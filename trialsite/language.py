"""Which language a page is in: the user's own choice, else the site's (TRIALSITE_LANGUAGE).

A signed-in user's choice is stored (LanguagePreference), so it follows them to another
session and another device; at log-in it is copied into the session, so no page asks the
database for it. The language cookie keeps the choice on this browser after logging out, for
the log-in page. A browser's Accept-Language is not asked on purpose: a ward PC's Chromium in
American English must not turn a Danish site's pages English (Django's LocaleMiddleware would).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from trialsite.models import LanguagePreference

SESSION_KEY = "trialsite_language"


def supported(code: str | None) -> bool:
    return code in dict(settings.LANGUAGES)


def chosen_language(request: HttpRequest) -> str:
    """The session's language (the signed-in user's choice), else this browser's cookie, else
    the site's default."""
    for code in (
        request.session.get(SESSION_KEY),
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME),
    ):
        if supported(code):
            return code
    return settings.LANGUAGE_CODE


def user_language(get_response):
    """Middleware, after the session's: activate the chosen language for the request."""

    def middleware(request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        request.LANGUAGE_CODE = language
        # Back to the language before it afterwards: a thread never keeps one request's.
        with translation.override(language):
            response = get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        stored = request.session.get(SESSION_KEY)
        if supported(stored) and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != stored:
            _set_cookie(response, stored)
        return response

    return middleware


def _set_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def language_preference_set(*, user, language: str) -> LanguagePreference:
    """Store `user`'s language (a code of settings.LANGUAGES), replacing an earlier choice."""
    preference, _ = LanguagePreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def language_at_login(sender, request, user, **kwargs) -> None:
    """Signal receiver (user_logged_in): the user's stored language for this session."""
    stored = LanguagePreference.objects.filter(user=user).values_list("language", flat=True)
    language = stored.first()
    if request is not None and supported(language):
        request.session[SESSION_KEY] = language


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, then back to `next`), and for a signed-in user the
    choice stored for their next sessions."""
    response = set_language(request)
    language = request.POST.get("language")
    if supported(language) and request.user.is_authenticated:
        language_preference_set(user=request.user, language=language)
        request.session[SESSION_KEY] = language
    return response


def in_english(function):
    """Run `function` in English whatever the user's language: for what is recorded (a
    decision's reasons, system wording in a history) and output that is data (`screen`'s JSON),
    whose words must not depend on who was using the site."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override("en"):
            return function(*args, **kwargs)

    return wrapper
