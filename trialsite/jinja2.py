"""The Jinja2 environment, for the one template Django's own engine renders too slowly: the
screening log's rows (templates/screening/_log_rows.jinja), fifty to a page.

Measured on the log's first page of 100,000 episodes (docs/performance.md): its fifty rows
took 18 ms of the page's 31 ms of CPU in Django's template language, and 7 ms in Jinja2 with
the same markup, dates, links and translations. Every other template stays in Django's.

A name the template does not know is an error (StrictUndefined), not an empty cell.

The filters here are Django's own formatting, so a row reads as the Django template wrote it:
dates in the reader's language and the site's time zone, text shortened with an ellipsis.
"""

from __future__ import annotations

from django.template import defaultfilters
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import template_localtime
from jinja2 import Environment, StrictUndefined


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # Django's backend sets both; they are fixed here
    options.pop("undefined", None)
    env = Environment(
        autoescape=True, undefined=StrictUndefined, extensions=["jinja2.ext.i18n"], **options
    )
    # Messages come from the same catalogues, marked `_()`/`ngettext()` (trialsite/translations.py
    # extracts them), and placeholders are escaped as they are filled in.
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=True)
    env.globals["url"] = url
    env.filters["date"] = date
    env.filters["truncatechars"] = defaultfilters.truncatechars
    return env


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def date(value, format_name: str) -> str:
    """Django's `date` filter, with the site's time zone its template engine applies first."""
    return defaultfilters.date(template_localtime(value), format_name)
