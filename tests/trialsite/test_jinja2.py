"""The Jinja2 environment the log's rows are rendered with formats as Django's templates do."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import translation
from jinja2 import UndefinedError

from trialsite import jinja2

UTC_EVENING = dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)  # 29-03 00:30 in Copenhagen


def _render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_dates_are_shown_in_the_site_time_zone_and_the_readers_format():
    with translation.override("da"):
        assert jinja2.date(UTC_EVENING, "SHORT_DATETIME_FORMAT") == "29-03-2026 00:30"
        assert jinja2.date(UTC_EVENING.date(), "SHORT_DATE_FORMAT") == "28-03-2026"
    with translation.override("en"):
        assert jinja2.date(UTC_EVENING.date(), "SHORT_DATE_FORMAT") == "2026-03-28"


@pytest.mark.parametrize("nothing", [None, ""])
def test_no_date_is_shown_as_nothing(nothing):
    assert jinja2.date(nothing, "SHORT_DATE_FORMAT") == ""


def test_messages_come_from_the_catalogue_with_their_placeholders_escaped():
    source = '{{ _("Screen failure (incomplete: %(reason)s)", reason=why) }}'
    with translation.override("da"):
        shown = _render(source, why="<b>declined</b>")
    assert shown == "Screeningsfejl (ufuldstændig: &lt;b&gt;declined&lt;/b&gt;)"


def test_values_are_escaped_and_links_reversed():
    shown = _render("<a href=\"{{ url('log:audit-trail', n) }}\">{{ n }}</a>", n="S<1>")
    assert shown == '<a href="/log/candidates/S%3C1%3E/audit-trail/">S&lt;1&gt;</a>'


def test_a_name_the_template_does_not_know_is_an_error_not_an_empty_cell():
    with pytest.raises(UndefinedError):
        _render("{{ row.outcom }}", row={"outcome": "eligible"})
