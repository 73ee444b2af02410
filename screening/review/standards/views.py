"""The investigator's standards exports page and its downloads, permissioned like the log
export; a download of subject data writes the access log like the other exports."""

from __future__ import annotations

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views import View

from screening.review.standards.exports import EXPORT_PERMISSION, KINDS, standards_file_export
from screening.review.standards.forms import StandardsScopeForm

TEMPLATE = "standards/exports.html"


class StandardsPageView(PermissionRequiredMixin, View):
    permission_required = EXPORT_PERMISSION

    def get(self, request):
        form = StandardsScopeForm(request.GET or None)
        scope = form.chosen_scope() if form.is_bound else None
        query = request.GET.urlencode()
        return render(
            request, TEMPLATE, {"form": form, "scope": scope, "kinds": KINDS, "query": query}
        )


class StandardsDownloadView(PermissionRequiredMixin, View):
    permission_required = EXPORT_PERMISSION

    def get(self, request, kind: str):
        if kind not in KINDS:
            raise Http404("No such export.")
        form = StandardsScopeForm(request.GET)
        scope = form.chosen_scope()
        if scope is None:  # the choice is shown again, each error next to its field
            context = {"form": form, "scope": None, "kinds": KINDS, "query": ""}
            return render(request, TEMPLATE, context, status=400)
        built = standards_file_export(
            kind=kind, scope=scope, user=request.user, path=request.get_full_path()
        )
        response = HttpResponse(built.content, content_type=built.content_type)
        response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
        return response
