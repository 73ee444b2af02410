"""Set a new password: `reset_password NAME` asks twice, or `--password-stdin` reads a line."""

from django.core.management.base import BaseCommand

from trialsite import accounts
from trialsite.management.account_input import account_run, add_password_argument, password_read


class Command(BaseCommand):
    help = "Set an account's password; asks for it twice (or --password-stdin)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        add_password_argument(parser)

    def handle(self, *args, **options):
        account_run(accounts.user_get, username=options["username"])
        password = password_read(from_stdin=options["password_stdin"])
        user = account_run(
            accounts.user_password_reset, username=options["username"], password=password
        )
        self.stdout.write(f"new password set for {user.username}")
