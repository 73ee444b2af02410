"""The criteria admin's impact preview: which screened episodes a draft would change.

It reads screenings, so it lives here rather than in criteria, which never imports
screening; its address stays under /criteria/<trial>/v<version>/ beside the other set pages.
"""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import TemplateView

from criteria.forms import ReasonForm
from criteria.views import CriteriaSetMixin
from screening.impact import impact_preview


class ImpactView(PermissionRequiredMixin, CriteriaSetMixin, TemplateView):
    permission_required = "criteria.view_criterion"
    template_name = "criteria/set_impact.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            criteria_set=self.criteria_set,
            preview=impact_preview(self.criteria_set),
            publish_form=ReasonForm(),
            **kwargs,
        )
