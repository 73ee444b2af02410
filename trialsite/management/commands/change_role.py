"""Give an account another role: `change_role NAME --role investigator`."""

from django.core.management.base import BaseCommand

from trialsite import accounts, roles
from trialsite.management.account_input import account_run


class Command(BaseCommand):
    help = "Give an account another role (it replaces the role it had)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help=", ".join(roles.ROLE_NAMES))

    def handle(self, *args, **options):
        user = account_run(
            accounts.user_role_change, username=options["username"], role=options["role"]
        )
        role = user.groups.get(name__in=roles.ROLE_NAMES.values()).name
        self.stdout.write(f"{user.username} is now {role}")
