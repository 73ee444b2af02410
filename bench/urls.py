"""TrialSite's routes, and one that exists only under `make bench` (bench/settings.py): a
signed-in page that does nothing, which every page is measured against. The site's middleware
still loads the session and the user, as for every page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from trialsite.urls import urlpatterns as site_urlpatterns


@login_required
def signed_in(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [*site_urlpatterns, path("bench/signed-in/", signed_in)]
