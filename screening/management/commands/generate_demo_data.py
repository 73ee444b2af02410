"""Fill the database with synthetic screened referrals for a demo, through the services.

For demos only (refused unless DEBUG is on or --force is given). Each referral is registered,
its values (screening.demo, seeded) saved and its decision recorded by the same services a
nurse's clicks call, so the data has the history, chain and derived rows real use gives it,
and `verify_audit` passes afterwards. About a few hundred a minute: a demo needs no more. The
benchmark's 100,000 decisions are written in bulk by bench/data.py, outside the application.
"""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from criteria.selectors import criteria_set_lookup, criteria_set_rules
from criteria.values import value_to_json
from screening import services
from screening.demo import candidate
from screening.exceptions import ReasonRequired

DECLINED = "synthetic: patient declined"
MAX_DECISIONS = 5000


class Command(BaseCommand):
    help = "Register, screen and decide synthetic referrals through the services (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--decisions", type=int, default=200)
        parser.add_argument("--trial", default="NCT01387295")
        parser.add_argument("--seed", type=int, default=20261129)
        parser.add_argument("--force", action="store_true", help="allow with DEBUG off")

    def handle(self, *args, decisions: int, trial: str, seed: int, force: bool, **options):
        if not (settings.DEBUG or force):
            raise CommandError(_("demo data only with DJANGO_DEBUG=1 (or --force)"), returncode=2)
        if not 1 <= decisions <= MAX_DECISIONS:
            message = _("--decisions must be from 1 to %(most)s") % {"most": MAX_DECISIONS}
            raise CommandError(message, returncode=2)
        criteria_set = criteria_set_lookup(trial)
        variables = criteria_set_rules(criteria_set).variables
        nurse = _demo_user()
        rng = random.Random(seed)
        for _i in range(decisions):
            values = candidate(rng)
            stored = {k: value_to_json(variables[k], v) for k, v in values.items()}
            _screen(criteria_set.trial, nurse, stored)
        self.stdout.write(_("recorded %(count)s demo decisions") % {"count": decisions})


def _screen(trial, nurse, values: dict) -> None:
    """One referral, registered, screened with `values` and decided, as a nurse would."""
    born = values.get("date_of_birth")
    screened = values.get("screening_date")
    referral = min(dt.date.fromisoformat(screened), timezone.localdate()) if screened else None
    registered = services.candidate_register(
        trial=trial,
        initials="ZZ",
        date_of_birth=dt.date.fromisoformat(born) if born else dt.date(1960, 1, 1),
        sex=values.get("sex", "female"),
        referring_unit="Synthetic demo data",
        referral_date=referral or timezone.localdate(),
        registered_by=nurse,
    )
    episode = registered.screenings.get()
    services.screening_values_save(screening=episode, values=values, units={}, saved_by=nurse)
    try:
        services.decision_record(screening=episode, recorded_by=nurse)
    except ReasonRequired:  # incomplete: recorded only as a screen failure with a reason
        services.decision_record(
            screening=episode, recorded_by=nurse, screen_failure_reason=DECLINED
        )


def _demo_user():
    user, _created = get_user_model().objects.get_or_create(
        username="demo-data", defaults={"first_name": "Synthetic", "last_name": "Data"}
    )
    return user
