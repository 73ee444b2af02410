"""Request-wide rules: refuse NUL characters, keep active sessions alive cheaply, and let no
page be stored by a browser or proxy.

NUL characters: no person can type them, and PostgreSQL cannot store or even compare a text
containing one (psycopg2 raises ValueError before the query is sent), so one in a search box
or a form would end in a server error. Forms refuse them field by field already; this closes
every other door (search, filters, views to come) with a plain 400 "Bad request".
"""

import datetime as dt

from csp.middleware import CSPMiddleware
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import BadRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers


def reject_nul_characters(get_response):
    def middleware(request):
        sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
        for params in sources:
            for key, values in params.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    raise BadRequest("Request parameters must not contain NUL characters.")
        return get_response(request)

    return middleware


def no_store(get_response):
    """Every page, export and redirect the application answers: `Cache-Control: no-store`.

    Nearly every page holds patient data, and a shared ward computer's browser cache (or a
    proxy's) would keep it after the session ends, readable with the Back button or from disk.
    One rule for every response, rather than a list of pages, cannot miss a new page. Static
    files never reach this: WhiteNoise, above it, serves them with their own long caching.
    """

    def middleware(request):
        response = get_response(request)
        add_never_cache_headers(response)
        return response

    return middleware


# The admin's one exception to the policy, and only in the admin: django-simple-history's
# history page (simple_history/object_history_list.html) writes `style="border-top: 0"`.
# Exactly that declaration may apply there, allowed by its hash: no other inline style, and
# no inline script anywhere. Copying the package's template to drop it would be a fork to keep.
ADMIN_POLICY = {
    "style-src-attr": ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"]
}


class ContentSecurityPolicy(CSPMiddleware):
    """django-csp's middleware with the policy of settings.CONTENT_SECURITY_POLICY, and
    ADMIN_POLICY added on the admin's pages."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(reverse("admin:index")):
            parts.update = {**(parts.update or {}), **ADMIN_POLICY}
        return parts


# How often an active session's end is moved on. Saving it on every request (Django's
# SESSION_SAVE_EVERY_REQUEST) costs a database write and commit per page; once a minute means
# an idle session ends between SESSION_IDLE_MINUTES - 1 and SESSION_IDLE_MINUTES after the
# last request, never later.
SESSION_REFRESH = dt.timedelta(minutes=1)
_REFRESHED_AT = "_session_refreshed_at"


def session_refreshed_at_login(sender, request, user, **kwargs):
    """Logging in saves the session anyway: stamp it, so the next page need not save it again
    (connected to `user_logged_in` in TrialSiteConfig.ready)."""
    request.session[_REFRESHED_AT] = timezone.now().timestamp()


def refresh_idle_session(get_response):
    """Move a signed-in session's idle end on, at most once per SESSION_REFRESH."""

    def middleware(request):
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty() and session.get(SESSION_KEY):
            now = timezone.now()
            refreshed = session.get(_REFRESHED_AT)
            if refreshed is None or now.timestamp() - refreshed >= SESSION_REFRESH.total_seconds():
                # Marks the session modified: SessionMiddleware saves it with a new expiry.
                session[_REFRESHED_AT] = now.timestamp()
        return response

    return middleware
