"""Create the demo accounts nurse, investigator and admin for a development server.

Only with DEBUG on, only accounts that do not exist yet; each new password is printed once.
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
    ("admin", "Ada", "Admin", roles.CRITERIA_ADMIN),
]


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
