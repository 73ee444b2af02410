"""Who viewed which candidate: the read side of the audit trail.

Views that show a candidate's data mix in `CandidateAccessLogMixin`; every page they serve
successfully leaves one `CandidateAccess` row. The row is written before the page is rendered,
so a page is never shown without its log entry (if the write fails, the request fails).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.db import transaction
from django.utils import timezone

from trialsite.models import CandidateAccess

_PATH_MAX = CandidateAccess._meta.get_field("path").max_length


@transaction.atomic
def candidate_access_record(*, user, screening_number: str, path: str) -> CandidateAccess:
    """Append one access-log row: `user` was shown candidate `screening_number` at `path`."""
    access = CandidateAccess(user=user, screening_number=screening_number, path=path[:_PATH_MAX])
    access.full_clean()
    access.save()
    return access


@transaction.atomic
def candidate_access_record_many(*, user, screening_numbers: Iterable[str], path: str) -> int:
    """Append one access-log row per candidate shown together (an export), all at one time."""
    now = timezone.now()
    rows = [
        CandidateAccess(user=user, screening_number=number, path=path[:_PATH_MAX], viewed_at=now)
        for number in dict.fromkeys(screening_numbers)
    ]
    CandidateAccess.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def candidate_access_logged(
    items: Iterable, *, user, path: str, screening_number: Callable[[object], str], batch=500
) -> Iterator:
    """`items` (an export's rows) as they are read, each batch's candidates logged before the
    batch is passed on: nothing reaches the file that was not logged first."""
    items = iter(items)
    while chunk := list(islice(items, batch)):
        numbers = (screening_number(item) for item in chunk)
        candidate_access_record_many(user=user, screening_numbers=numbers, path=path)
        yield from chunk


class CandidateAccessLogMixin:
    """For views whose `dispatch` sets `self.candidate` (the screening app's CandidateMixin):
    put it after that mixin. Logs responses that showed the page (200), not refusals or
    redirects."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        candidate = getattr(self, "candidate", None)
        if response.status_code == 200 and candidate is not None:
            candidate_access_record(
                user=request.user,
                screening_number=candidate.screening_number,
                path=request.get_full_path(),
            )
        return response
