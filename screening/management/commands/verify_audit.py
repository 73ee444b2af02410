import sys

from django.core.management.base import BaseCommand

from screening.audit import decision_chain_verify, signature_chain_verify


class Command(BaseCommand):
    help = (
        "Recompute the decision and signature hash chains, check what is derived from the "
        "decisions (failed criteria, episodes' current decisions); exit 1 naming the first "
        "broken link."
    )

    def handle(self, *args, **options):
        decisions = decision_chain_verify()
        if not decisions.intact:
            self.stdout.write(f"audit chain BROKEN at {decisions.message}")
            sys.exit(1)
        self.stdout.write(decisions.message)
        signatures = signature_chain_verify()
        if not signatures.intact:
            self.stdout.write(f"signature chain BROKEN at {signatures.message}")
            sys.exit(1)
        self.stdout.write(signatures.message)
