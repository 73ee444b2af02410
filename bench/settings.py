"""The settings `make bench` serves the app with: TrialSite's own, and bench/urls.py, which
adds two routes that measure a ceiling. Nothing else differs."""

from trialsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
