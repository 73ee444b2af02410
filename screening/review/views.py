"""The investigator's pages: screening log, exports, summary, sign-off and audit trail.

Thin views: they check a permission, read through a selector or write through the sign-off
service, and render or redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from django_tables2 import RequestConfig

from criteria.selectors import trial_ids
from screening import anchors, signoff
from screening.exceptions import SignOffRefused, WrongPassword
from screening.review import charts, exports, selectors
from screening.review.forms import SignOffForm, SummaryPeriodForm
from screening.review.log_filters import LogFilter
from screening.review.log_query import KeysFirst, log_queryset
from screening.review.log_table import LogTable
from screening.selectors import candidate_get
from trialsite.access_log import CandidateAccessLogMixin, candidate_access_logged
from trialsite.login_protection import lockout_response, login_failure_count, login_locked_out

FAILURE_RED = "#dc3545"
FUNNEL_BLUE = "#0d6efd"
FAILURES_TITLE = gettext_lazy("Screen-failure reasons by criterion")


def _log_table(request, *, paginate: bool) -> tuple[LogFilter, LogTable]:
    """The log's filters and its table, sorted and (for the page) paginated as asked."""
    filterset = LogFilter(request.GET, queryset=log_queryset(), request=request)
    rows = filterset.qs
    table = LogTable(KeysFirst(rows, selectors.screening_log_rows) if paginate else rows)
    RequestConfig(request, paginate={"silent": False} if paginate else False).configure(table)
    return filterset, table


class ScreeningLogView(PermissionRequiredMixin, TemplateView):
    permission_required = "screening.view_decision"
    template_name = "screening/log.html"

    def get_context_data(self, **kwargs):
        try:
            filterset, table = _log_table(self.request, paginate=True)
        except (EmptyPage, PageNotAnInteger) as error:
            raise Http404(str(error)) from error
        return super().get_context_data(filter=filterset, form=filterset.form, table=table)


class LogExportView(PermissionRequiredMixin, View):
    """The filtered log (every page), in the page's order, as CSV or XLSX."""

    permission_required = "screening.export_screening_log"

    def get(self, request, fmt: str):
        filterset, table = _log_table(request, paginate=False)
        rows = candidate_access_logged(
            selectors.screening_log_all_rows(table.data.data),
            user=request.user,
            path=request.get_full_path(),
            screening_number=lambda row: row.screening.candidate.screening_number,
        )
        filename = f"screening-log-{timezone.localdate():%Y-%m-%d}"
        # Read before the rows, which are read while the file is written: no decision up to
        # these heads can be missing from the file for having been recorded meanwhile.
        chain_at = anchors.chain_heads_text(full=True)
        if fmt == "csv":
            return exports.csv_response(rows, filename=filename, chain_at=chain_at)
        about = [
            ("Trial", filterset.form.cleaned_data.get("trial") or "all trials"),
            ("Exported at (UTC)", timezone.now().strftime("%Y-%m-%d %H:%M:%S")),
            ("Exported by", request.user.get_username()),
            ("Filters", request.GET.urlencode() or "none"),
            ("Audit chain head", chain_at),
        ]
        return exports.xlsx_response(rows, filename=filename, about=about)


class SummaryView(PermissionRequiredMixin, TemplateView):
    permission_required = "screening.view_decision"
    template_name = "screening/summary.html"

    def get_context_data(self, **kwargs):
        trials = trial_ids()
        form = SummaryPeriodForm(self.request.GET, trials=trials)
        referred_from, referred_to = form.period()
        trial = form.chosen_trial()
        summary = selectors.screening_summary(
            referred_from=referred_from, referred_to=referred_to, trial=trial
        )
        return super().get_context_data(
            form=form,
            trial=trial,
            summary=summary,
            counts=_counts(summary),
            funnel=_funnel(summary),
            failures=_failures(summary, by_trial=not trial and len(trials) > 1),
        )


def _counts(summary) -> list[tuple[str, str, int, str]]:
    """(key, label, count, colour) of each card; the key names it whatever the language."""
    return [
        ("referred", _("Referred"), summary.referred, "secondary"),
        ("screened", _("Screened"), summary.screened, "primary"),
        ("eligible", _("Eligible"), summary.eligible, "success"),
        ("ineligible", _("Ineligible"), summary.ineligible, "danger"),
        ("incomplete", _("Incomplete"), summary.incomplete, "warning"),
        ("signed-off", _("Signed off"), summary.signed_off, "info"),
    ]


