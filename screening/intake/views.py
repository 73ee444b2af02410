"""Thin views of the nurse's workflow: they check permissions, call a service, redirect."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from criteria.selectors import (
    criteria_set_published,
    criteria_set_rules,
    trial_ids,
    trials_screening,
)
from criteria.translations import rules_in_language
from screening import selectors, services, trail
from screening.exceptions import ScreeningError
from screening.intake import selectors as queue
from screening.intake.forms import (
    SECTION_TITLES,
    CandidateChangeForm,
    DecisionForm,
    ScreeningForm,
    error_links,
)
from screening.intake.register_form import CandidateRegisterForm
from screening.intake.sections import form_sections
from screening.models import Screening
from trialsite.access_log import CandidateAccessLogMixin

logger = logging.getLogger(__name__)

# A database failure must not cost the nurse her work: the service's transaction leaves no
# trace, the values stay (in the form, and the screen failure reason in the session).
NOT_SAVED = gettext_lazy(
    "The database did not answer as expected, so {what}. Your entries are still here: try "
    "again in a moment, and call IT support if it keeps failing."
)
PENDING_REASON = "screening.pending_screen_failure_reason"
# What an invalid form did not do, by whether Record decision was pressed; the error summary
# above the form lists each problem as a link to its field.
NOTHING_SAVED = {
    False: gettext_lazy("Nothing was saved. Correct each answer listed here, then save again."),
    True: gettext_lazy(
        "Nothing was saved and no decision was recorded. Correct each answer listed here, "
        "then record again."
    ),
}
REASON_NEEDED = gettext_lazy(
    "The screening is incomplete: it can be recorded only as a screen failure, with a reason "
    "(for example: patient declined). Give the reason, or complete the missing values."
)


class CandidateMixin:
    """Resolves the candidate (and episode) named in the URL, or answers 404."""

    def dispatch(self, request, *args, **kwargs):
        self.candidate = selectors.candidate_get(kwargs["number"])
        if self.candidate is None:
            raise Http404("No candidate with this screening number.")
        return super().dispatch(request, *args, **kwargs)

    def get_episode(self) -> Screening:
        return get_object_or_404(
            Screening.objects.select_related("candidate__trial", "criteria_set"),
            candidate=self.candidate,
            episode=self.kwargs["episode"],
        )


class CandidateListView(PermissionRequiredMixin, ListView):
    permission_required = "screening.view_candidate"
    template_name = "screening/candidate_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.trials = trial_ids()
        trial, state = self.request.GET.get("trial", ""), self.request.GET.get("state", "")
        self.trial = trial if trial in self.trials else ""
        self.state = state if state in queue.STATES else ""
        return queue.candidate_queue(
            search=self.request.GET.get("q", ""), trial=self.trial, state=self.state
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            trials=self.trials, trial=self.trial, state=self.state, **kwargs
        )
        context["rows"] = queue.queue_rows(context["object_list"])
        return context


class CandidateRegisterView(PermissionRequiredMixin, FormView):
    permission_required = "screening.add_candidate"
    template_name = "screening/candidate_form.html"
    form_class = CandidateRegisterForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "trials": trials_screening()}

    def form_valid(self, form):
        try:
            candidate = services.candidate_register(
                registered_by=self.request.user, **form.cleaned_data
            )
        except ScreeningError as error:
            messages.error(self.request, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Referral registered as %(number)s.") % {"number": candidate.screening_number},
        )
        return redirect(episode_url(candidate.screenings.get()))


class CandidateDetailView(
    PermissionRequiredMixin, CandidateMixin, CandidateAccessLogMixin, TemplateView
):
    permission_required = "screening.view_candidate"
    template_name = "screening/candidate_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            candidate=self.candidate,
            episodes=selectors.candidate_episodes(self.candidate),
            history=trail.candidate_history(self.candidate),
            **kwargs,
        )


class CandidateChangeView(
    PermissionRequiredMixin, CandidateMixin, CandidateAccessLogMixin, FormView
):
    permission_required = "screening.change_candidate"
    template_name = "screening/candidate_form.html"
    form_class = CandidateChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.candidate}

    def form_valid(self, form):
        changes = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        services.candidate_update(
            candidate=self.candidate,
            changes=changes,
            reason=form.cleaned_data["reason"],
            changed_by=self.request.user,
        )
        messages.success(self.request, _("Referral details saved."))
        return redirect("screening:candidate-detail", number=self.candidate.screening_number)


class ScreeningStartView(PermissionRequiredMixin, CandidateMixin, View):
    permission_required = "screening.add_screening"

    def post(self, request, *args, **kwargs):
        try:
            screening = services.screening_start(candidate=self.candidate, started_by=request.user)
        except ScreeningError as error:
            messages.error(request, str(error))
            return redirect("screening:candidate-detail", number=self.candidate.screening_number)
        messages.success(
            request, _("Screening episode %(episode)s started.") % {"episode": screening.episode}
        )
        return redirect(episode_url(screening))


class ScreeningFormView(PermissionRequiredMixin, CandidateMixin, CandidateAccessLogMixin, FormView):
    """The screening form with the live "where this patient stands" panel beside it.

    Save and Record decision submit the same form: both save the values (same validation,
    same change-reason rule); Record decision then shows the outcome to confirm.
    """

    permission_required = "screening.view_screening"
    template_name = "screening/screening_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.recording = request.method == "POST" and "record" in request.POST
        needed = ["screening.change_screening"]
        if self.recording:
            needed.append("screening.add_decision")
        if request.method == "POST" and not request.user.has_perms(needed):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        self.screening = self.get_episode()
        # Looked up and built once a request: the form and the standing panel share them, in
        # the reader's language (only words differ; nothing here is recorded from it).
        self.published = criteria_set_published(self.screening.candidate.trial)
        criteria = criteria_set_rules(self.published or self.screening.criteria_set)
        self.rule_set = rules_in_language(criteria)
        return ScreeningForm(
            **self.get_form_kwargs(),
            rule_set=self.rule_set,
            candidate=self.screening.candidate,
            initial_values=self.screening.values,
            initial_units=self.screening.entered_units,
        )

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        self.decision_form = DecisionForm(request.POST)
        if form.is_valid() and self.decision_form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            selectors.screening_page(
                self.screening, published=self.published, rule_set=self.rule_set
            )
        )
        pending = self.request.session.pop(pending_reason_key(self.screening), {})
        context["decision_form"] = getattr(self, "decision_form", None) or _reason_form(pending)
        context.update(
            self._form_layout(context["form"], context["standing"], context["decision_form"])
        )
        return context

    def _form_layout(self, form, standing, decision_form) -> dict:
        user, locked = self.request.user, self.screening.is_locked
        editable = not locked and user.has_perm("screening.change_screening")
        changed = form.changed_keys if form.is_bound else []
        return {
            "sections": form_sections(form, SECTION_TITLES, standing.missing if standing else None),
            "error_summary": error_links(form) + error_links(decision_form)
            if form.is_bound
            else [],
            "nothing_saved": NOTHING_SAVED[self.recording],
            "reason_after": changed[0] if changed else "",
            "editable": editable,
            "can_record": editable and user.has_perm("screening.add_decision"),
        }

    def form_valid(self, form):
        try:
            saved = self._save(form)
        except ScreeningError as error:
            messages.error(self.request, str(error))
            return self.form_invalid(form)
        except DatabaseError:
            logger.exception("values of %s could not be saved", self.screening)
            messages.error(self.request, NOT_SAVED.format(what=_("nothing was saved")))
            return self.render_to_response(self.get_context_data(form=form))
        reason = self.decision_form.cleaned_data["screen_failure_reason"]
        self.request.session[pending_reason_key(self.screening)] = {"reason": reason}
        if self.recording:
            if saved:
                messages.success(self.request, _("Saved. Nothing is recorded until you confirm."))
            return redirect(confirm_url(self.screening))
        messages.success(self.request, _("Saved. The panel shows where the patient stands now."))
        return redirect(f"{episode_url(self.screening)}#standing")

    def _save(self, form) -> bool:
        values, units = form.screening_values(), form.entered_units()
        unchanged = values == self.screening.values and units == self.screening.entered_units
        if self.recording and unchanged:
            return False  # nothing to save: no empty "values saved" entry in the history
        services.screening_values_save(
            screening=self.screening,
            values=values,
            units=units,
            saved_by=self.request.user,
            reason=form.cleaned_data["change_reason"],
        )
        return True


def pending_reason_key(screening: Screening) -> str:
    return f"{PENDING_REASON}.{screening.pk}"


def _reason_form(pending: dict) -> DecisionForm:
    """The reason field as the nurse left it; with the error that sent her back, if any."""
    reason = pending.get("reason", "")
    if not pending.get("error"):
        return DecisionForm(initial={"screen_failure_reason": reason})
    form = DecisionForm({"screen_failure_reason": reason})
    form.is_valid()
    form.add_error("screen_failure_reason", pending["error"])
    return form


def confirm_url(screening: Screening) -> str:
    return reverse(
        "screening:decision-record",
        kwargs={"number": screening.candidate.screening_number, "episode": screening.episode},
    )


def episode_url(screening: Screening) -> str:
    return reverse(
        "screening:screening-form",
        kwargs={"number": screening.candidate.screening_number, "episode": screening.episode},
    )
