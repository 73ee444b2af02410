"""Thin views of the nurse's workflow: they check permissions, call a service, redirect."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from criteria.models import Trial
from criteria.selectors import criteria_set_published, criteria_set_rules
from screening import selectors, services
from screening.exceptions import ScreeningError
from screening.forms import CandidateChangeForm, CandidateForm, DecisionForm, ScreeningForm
from screening.models import Screening
from trialsite.access_log import CandidateAccessLogMixin

logger = logging.getLogger(__name__)

# A database failure must not cost the nurse her work: the service's transaction leaves no
# trace, the values stay (in the form, and the screen failure reason in the session).
NOT_SAVED = (
    "The database did not answer as expected, so {what}. Your entries are still here: try "
    "again in a moment, and call IT support if it keeps failing."
)
PENDING_REASON = "screening.pending_screen_failure_reason"


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
        return selectors.candidate_list(search=self.request.GET.get("q", ""))


class CandidateRegisterView(PermissionRequiredMixin, FormView):
    permission_required = "screening.add_candidate"
    template_name = "screening/candidate_form.html"
    form_class = CandidateForm

    def form_valid(self, form):
        trial = Trial.objects.order_by("registry_id").first()
        if trial is None:
            messages.error(self.request, "No trial is loaded yet: run make run (load_protocol).")
            return self.form_invalid(form)
        try:
            candidate = services.candidate_register(
                trial=trial, registered_by=self.request.user, **form.cleaned_data
            )
        except ScreeningError as error:
            messages.error(self.request, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"Referral registered as {candidate.screening_number}.")
        return redirect(_episode_url(candidate.screenings.get()))


class CandidateDetailView(
    PermissionRequiredMixin, CandidateMixin, CandidateAccessLogMixin, TemplateView
):
    permission_required = "screening.view_candidate"
    template_name = "screening/candidate_detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            candidate=self.candidate,
            episodes=selectors.candidate_episodes(self.candidate),
            history=selectors.candidate_history(self.candidate),
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
        messages.success(self.request, "Referral details saved.")
        return redirect("screening:candidate-detail", number=self.candidate.screening_number)


class ScreeningStartView(PermissionRequiredMixin, CandidateMixin, View):
    permission_required = "screening.add_screening"

    def post(self, request, *args, **kwargs):
        try:
            screening = services.screening_start(candidate=self.candidate, started_by=request.user)
        except ScreeningError as error:
            messages.error(request, str(error))
            return redirect("screening:candidate-detail", number=self.candidate.screening_number)
        messages.success(request, f"Screening episode {screening.episode} started.")
        return redirect(_episode_url(screening))


class ScreeningFormView(PermissionRequiredMixin, CandidateMixin, CandidateAccessLogMixin, FormView):
    """The screening form with the live "where this patient stands" panel beside it."""

    permission_required = "screening.view_screening"
    template_name = "screening/screening_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and not request.user.has_perm("screening.change_screening"):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        self.screening = self.get_episode()
        # Looked up and built once a request: the form and the standing panel share them.
        self.published = criteria_set_published(self.screening.candidate.trial)
        self.rule_set = criteria_set_rules(self.published or self.screening.criteria_set)
        return ScreeningForm(
            **self.get_form_kwargs(),
            rule_set=self.rule_set,
            candidate=self.screening.candidate,
            initial_values=self.screening.values,
            initial_units=self.screening.entered_units,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            selectors.screening_page(
                self.screening, published=self.published, rule_set=self.rule_set
            )
        )
        reason = self.request.session.pop(PENDING_REASON, "")
        context["decision_form"] = DecisionForm(initial={"screen_failure_reason": reason})
        return context

    def form_valid(self, form):
        try:
            services.screening_values_save(
                screening=self.screening,
                values=form.screening_values(),
                units=form.entered_units(),
                saved_by=self.request.user,
                reason=form.cleaned_data["change_reason"],
            )
        except ScreeningError as error:
            messages.error(self.request, str(error))
            return self.form_invalid(form)
        except DatabaseError:
            logger.exception("values of %s could not be saved", self.screening)
            messages.error(self.request, NOT_SAVED.format(what="nothing was saved"))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(self.request, "Saved. The panel shows where the patient stands now.")
        return redirect(f"{_episode_url(self.screening)}#standing")

    def form_invalid(self, form):
        messages.error(self.request, "Nothing was saved: correct the fields marked in red.")
        return super().form_invalid(form)


class DecisionRecordView(PermissionRequiredMixin, CandidateMixin, FormView):
    permission_required = "screening.add_decision"
    form_class = DecisionForm
    http_method_names = ["post"]

    def form_valid(self, form):
        screening = self.get_episode()
        try:
            decision = services.decision_record(
                screening=screening,
                recorded_by=self.request.user,
                screen_failure_reason=form.cleaned_data["screen_failure_reason"],
            )
        except ScreeningError as error:
            messages.error(self.request, str(error))
            return redirect(_episode_url(screening))
        except DatabaseError:
            logger.exception("decision on %s could not be recorded", screening)
            messages.error(self.request, NOT_SAVED.format(what="no decision was recorded"))
            self.request.session[PENDING_REASON] = form.cleaned_data["screen_failure_reason"]
            return redirect(_episode_url(screening))
        messages.success(self.request, f"Decision recorded: {decision.get_outcome_display()}.")
        return redirect("screening:candidate-detail", number=self.candidate.screening_number)

    def form_invalid(self, form):
        messages.error(self.request, "; ".join(form.errors.get("screen_failure_reason", [])))
        return redirect(_episode_url(self.get_episode()))


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
            return redirect(_episode_url(screening))
        except DatabaseError:
            logger.exception("re-evaluation of %s could not be recorded", screening)
            messages.error(request, NOT_SAVED.format(what="no decision was recorded"))
            return redirect(_episode_url(screening))
        messages.success(
            request,
            f"Re-evaluated under criteria v{decision.criteria_set_version}: "
            f"{decision.get_outcome_display()}. The earlier decision is kept.",
        )
        return redirect("screening:candidate-detail", number=self.candidate.screening_number)


def _episode_url(screening: Screening) -> str:
    return reverse(
        "screening:screening-form",
        kwargs={"number": screening.candidate.screening_number, "episode": screening.episode},
    )
