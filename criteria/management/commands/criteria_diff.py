from django.core.management.base import BaseCommand

from criteria.exceptions import CriteriaSetNotFound
from criteria.management.commands._io import fail
from criteria.selectors import criteria_set_diff, criteria_set_lookup


class Command(BaseCommand):
    help = "Print the criterion-by-criterion differences between two criteria set versions."

    def add_arguments(self, parser):
        parser.add_argument("trial", help="registry id, e.g. NCT01387295")
        parser.add_argument("old", type=int, help="version to compare from")
        parser.add_argument("new", type=int, help="version to compare to")

    def handle(self, *args, trial: str, old: int, new: int, **options):
        try:
            before, after = criteria_set_lookup(trial, old), criteria_set_lookup(trial, new)
        except CriteriaSetNotFound as error:
            raise fail(str(error)) from error
        diff = criteria_set_diff(before, after)
        self.stdout.write(f"{trial}: v{old} → v{new}, {len(diff)} criteria differ")
        for entry in diff:
            self.stdout.write(f"{entry['code']} {entry['change']}")
            for field, was, now in entry["fields"]:
                if was == now:
                    self.stdout.write(f"  {field} (unchanged): {now}")
                else:
                    self.stdout.write(f"  {field}: {was or '—'} → {now or '—'}")
            for change in entry["rule_changes"]:
                self.stdout.write(f"  rule: {change}")
            for warning in entry["warnings"]:
                self.stdout.write(f"  warning: {warning}")
