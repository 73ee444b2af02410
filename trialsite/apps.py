from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class TrialSiteConfig(AppConfig):
    """Project-wide pieces: roles, demo accounts, home page."""

    name = "trialsite"
    verbose_name = "TrialSite"

    def ready(self):
        from trialsite.language import language_at_login
        from trialsite.middleware import session_refreshed_at_login

        user_logged_in.connect(session_refreshed_at_login, dispatch_uid="session-refreshed")
        user_logged_in.connect(language_at_login, dispatch_uid="language-at-login")
