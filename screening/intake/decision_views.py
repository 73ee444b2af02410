"""The decision views: the outcome shown for confirmation, the confirmation that records it,
and the re-evaluation of a decided episode under newer criteria."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from criteria.describe import rules_in_words
from screening import services
from screening.confirmation import DecisionPreview, decision_preview, preview_shown
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
            error = str(REASON_NEEDED)  # a session holds JSON: the text, not a lazy string
            request.session[pending_reason_key(screening)] = {"reason": "", "error": error}
            messages.error(request, _("Nothing was recorded. %(why)s") % {"why": REASON_NEEDED})
            return redirect(f"{episode_url(screening)}#record")
        return render(request, "screening/decision_confirm.html", _confirm_context(preview))

    def post(self, request, *args, **kwargs):
        screening = self.get_episode()
        form = DecisionConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Nothing was recorded: confirm the outcome shown here."))
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
        messages.success(
            request, _("Decision recorded: %(outcome)s.") % {"outcome": decision_words(decision)}
        )
        return redirect("screening:candidate-detail", number=self.candidate.screening_number)

    def _refused(self, screening: Screening, error: Exception):
        # The values stay saved and the reason stays in the session: nothing typed is lost.
        if isinstance(error, DatabaseError):
            logger.exception("decision on %s could not be recorded", screening)
            messages.error(self.request, NOT_SAVED.format(what=_("no decision was recorded")))
            return redirect(confirm_url(screening))
        messages.error(self.request, str(error))
        if isinstance(error, ConfirmationStale):
            return redirect(confirm_url(screening))
        return redirect(episode_url(screening))


class DecisionReevaluateView(PermissionRequiredMixin, CandidateMixin, View):
    """A decided episode re-evaluated under newer criteria, as a decision is recorded: the new
    outcome is shown first, beside the decision it follows (POST without a fingerprint), and
    recorded only as confirmed (POST with it). The earlier decision is kept."""

    permission_required = "screening.add_decision"

    def post(self, request, *args, **kwargs):
        screening = self.get_episode()
        form = DecisionConfirmForm(request.POST)
        if "fingerprint" not in request.POST:
            return self._preview(screening, request.POST.get("screen_failure_reason", ""))
        if not form.is_valid():
            messages.error(request, _("Nothing was recorded: confirm the outcome shown here."))
            return redirect(episode_url(screening))
        try:
            decision = services.decision_reevaluate(
                screening=screening,
                recorded_by=request.user,
                screen_failure_reason=form.cleaned_data["screen_failure_reason"],
                confirmed_fingerprint=form.cleaned_data["fingerprint"],
            )
        except ScreeningError as error:
            messages.error(request, str(error))
            return redirect(episode_url(screening))
        except DatabaseError:
            logger.exception("re-evaluation of %s could not be recorded", screening)
            messages.error(request, NOT_SAVED.format(what=_("no decision was recorded")))
            return redirect(episode_url(screening))
        messages.success(
            request,
            _(
                "Re-evaluated under criteria v%(version)s: %(outcome)s. The earlier decision "
                "is kept."
            )
            % {"version": decision.criteria_set_version, "outcome": decision_words(decision)},
        )
        return redirect("screening:candidate-detail", number=self.candidate.screening_number)

    def _preview(self, screening: Screening, reason: str):
        try:
            services.reevaluation_check(screening)
            preview = decision_preview(screening=screening, screen_failure_reason=reason)
        except ScreeningError as error:
            messages.error(self.request, str(error))
            return redirect(episode_url(screening))
        if preview.needs_reason:
            why = {"why": REASON_NEEDED}
            messages.error(self.request, _("Nothing was recorded. %(why)s") % why)
            return redirect(episode_url(screening))
        context = _confirm_context(preview) | {"earlier": screening.current_decision}
        return render(self.request, "screening/decision_confirm.html", context)


def _undecided(screening: Screening) -> Screening:
    if screening.is_locked:
        raise EpisodeLocked(f"{screening} already has a recorded decision.")
    return screening


def _confirm_context(preview: DecisionPreview) -> dict:
    screening = preview.screening
    rule_set, shown = preview_shown(preview)
    return {
        "screening": screening,
        "candidate": screening.candidate,
        "preview": preview,
        "shown": shown,
        "rule_words": rules_in_words(rule_set),
        "failed": [r for r in shown.results if r.failed],
        "missing": [rule_set.variables[key].label for key in shown.missing],
        "form": DecisionConfirmForm(
            initial={
                "screen_failure_reason": preview.screen_failure_reason,
                "fingerprint": preview.fingerprint,
            }
        ),
    }
