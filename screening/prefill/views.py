"""The prefill pages: a look-up (POST only: the identifier never reaches a URL) and the
approval. Both answer 404 while FHIR_BASE_URL is unset."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from criteria.selectors import criteria_set_published, criteria_set_rules
from criteria.translations import rules_in_language
from screening import selectors
from screening.exceptions import ScreeningError
from screening.models import Screening
from screening.prefill.client import Server
from screening.prefill.forms import ApproveForm, LookupForm, proposals_token
from screening.prefill.lookup import record_lookup
from screening.prefill.services import prefill_approve
from trialsite.access_log import candidate_access_record

logger = logging.getLogger(__name__)
TEMPLATE = "screening/prefill.html"


class PrefillMixin(PermissionRequiredMixin):
    permission_required = ("screening.view_screening", "screening.change_screening")

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.server = Server.configured()
        candidate = selectors.candidate_get(kwargs["number"])
        if self.server is None or candidate is None:
            raise Http404("No hospital record is configured, or no such candidate.")
        self.screening = get_object_or_404(
            Screening.objects.select_related("candidate__trial", "criteria_set"),
            candidate=candidate,
            episode=kwargs["episode"],
        )
        published = criteria_set_published(candidate.trial)
        # In the reader's language: the proposals are shown by label.
        self.rule_set = rules_in_language(
            criteria_set_rules(published or self.screening.criteria_set)
        )
        return super().dispatch(request, *args, **kwargs)

    def page(self, request, **context):
        return render(request, TEMPLATE, {"screening": self.screening, **context})

    def review(self, request, proposals, server_url: str, form=None):
        token = proposals_token(
            screening_id=self.screening.pk, server_url=server_url, proposals=proposals
        )
        rows = [(p, self.screening.values.get(p.key)) for p in proposals]
        form = form or ApproveForm(initial={"proposals": token}, screening_id=self.screening.pk)
        return self.page(request, form=LookupForm(), approve_form=form, rows=rows,
                         server_url=server_url)  # fmt: skip

    def episode_url(self) -> str:
        number = self.screening.candidate.screening_number
        return reverse("screening:screening-form", args=[number, self.screening.episode])


class PrefillView(PrefillMixin, View):
    """GET: the look-up form. POST: the look-up, then the proposals to approve."""

    def get(self, request, *args, **kwargs):
        candidate_access_record(
            user=request.user,
            screening_number=self.screening.candidate.screening_number,
            path=request.path,
        )
        return self.page(request, form=LookupForm())

    def post(self, request, *args, **kwargs):
        form = LookupForm(request.POST)
        if self.screening.is_locked or not form.is_valid():
            if self.screening.is_locked:
                locked = _("A decision is recorded: this episode's values are locked.")
                messages.error(request, locked)
            return self.page(request, form=form)
        try:
            lookup = record_lookup(
                screening=self.screening,
                rule_set=self.rule_set,
                identifier=form.cleaned_data["identifier"],
                user=request.user,
                path=f"{request.path} (look-up in the hospital record)",
                server=self.server,
            )
        except ScreeningError as error:
            messages.error(request, str(error))
            return self.page(request, form=LookupForm())
        return self.review(request, lookup.proposals, lookup.server_url)


class PrefillApproveView(PrefillMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = ApproveForm(request.POST, screening_id=self.screening.pk)
        if not form.is_valid():
            problems = form.errors.get("proposals", [_("Nothing was saved.")])
            messages.error(request, " ".join(problems))
            number = self.screening.candidate.screening_number
            return redirect(reverse("screening:prefill", args=[number, self.screening.episode]))
        data = form.cleaned_data["proposals"]
        try:
            prefill_approve(
                screening=self.screening,
                proposals=form.chosen(),
                system=data["system"],
                approved_by=request.user,
                reason=form.cleaned_data["change_reason"],
            )
        except ScreeningError as error:
            messages.error(request, _("%(error)s Nothing was saved.") % {"error": error})
            return self.review(request, data["proposals"], data["system"], form=form)
        count = len(form.chosen())
        messages.success(
            request,
            ngettext(
                "%(count)s value approved from the hospital record and saved.",
                "%(count)s values approved from the hospital record and saved.",
                count,
            )
            % {"count": count},
        )
        return redirect(f"{self.episode_url()}#standing")