def _funnel(summary) -> charts.BarChart:
    steps = [
        (_("Referred"), summary.referred),
        (_("Screened (decision recorded)"), summary.screened),
        (_("Eligible"), summary.eligible),
        (_("Eligible and signed off"), summary.eligible_signed_off),
    ]
    base = summary.referred or 1
    texts = [f"{charts.grouped(n)} ({round(100 * n / base)} %)" for _, n in steps]
    return charts.bar_chart(
        steps, title=_("Screening funnel"), fill=FUNNEL_BLUE, centered=True, value_texts=texts
    )


def _failures(summary, *, by_trial: bool) -> list[tuple[str, str, charts.BarChart]]:
    """(trial heading, chart id, chart) of the screen-failure reasons: one chart, or with
    several trials shown, one per trial, since a code names a criterion only in its trial.
    Empty when nothing failed."""
    if not by_trial:
        items = [(f"{code} {label}".strip(), n) for _, code, label, n in summary.failures]
        if summary.incomplete:
            items.append((_("Closed incomplete (reason given)"), summary.incomplete))
        chart = charts.bar_chart(items, title=FAILURES_TITLE, fill=FAILURE_RED)
        return [("", "failure-chart", chart)] if items else []
    by_id: dict[str, list[tuple[str, int]]] = {}
    for trial, code, label, n in sorted(summary.failures, key=lambda f: f[0]):
        by_id.setdefault(trial, []).append((f"{code} {label}".strip(), n))
    return [
        (trial, f"failure-chart-{trial}", charts.bar_chart(
            items, title=f"{FAILURES_TITLE}, {trial}", fill=FAILURE_RED
        ))
        for trial, items in by_id.items()
    ]  # fmt: skip


class SignOffView(PermissionRequiredMixin, CandidateAccessLogMixin, FormView):
    """Shows the decision and what signing means; signs after the password is re-entered."""

    permission_required = "screening.add_signature"
    template_name = "screening/signoff.html"

    def dispatch(self, request, *args, **kwargs):
        self.decision = selectors.decision_for_signoff(kwargs["public_id"])
        if self.decision is None:
            raise Http404("No such decision.")
        self.candidate = self.decision.screening.candidate  # the page shows their decision
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        _, self.meaning = signoff.signature_meaning(self.decision)
        return SignOffForm(**self.get_form_kwargs(), meaning=self.meaning)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            decision=self.decision,
            candidate=self.decision.screening.candidate,
            refusal=signoff.signoff_refusal(decision=self.decision, signer=self.request.user),
            chain_heads=anchors.chain_heads(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        # A locked-out account may not keep guessing the password through this form either.
        if login_locked_out(request):
            logout(request)
            return lockout_response(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            signature = signoff.signature_sign(
                decision=self.decision,
                signer=self.request.user,
                password=form.cleaned_data["password"],
                ip_address=self.request.META.get("REMOTE_ADDR"),
            )
        except WrongPassword as error:
            login_failure_count(self.request)
            form.add_error("password", str(error))
            return self.form_invalid(form)
        except SignOffRefused as error:
            messages.error(self.request, str(error))
            return self.form_invalid(form)
        messages.success(
            self.request,
            "Signed off. The signature is recorded below. It is the head of the signature chain: "
            f"signature {signature.sequence}, hash {signature.entry_hash[:16]}…",
        )
        return redirect(self.get_success_url())

    def get_success_url(self):
        number = self.decision.screening.candidate.screening_number
        return reverse("log:audit-trail", kwargs={"number": number})


class AuditTrailView(PermissionRequiredMixin, CandidateAccessLogMixin, TemplateView):
    permission_required = "screening.view_audit_trail"
    template_name = "screening/audit_trail.html"

    def dispatch(self, request, *args, **kwargs):
        # Set before the access-log mixin looks for it: reading a trail is reading a candidate.
        self.candidate = candidate_get(kwargs["number"])
        if self.candidate is None:
            raise Http404("No candidate with this screening number.")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        trail = selectors.candidate_audit_trail(self.candidate)
        return super().get_context_data(**trail, **kwargs)
