"""Stop an account from logging in: `deactivate_user NAME` (`--undo` reactivates it).

Accounts are never deleted: decisions, signatures and the access log point at them.
"""

from django.core.management.base import BaseCommand

from trialsite import accounts
from trialsite.management.account_input import account_run


class Command(BaseCommand):
    help = "Deactivate an account (never deleted: records point at it); --undo reactivates it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--undo", action="store_true", help="reactivate the account")

    def handle(self, *args, **options):
        active = options["undo"]
        user = account_run(accounts.user_active_set, username=options["username"], active=active)
        self.stdout.write(f"{user.username} {'reactivated' if active else 'deactivated'}")
