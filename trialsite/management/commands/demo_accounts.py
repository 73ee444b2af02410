"""Create the demo accounts nurse, investigator and criteria-admin for a development server.

Only with DEBUG on, only accounts that do not exist yet; each new password is printed once.
The criteria admin was called `admin` before, which read like the Django admin's superuser;
an existing `admin` account keeps working and is left as it is.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from trialsite import roles

DEMO_ACCOUNTS = [
    ("nurse", "Nina", "Nurse", roles.STUDY_NURSE),
    ("investigator", "Ivan", "Investigator", roles.INVESTIGATOR),
    ("criteria-admin", "Ada", "Admin", roles.CRITERIA_ADMIN),
]
FORMER_NAMES = {"admin": "criteria-admin"}


class Command(BaseCommand):
    help = "Create demo accounts (DEBUG only) and print their passwords once."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo accounts are only created when DJANGO_DEBUG is on.")
        User = get_user_model()
        for username, first, last, role in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"{username}: exists already (password unchanged)")
                continue
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username, password=password, first_name=first, last_name=last
            )
            user.groups.add(Group.objects.get(name=role))
            self.stdout.write(self.style.SUCCESS(f"{username} ({role}): password {password}"))
        for former, current in FORMER_NAMES.items():
            if User.objects.filter(username=former).exists():
                self.stdout.write(f"{former}: the earlier name of {current}; it still works")
        self.stdout.write(
            "A lost demo password: .venv/bin/python manage.py reset_password NAME (see "
            "docs/operations.md)."
        )
