"""Who viewed which candidate: the read side of the audit trail (issue 7).

Views that show a candidate's data mix in `CandidateAccessLogMixin`; every page they serve
successfully leaves one `CandidateAccess` row. The row is written before the page is rendered,
so a page is never shown without its log entry (if the write fails, the request fails).
"""

from __future__ import annotations

from django.db import transaction

from trialsite.models import CandidateAccess

_PATH_MAX = CandidateAccess._meta.get_field("path").max_length


@transaction.atomic
def candidate_access_record(*, user, screening_number: str, path: str) -> CandidateAccess:
    """Append one access-log row: `user` was shown candidate `screening_number` at `path`."""
    access = CandidateAccess(user=user, screening_number=screening_number, path=path[:_PATH_MAX])
    access.full_clean()
    access.save()
    return access


class CandidateAccessLogMixin:
    """For views whose `dispatch` sets `self.candidate` (screening.views.CandidateMixin): put it
    after that mixin. Logs responses that showed the page (200), not refusals or redirects."""

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
