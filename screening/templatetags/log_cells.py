"""The screening log's rows, made in Python.

The log shows 50 rows per page on every click. In template code a row cost 0.4-0.6 ms (about
20-30 ms a page, more than all of the page's queries): every variable, filter and `{% if %}`
goes through the template engine, and `{% url %}` walks the URL resolver (about 40 µs a link).
These tags do the same work once per row, in about a tenth of the time.

- `{% log_row row may_read_trail %}`: one `<tr>` of the log (a LogRow).
- `{% row_link "log:audit-trail" number %}`: the URL of one object of a route that takes one
  argument, reversed once per page.
- `{% signoff_state row %}`: the sign-off state of an episode's current decision (a LogRow),
  with the "Sign off" button for whoever may sign.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django import template
from django.template.defaultfilters import pluralize, truncatechars
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from screening.review.log_query import LogRow
from screening.templatetags.outcome import outcome_badge
from screening.wording import outcome_words

register = template.Library()

# Stands for the argument while a route is reversed once; a UUID, so that routes taking a
# UUID (decisions) accept it as well as those taking text (screening numbers).
_MARK = "00000000-0000-0000-0000-000000000000"
# What reverse() leaves unquoted in a path (django.urls.resolvers), less "/": one argument
# is one path segment.
_SAFE = "!$&'()*+,;=~:@"
# Markup without data.
_NOT_DECIDED = mark_safe('<span class="text-body-secondary">—</span>')  # noqa: S308
_AWAITING = mark_safe('<span class="badge text-bg-warning">Awaiting sign-off</span>')  # noqa: S308
_NOT_DECIDED_BADGE = mark_safe(  # noqa: S308
    '<span class="badge fs-6 text-bg-light border" data-testid="outcome">Not decided</span>'
)
_ROW = (
    '<tr data-testid="log-row" data-number="{number}" data-episode="{episode}">'
    '<td class="text-nowrap"><a href="{link}">{number}</a></td>'
    '<td class="text-nowrap" data-testid="trial">{trial}</td>'
    "<td>{episode}</td>"
    '<td class="text-nowrap">{referred}</td>'
    '<td class="text-nowrap">{screened}</td>'
    "<td>{outcome}</td>"
    "<td>{failed}</td>"
    "<td>{recorded_by}</td>"
    '<td data-testid="signoff-state">{signoff}</td>'
    "</tr>"
)
# The code with its short label beside it, not in a hover tooltip: keyboard and touch users
# cannot open a tooltip. The full reason is on the candidate's page and audit trail.
_FAILED_CODE = (
    '<div class="failed-criterion" data-testid="failed-criterion">'
    '<span class="badge text-bg-danger-subtle border border-danger-subtle'
    ' text-danger-emphasis me-1" data-testid="failed-code">{}</span>{}</div>'
)
_REASON = '<div class="small text-body-secondary">{}</div>'


@register.simple_tag(takes_context=True)
def row_link(context: template.Context, viewname: str, value: object) -> str:
    """reverse(viewname, args=[value]), the route resolved once per rendering of the page
    (so the script prefix and URLconf of this request apply)."""
    routes = context.render_context.setdefault(row_link, {})
    if viewname not in routes:
        routes[viewname] = reverse(viewname, args=[_MARK])
    return routes[viewname].replace(_MARK, quote(str(value), safe=_SAFE))


@register.simple_tag(takes_context=True)
def signoff_state(context: template.Context, row: LogRow) -> SafeString:
    """Not decided; signed (by whom, when); or awaiting sign-off, with the "Sign off" button
    for a user who may sign. Then how many sign-offs of earlier decisions were superseded."""
    kind = row.signoff_state  # the states as the exports name them
    if kind == "not decided":
        state = _NOT_DECIDED
    elif kind == "signed":
        signature = row.signature
        state = format_html(
            '<span class="badge text-bg-success">✓ Signed</span>'
            '<div class="small text-body-secondary">{}, {}</div>',
            signature.signer_full_name,
            _local_text(signature.signed_at, context, minutes=True),
        )
    else:
        state = _AWAITING
        if context["user"].has_perm("screening.add_signature"):
            state += format_html(
                ' <a class="btn btn-sm btn-primary ms-1" href="{}" data-testid="signoff-link">'
                "Sign off</a>",
                row_link(context, "log:signoff", row.decision.public_id),
            )
    if row.superseded:
        count = len(row.superseded)
        state += format_html(
            '<div class="small text-body-secondary" data-testid="superseded">'
            "{} earlier sign-off{} superseded</div>",
            count,
            pluralize(count),
        )
    return state


@register.simple_tag(takes_context=True)
def log_row(context: template.Context, row: LogRow, may_read_trail: bool) -> SafeString:
    """One row of the log: the episode, its current decision (outcome, failed criteria, the
    reason of a screen failure, who recorded it) and its sign-off. The number links to the
    audit trail for whoever may read it, otherwise to the candidate."""
    number = row.screening.candidate.screening_number
    route = "log:audit-trail" if may_read_trail else "screening:candidate-detail"
    decision = row.decision
    failed = [format_html(_FAILED_CODE, r["code"], r["label"]) for r in row.failed]
    screened, outcome, recorded_by = "—", _NOT_DECIDED_BADGE, ""
    if decision:
        screened = _local_text(decision.recorded_at, context)
        outcome = outcome_badge(decision.outcome)
        recorded_by = decision.recorded_by.get_full_name() or decision.recorded_by.username
        if decision.screen_failure_reason:
            reason = truncatechars(decision.screen_failure_reason, 60)
            if decision.outcome == decision.Outcome.INCOMPLETE:
                reason = outcome_words(outcome=decision.outcome, failed_codes=[], reason=reason)
            failed.append(format_html(_REASON, reason))
    return format_html(
        _ROW,
        number=number,
        trial=row.screening.candidate.trial.registry_id,
        episode=row.screening.episode,
        link=row_link(context, route, number),
        referred=row.screening.candidate.referral_date.isoformat(),
        screened=screened,
        outcome=outcome,
        failed=mark_safe("".join(failed)),  # noqa: S308 (each part made by format_html)
        recorded_by=recorded_by,
        signoff=signoff_state(context, row),
    )


def _local_text(moment: dt.datetime, context: template.Context, *, minutes: bool = False) -> str:
    """`moment` as the template's |date:"Y-m-d" (or "Y-m-d H:i") shows it, in the site's time
    zone; a tenth of the filter's time, which looks its format up in the active language."""
    local = template_localtime(moment, context.use_tz)
    return f"{local.date().isoformat()} {local:%H:%M}" if minutes else local.date().isoformat()
