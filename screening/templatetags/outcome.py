"""`{% outcome_badge outcome %}`: a decision's outcome as a coloured badge.

A tag rather than an included template: the screening log shows one per row, and an include
costs a template context push and lookup each time.
"""

from django import template
from django.utils.html import format_html
from django.utils.text import capfirst

from screening import wording
from screening.models import Decision

register = template.Library()

_COLOURS = {"eligible": "text-bg-success", "ineligible": "text-bg-danger"}


@register.simple_tag
def outcome_badge(outcome: str) -> str:
    """Eligible green, ineligible red, anything else (incomplete) amber."""
    colour = _COLOURS.get(outcome, "text-bg-warning")
    known = outcome in Decision.Outcome.values
    words = Decision.Outcome(outcome).label if known else capfirst(outcome)
    return format_html('<span class="badge fs-6 {}" data-testid="outcome">{}</span>', colour, words)


@register.filter
def decision_words(decision) -> str:
    """A recorded decision's outcome in words: "Screen failure (incomplete: declined)"."""
    return wording.decision_words(decision)
