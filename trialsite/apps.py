from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


class TrialSiteConfig(AppConfig):
    """Project-wide pieces: roles, demo accounts, home page."""

    name = "trialsite"
    verbose_name = "TrialSite"

    def ready(self):
        from trialsite.middleware import session_refreshed_at_login
        from trialsite.roles import roles_sync

        user_logged_in.connect(session_refreshed_at_login, dispatch_uid="session-refreshed")
        post_migrate.connect(roles_sync, sender=self, dispatch_uid="roles-sync")
