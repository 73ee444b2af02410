"""The settings `make bench` serves the current code with: TrialSite's own, and bench/urls.py,
which adds the signed-in page that does nothing. Nothing else differs."""

from trialsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
