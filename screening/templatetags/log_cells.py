"""Cells the screening log prints on each of its rows, made in Python.

The log shows 50 rows per page on every click. In template code each row cost about 0.3 ms:
an `{% include %}` pushes a context, `{% url %}` walks the URL resolver (about 40 µs a link),
and every lookup goes through the template engine. These tags do the same work once per row.

- `{% row_link "log:audit-trail" number %}`: the URL of one object of a route that takes one
  argument, reversed once per page.
- `{% signoff_state row %}`: the sign-off state of an episode's current decision (a LogRow),
  with the "Sign off" button for whoever may sign.
"""

from __future__ import annotations

from urllib.parse import quote

from django import template
from django.template.defaultfilters import date, pluralize
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from screening.log_query import LogRow

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
            # As the template's |date shows it: in the site's time zone.
            date(template_localtime(signature.signed_at, context.use_tz), "Y-m-d H:i"),
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
