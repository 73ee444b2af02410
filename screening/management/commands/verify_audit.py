import sys

from django.core.management.base import BaseCommand

from screening.audit import decision_chain_verify


class Command(BaseCommand):
    help = "Recompute the decision hash chain; exit 1 naming the first broken link."

    def handle(self, *args, **options):
        report = decision_chain_verify()
        if not report.intact:
            self.stdout.write(f"audit chain BROKEN at {report.message}")
            sys.exit(1)
        self.stdout.write(report.message)
