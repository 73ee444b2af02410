"""Create an account with a role: `create_user NAME --role nurse [--password-stdin]`."""

from django.core.management.base import BaseCommand

from trialsite import accounts, roles
from trialsite.management.account_input import account_run, add_password_argument, password_read


class Command(BaseCommand):
    help = "Create an account with one role; asks for the password twice (or --password-stdin)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=", ".join(roles.ROLE_NAMES))
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        add_password_argument(parser)

    def handle(self, *args, **options):
        # The role is checked before the password is asked for, so a typo costs no typing.
        account_run(accounts.role_group, role=options["role"])
        user = account_run(
            accounts.user_create,
            username=options["username"],
            role=options["role"],
            password=password_read(from_stdin=options["password_stdin"]),
            first_name=options["first_name"],
            last_name=options["last_name"],
        )
        role = user.groups.get(name__in=roles.ROLE_NAMES.values()).name
        self.stdout.write(f"created {user.username} ({role})")
