"""`{% log_rows table %}`: the screening log page's rows, rendered by Jinja2 from
templates/screening/_log_rows.jinja (trialsite/jinja2.py says why) into the django-tables2
table of templates/screening/_log_table.html, whose header and pages stay Django templates."""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from screening.models import Decision
from screening.templatetags.outcome import outcome_badge

register = template.Library()


@register.simple_tag(takes_context=True)
def log_rows(context, table) -> str:
    perms = context["perms"]
    rows = get_template("screening/_log_rows.jinja", using="jinja2").render(
        {
            "rows": table.page.object_list.data,
            "may_read_trail": perms["screening"]["view_audit_trail"],
            "may_sign": perms["screening"]["add_signature"],
            # One badge per outcome, not one per row.
            "badges": {outcome: outcome_badge(outcome) for outcome in Decision.Outcome.values},
            "outcome_badge": outcome_badge,
            "columns": len(table.columns),
            "empty_text": table.empty_text,
        }
    )
    return mark_safe(rows)  # noqa: S308 (Jinja2 escaped every value: autoescape is on)
