import sys
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from screening.anchors import (
    ChainPoint,
    anchors_append,
    anchors_off_chain,
    anchors_read,
)
from screening.audit import decision_chain_verify, signature_chain_verify
from screening.exceptions import AnchorFileError
from screening.services import DECISION_CHAIN
from screening.signoff import SIGNATURE_CHAIN


class Command(BaseCommand):
    help = (
        "Recompute the decision and signature hash chains, check what is derived from the "
        "decisions (failed criteria, episodes' current decisions) and that every anchor in "
        "the anchor file is still on its chain; then append the verified heads to it. "
        "Exit 1 naming the first broken link or anchor; exit 2 when the anchor file cannot "
        "be read or written or holds a damaged line."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            type=Path,
            help="anchor file (default: TRIALSITE_AUDIT_ANCHORS, see docs/operations.md)",
        )

    def handle(self, *args, anchors=None, **options):
        path = anchors or settings.AUDIT_ANCHORS_FILE
        with _one_snapshot():
            heads = self._chains_verify()
            earlier = self._anchors_read(path)
            self._anchors_check(earlier)
        try:
            anchors_append(path, heads, verified_at=timezone.now())
        except AnchorFileError as error:
            self._refuse(error)
        verb = "appended to" if earlier else "started"
        self.stdout.write(f"anchored {'; '.join(map(str, heads))} ({verb} {path})")

    def _chains_verify(self) -> list[ChainPoint]:
        """Both chains walked; exit 1 at the first broken link. Out: the verified heads."""
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
        return [
            ChainPoint(DECISION_CHAIN, decisions.checked, decisions.head_hash),
            ChainPoint(SIGNATURE_CHAIN, signatures.checked, signatures.head_hash),
        ]

    def _anchors_read(self, path: Path):
        try:
            earlier = anchors_read(path)
        except AnchorFileError as error:
            self._refuse(error)
        if not earlier:
            # A first run, or a deleted file: only the copies kept elsewhere can tell.
            self.stdout.write(f"no earlier anchors in {path}: nothing to compare with")
        return earlier

    def _anchors_check(self, earlier) -> None:
        off = anchors_off_chain(earlier)
        if off:
            anchor, problem = off[0]
            self.stdout.write(
                f"audit chain BROKEN at {anchor}: {problem} "
                f"({len(off)} of {len(earlier)} anchors are off the chain)"
            )
            sys.exit(1)
        if earlier:
            self.stdout.write(f"anchors on the chain: {len(earlier)} of {len(earlier)}")

    def _refuse(self, error: AnchorFileError):
        self.stderr.write(str(error))
        sys.exit(2)


@contextmanager
def _one_snapshot():
    """On PostgreSQL, read everything from one snapshot: a decision recorded during a long
    walk then neither shows as a head beyond the chain walked nor races the anchor check.
    Inside a caller's transaction (tests) the caller's snapshot stands."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
