"""The decision views: the outcome shown for confirmation, the confirmation that records it,
and the re-evaluation of a decided episode under newer criteria."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.views import View

from criteria.describe import rules_in_words
from screening import services
from screening.confirmation import DecisionPreview, decision_preview
from screening.exceptions import ConfirmationStale, EpisodeLocked, ScreeningError
from screening.intake.forms import DecisionConfirmForm
from screening.intake.views import (
    NOT_SAVED,
    REASON_NEEDED,
    CandidateMixin,
    confirm_url,
    episode_url,
    pending_reason_key,
)
from screening.models import Screening
from screening.wording import decision_words
from trialsite.access_log import CandidateAccessLogMixin

logger = logging.getLogger(__name__)


class DecisionRecordView(PermissionRequiredMixin, CandidateMixin, CandidateAccessLogMixin, View):
    """The outcome that recording would record, with Confirm and Back (GET); the confirmation,
    recorded only for the values and criteria that were shown (POST)."""

    permission_required = "screening.add_decision"

    def get(self, request, *args, **kwargs):
        screening = self.get_episode()
        pending = request.session.get(pending_reason_key(screening), {})
        try:
            preview = decision_preview(
                screening=_undecided(screening), screen_failure_reason=pending.get("reason", "")
            )
        except ScreeningError as error:
            messages.error(request, str(error))
            return redirect(episode_url(screening))
        if preview.needs_reason:
            request.session[pending_reason_key(screening)] = {"reason": "", "error": REASON_NEEDED}
            messages.error(request, f"Nothing was recorded. {REASON_NEEDED}")
            return redirect(f"{episode_url(screening)}#record")
        return render(request, "screening/decision_confirm.html", _confirm_context(preview))

    def post(self, request, *args, **kwargs):
        screening = self.get_episode()
        form = DecisionConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Nothing was recorded: confirm the outcome shown here.")
            return redirect(confirm_url(screening))
        try:
            decision = services.decision_record(
                screening=screening,
                recorded_by=request.user,
                screen_failure_reason=form.cleaned_data["screen_failure_reason"],
                confirmed_fingerprint=form.cleaned_data["fingerprint"],
            )
        except (ScreeningError, DatabaseError) as error:
            return self._refused(screening, error)
        request.session.pop(pending_reason_key(screening), None)
        messages.success(request, f"Decision recorded: {decision_words(decision)}.")
        return redirect("screening:candidate-detail", number=self.candidate.screening_number)

    def _refused(self, screening: Screening, error: Exception):
        # The values stay saved and the reason stays in the session: nothing typed is lost.
        if isinstance(error, DatabaseError):
            logger.exception("decision on %s could not be recorded", screening)
            messages.error(self.request, NOT_SAVED.format(what="no decision was recorded"))
            return redirect(confirm_url(screening))
        messages.error(self.request, str(error))
        if isinstance(error, ConfirmationStale):
            return redirect(confirm_url(screening))
        return redirect(episode_url(screening))


class DecisionReevaluateView(PermissionRequiredMixin, CandidateMixin, View):
    """A decided episode re-evaluated under newer criteria: a new decision, the old one kept."""

    permission_required = "screening.add_decision"

    def post(self, request, *args, **kwargs):
        screening = self.get_episode()
        try:
            decision = services.decision_reevaluate(
                screening=screening,
                recorded_by=request.user,
                screen_failure_reason=request.POST.get("screen_failure_reason", ""),
            )
        except ScreeningError as error:
            messages.error(request, str(error))
            return redirect(episode_url(screening))
        except DatabaseError:
            logger.exception("re-evaluation of %s could not be recorded", screening)
            messages.error(request, NOT_SAVED.format(what="no decision was recorded"))
            return redirect(episode_url(screening))
        messages.success(
            request,
            f"Re-evaluated under criteria v{decision.criteria_set_version}: "
            f"{decision_words(decision)}. The earlier decision is kept.",
        )
        return redirect("screening:candidate-detail", number=self.candidate.screening_number)


def _undecided(screening: Screening) -> Screening:
    if screening.is_locked:
        raise EpisodeLocked(f"{screening} already has a recorded decision.")
    return screening


def _confirm_context(preview: DecisionPreview) -> dict:
    screening = preview.screening
    return {
        "screening": screening,
        "candidate": screening.candidate,
        "preview": preview,
        "rule_words": rules_in_words(preview.rule_set),
        "failed": [r for r in preview.evaluation.results if r.failed],
        "missing": [preview.rule_set.variables[key].label for key in preview.evaluation.missing],
        "form": DecisionConfirmForm(
            initial={
                "screen_failure_reason": preview.screen_failure_reason,
                "fingerprint": preview.fingerprint,
            }
        ),
    }
