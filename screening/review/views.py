"""The investigator's pages: screening log, exports, summary, sign-off and audit trail.

Thin views: they check a permission, read through a selector or write through the sign-off
service, and render or redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from criteria.selectors import trial_ids
from screening import anchors, signoff
from screening.exceptions import SignOffRefused, WrongPassword
from screening.review import charts, exports, log_pages, selectors
from screening.review.forms import LogFilterForm, SignOffForm, SummaryPeriodForm
from screening.review.log_query import LogFilters
from screening.selectors import candidate_get
from trialsite.access_log import CandidateAccessLogMixin, candidate_access_logged
from trialsite.login_protection import lockout_response, login_failure_count, login_locked_out

FAILURE_RED = "#dc3545"
FUNNEL_BLUE = "#0d6efd"
FAILURES_TITLE = "Screen-failure reasons by criterion"


def _filter_form(request) -> LogFilterForm:
    return LogFilterForm(request.GET, **selectors.log_filter_choices())


class ScreeningLogView(PermissionRequiredMixin, ListView):
    permission_required = "screening.view_decision"
    template_name = "screening/log.html"
    paginate_by = 50

    def get_queryset(self):
        self.form = _filter_form(self.request)
        self.filters = self.form.filters()
        # By screened date (the default) the log pages on an index; "after" is the previous
        # page's last key, "before" the next page's first, so deep pages cost what the first
        # does (log_pages.LogPages).
        keys = (self.request.GET.get("after", ""), self.request.GET.get("before", ""))
        self.pages = log_pages.log_pages(self.filters, *keys)
        return self.pages if self.pages is not None else selectors.screening_log(self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            form=self.form,
            # A page number or a sort is not a filter: "match the filters" only when one is set.
            filtered=self.filters != LogFilters(sort=self.filters.sort),
            columns=_sort_columns(self.filters.sort),
            rows=selectors.screening_log_rows(context["page_obj"].object_list),
            next_cursor=(self.pages.next_cursor or None) if self.pages else None,
            previous_cursor=(self.pages.previous_cursor or None) if self.pages else None,
        )
        return context


def _sort_columns(current: str) -> list[dict]:
    """The sortable headers: a click sorts by the column, a second click reverses."""
    names = [
        ("screening_number", "Screening number"),
        ("referral_date", "Referred"),
        ("screened_at", "Screened"),
        ("outcome", "Outcome"),
        ("recorded_by", "Recorded by"),
    ]
    columns = {}
    for key, label in names:
        arrow = {key: " ▲", f"-{key}": " ▼"}.get(current, "")
        columns[key] = {
            "label": label,
            "arrow": arrow,
            "next": f"-{key}" if current == key else key,
        }
    return columns


class LogExportView(PermissionRequiredMixin, View):
    """The filtered log (every page) as CSV or XLSX."""

    permission_required = "screening.export_screening_log"

    def get(self, request, fmt: str):
        form = _filter_form(request)
        rows = candidate_access_logged(
            selectors.screening_log_all_rows(form.filters()),
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
            ("Trial", form.filters().trial or "all trials"),
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


def _counts(summary) -> list[tuple[str, int, str]]:
    return [
        ("Referred", summary.referred, "secondary"),
        ("Screened", summary.screened, "primary"),
        ("Eligible", summary.eligible, "success"),
        ("Ineligible", summary.ineligible, "danger"),
        ("Incomplete", summary.incomplete, "warning"),
        ("Signed off", summary.signed_off, "info"),
    ]


def _funnel(summary) -> charts.BarChart:
    steps = [
        ("Referred", summary.referred),
        ("Screened (decision recorded)", summary.screened),
        ("Eligible", summary.eligible),
        ("Eligible and signed off", summary.eligible_signed_off),
    ]
    base = summary.referred or 1
    texts = [f"{n} ({round(100 * n / base)} %)" for _, n in steps]
    return charts.bar_chart(
        steps, title="Screening funnel", fill=FUNNEL_BLUE, centered=True, value_texts=texts
    )


def _failures(summary, *, by_trial: bool) -> list[tuple[str, str, charts.BarChart]]:
    """(trial heading, chart id, chart) of the screen-failure reasons: one chart, or with
    several trials shown, one per trial, since a code names a criterion only in its trial.
    Empty when nothing failed."""
    if not by_trial:
        items = [(f"{code} {label}".strip(), n) for _, code, label, n in summary.failures]
        if summary.incomplete:
            items.append(("Closed incomplete (reason given)", summary.incomplete))
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
