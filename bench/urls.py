"""TrialSite's routes, and two that exist only under `make bench` (bench/settings.py), to
measure how fast any signed-in log page could be served at best.

- `/bench/signed-in/`: a signed-in page that does nothing. The site's middleware still loads
  the session and the user, as for every page.
- `/bench/log-from-memory/`: the log as this user first saw it at this address, kept in the
  worker's memory: what storing whole pages could give at best. The permission is still
  checked. It is not something the site should do: the page would lag behind decisions and
  sign-offs, and its forms would keep the first rendering's CSRF token.
"""

from django.contrib.auth.decorators import permission_required
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import path

from screening.review.views import ScreeningLogView
from trialsite.urls import urlpatterns as site_urlpatterns


def signed_in(request):
    return HttpResponse("ok", content_type="text/plain")


@permission_required("screening.view_decision", raise_exception=True)
def log_from_memory(request):
    key = f"bench-log:{request.user.pk}:{request.get_full_path()}"
    content = cache.get(key)
    if content is None:
        content = ScreeningLogView.as_view()(request).render().content
        cache.set(key, content, timeout=None)
    return HttpResponse(content)


urlpatterns = [
    *site_urlpatterns,
    path("bench/signed-in/", signed_in),
    path("bench/log-from-memory/", log_from_memory),
]
