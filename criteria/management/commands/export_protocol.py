import json

from django.core.management.base import BaseCommand

from criteria.exceptions import CriteriaSetNotFound
from criteria.management.commands._io import CriteriaVersionOption, fail
from criteria.selectors import criteria_set_lookup, criteria_set_protocol


class Command(CriteriaVersionOption, BaseCommand):
    help = "Print a trial's protocol (variables and criteria set) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("trial", help="registry id, e.g. NCT01387295")

    def handle(self, *args, trial: str, version: int | None, **options):
        try:
            criteria_set = criteria_set_lookup(trial, version)
        except CriteriaSetNotFound as error:
            raise fail(str(error)) from error
        data = criteria_set_protocol(criteria_set)
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
