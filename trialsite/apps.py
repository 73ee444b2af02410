from django.apps import AppConfig


class TrialSiteConfig(AppConfig):
    """Project-wide pieces: roles, demo accounts, home page."""

    name = "trialsite"
    verbose_name = "TrialSite"
