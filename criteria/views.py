"""The criteria admin's pages: read the published set, draft, edit, diff, preview, publish.

Views stay thin: selectors read, criteria.services writes. The impact preview reads screenings,
so it is served by screening (screening/impact_views.py) under the same /criteria/ path.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from criteria import services
from criteria.describe import applies_if_in_words, expression_in_words
from criteria.exceptions import CriteriaEditRefused, CriteriaSetFrozen
from criteria.forms import CriterionForm, ReasonForm
from criteria.labels import label_flags
from criteria.models import CriteriaSet, Criterion, Trial
from criteria.selectors import (
    criteria_history,
    criteria_set_diff,
    criteria_set_published,
    trial_variables,
)


class CriteriaSetMixin:
    """Resolves /criteria/<trial>/v<version>/ to the set, or 404."""

    def dispatch(self, request, *args, **kwargs):
        self.criteria_set = (
            CriteriaSet.objects.select_related("trial", "based_on", "published_by")
            .filter(trial__registry_id=kwargs["trial"], version=kwargs["version"])
            .first()
        )
        if self.criteria_set is None:
            raise Http404("No such criteria set.")
        return super().dispatch(request, *args, **kwargs)

    def to_set(self):
        return redirect(
            "criteria:set-detail",
            trial=self.criteria_set.trial.registry_id,
            version=self.criteria_set.version,
        )


class TrialListView(PermissionRequiredMixin, TemplateView):
    permission_required = "criteria.view_criteriaset"
    template_name = "criteria/trial_list.html"

    def get_context_data(self, **kwargs):
        trials = Trial.objects.prefetch_related("criteria_sets__published_by")
        return super().get_context_data(trials=trials, **kwargs)


class CriteriaSetDetailView(PermissionRequiredMixin, CriteriaSetMixin, TemplateView):
    permission_required = "criteria.view_criterion"
    template_name = "criteria/set_detail.html"

    def get_context_data(self, **kwargs):
        variables = trial_variables(self.criteria_set.trial)
        rows = [
            {
                "criterion": c,
                "expression": expression_in_words(c.expression, variables),
                "applies_if": applies_if_in_words(c.applies_if, variables),
                "flags": label_flags([c.as_rule_dict()], variables),
            }
            for c in self.criteria_set.criteria.all()
        ]
        return super().get_context_data(
            criteria_set=self.criteria_set, rows=rows, publish_form=ReasonForm(), **kwargs
        )


class DraftCreateView(PermissionRequiredMixin, View):
    permission_required = "criteria.add_criteriaset"

    def post(self, request, trial: str):
        found = Trial.objects.filter(registry_id=trial).first()
        if found is None:
            raise Http404("No such trial.")
        try:
            draft = services.criteria_set_draft_create(trial=found, created_by=request.user)
        except CriteriaEditRefused as error:
            messages.error(request, str(error))
            return redirect("criteria:trial-list")
        messages.success(request, f"Draft v{draft.version} created as a copy of the published set.")
        return redirect("criteria:set-detail", trial=trial, version=draft.version)


class CriterionEditView(PermissionRequiredMixin, CriteriaSetMixin, FormView):
    """Add a criterion to a draft (no code in the URL) or change one."""

    permission_required = "criteria.change_criterion"
    template_name = "criteria/criterion_form.html"

    def get_criterion(self) -> Criterion | None:
        code = self.kwargs.get("code")
        if code is None:
            return None
        criterion = self.criteria_set.criteria.filter(code=code).first()
        if criterion is None:
            raise Http404("No such criterion in this set.")
        return criterion

    def get(self, request, *args, **kwargs):
        if not self.criteria_set.is_editable:
            return self._frozen()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.criteria_set.is_editable:
            return self._frozen()
        form = self.get_form()
        # A rule button (add, remove or regroup parts) shows the form again; nothing is saved.
        regrouped = form.after_rule_action()
        if regrouped is not None:
            return self.render_to_response(self.get_context_data(form=regrouped))
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def get_form(self, form_class=None):
        return CriterionForm(
            **self.get_form_kwargs(), criteria_set=self.criteria_set, criterion=self.get_criterion()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(criteria_set=self.criteria_set, **kwargs)

    def form_valid(self, form):
        criterion = self.get_criterion() or Criterion(criteria_set=self.criteria_set)
        for name, value in form.rule_fields().items():
            setattr(criterion, name, value)
        try:
            services.criterion_save(
                criterion=criterion,
                changed_by=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except (CriteriaEditRefused, CriteriaSetFrozen) as error:
            messages.error(self.request, str(error))
            return self.form_invalid(form)
        messages.success(self.request, f"Criterion {criterion.code} saved in the draft.")
        return self.to_set()

    def _frozen(self):
        messages.error(
            self.request,
            f"v{self.criteria_set.version} is "
            f"{self.criteria_set.status}: make a new draft to change criteria.",
        )
        return self.to_set()


class CriterionRetireView(PermissionRequiredMixin, CriteriaSetMixin, View):
    permission_required = "criteria.change_criterion"

    def post(self, request, *args, code: str, **kwargs):
        form = ReasonForm(request.POST)
        criterion = self.criteria_set.criteria.filter(code=code).first()
        if criterion is None:
            raise Http404("No such criterion in this set.")
        if not form.is_valid():
            messages.error(request, "Give a reason to remove a criterion.")
            return self.to_set()
        try:
            services.criterion_retire(
                criterion=criterion, retired_by=request.user, reason=form.cleaned_data["reason"]
            )
        except (CriteriaEditRefused, CriteriaSetFrozen) as error:
            messages.error(request, str(error))
            return self.to_set()
        messages.success(request, f"Criterion {code} removed from the draft.")
        return self.to_set()


class DiffView(PermissionRequiredMixin, CriteriaSetMixin, TemplateView):
    permission_required = "criteria.view_criterion"
    template_name = "criteria/set_diff.html"

    def get_context_data(self, **kwargs):
        base = self.criteria_set.based_on or criteria_set_published(self.criteria_set.trial)
        diff = criteria_set_diff(base, self.criteria_set) if base else []
        return super().get_context_data(
            criteria_set=self.criteria_set, base=base, diff=diff, **kwargs
        )


class PublishView(PermissionRequiredMixin, CriteriaSetMixin, View):
    permission_required = "criteria.publish_criteriaset"

    def post(self, request, *args, **kwargs):
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Publishing needs a reason, e.g. “Amendment 3: LVEF 55 %”.")
            return self.to_set()
        try:
            services.criteria_set_publish(
                criteria_set=self.criteria_set,
                published_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except CriteriaEditRefused as error:
            messages.error(request, str(error))
            return self.to_set()
        messages.success(request, f"v{self.criteria_set.version} is published.")
        return self.to_set()


class CriteriaHistoryView(PermissionRequiredMixin, TemplateView):
    permission_required = "criteria.view_criterion"
    template_name = "criteria/history.html"

    def get_context_data(self, **kwargs):
        trial = Trial.objects.filter(registry_id=self.kwargs["trial"]).first()
        if trial is None:
            raise Http404("No such trial.")
        context = super().get_context_data(**kwargs)
        # The history is one trial's; the others are a click away.
        others = Trial.objects.exclude(pk=trial.pk).order_by("registry_id")
        context.update(trial=trial, history=criteria_history(trial), other_trials=others)
        return context
