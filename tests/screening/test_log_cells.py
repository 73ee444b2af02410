"""The log's per-row tags: links equal to reverse()'s, the sign-off cell's states, and whole
rows as the template printed them before they were made in Python."""

import datetime as dt
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.template import Context
from django.urls import reverse
from django.utils.html import escape

from criteria.models import Trial
from screening.models import Candidate, Decision, Screening, Signature
from screening.review.log_query import LogRow
from screening.templatetags.log_cells import log_row, row_link, signoff_state

NUMBERS = [
    "NCT01387295-S00001",
    "with space",
    "ünïcode-1",
    "a?b#c",
    "50%",
    "a&b'c\"d<e>",
    "!$()*+,;=~:@",
]


@pytest.mark.parametrize("number", NUMBERS)
@pytest.mark.parametrize("route", ["log:audit-trail", "screening:candidate-detail"])
def test_row_link_is_what_reverse_gives(route, number):
    assert row_link(Context(), route, number) == reverse(route, args=[number])


def test_row_link_takes_a_uuid():
    public_id = uuid.uuid4()
    assert row_link(Context(), "log:signoff", public_id) == reverse("log:signoff", args=[public_id])


def test_row_link_reverses_each_route_once_per_page(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "screening.templatetags.log_cells.reverse",
        lambda *a, **k: calls.append(a) or reverse(*a, **k),
    )
    page = Context()
    links = [row_link(page, "log:audit-trail", f"S{i}") for i in range(3)]
    assert links == [reverse("log:audit-trail", args=[f"S{i}"]) for i in range(3)]
    assert len(calls) == 1


def _row(decision=True, signature=None, superseded=()):
    decision = Decision(public_id=uuid.uuid4()) if decision else None
    return LogRow(Screening(), decision, signature, superseded)


def _signature(name="Dr Ann Berg"):
    # 11:05 UTC on 1 July is 13:05 in Copenhagen (summer time).
    return Signature(signer_full_name=name, signed_at=dt.datetime(2026, 7, 1, 11, 5, tzinfo=dt.UTC))


@pytest.mark.django_db
def test_signoff_state_of_each_kind_of_row(investigator, nurse):
    may_sign, may_not = Context({"user": investigator}), Context({"user": nurse})
    assert (
        signoff_state(may_sign, _row(decision=False))
        == '<span class="text-body-secondary">—</span>'
    )

    signed = signoff_state(may_sign, _row(signature=_signature("<b>Ann</b>")))
    assert "✓ Signed" in signed and "&lt;b&gt;Ann&lt;/b&gt;, 2026-07-01 13:05" in signed
    assert "signoff-link" not in signed

    awaiting = _row()
    link = reverse("log:signoff", args=[awaiting.decision.public_id])
    assert f'href="{link}" data-testid="signoff-link"' in signoff_state(may_sign, awaiting)
    assert "Awaiting sign-off" in signoff_state(may_not, awaiting)
    assert "signoff-link" not in signoff_state(may_not, awaiting)


@pytest.mark.parametrize(
    "count, text",
    [(0, None), (1, "1 earlier sign-off superseded"), (2, "2 earlier sign-offs superseded")],
)
@pytest.mark.django_db
def test_signoff_state_counts_superseded_sign_offs(nurse, count, text):
    cell = signoff_state(Context({"user": nurse}), _row(superseded=(_signature(),) * count))
    assert (text in cell) if text else ("superseded" not in cell)


def _episode(number="NCT01387295-S00007", episode=2):
    trial = Trial(registry_id="NCT01387295")
    candidate = Candidate(trial=trial, screening_number=number, referral_date=dt.date(2026, 6, 3))
    return Screening(candidate=candidate, episode=episode)


def _decided(recorded_at, *, failed="[]", reason="", full_name=("Nina", "Nurse")):
    recorder = get_user_model()(username="nina", first_name=full_name[0], last_name=full_name[1])
    decision = Decision(
        public_id=uuid.uuid4(),
        outcome="ineligible",
        recorded_at=recorded_at,
        recorded_by=recorder,
        screen_failure_reason=reason,
    )
    decision.failed_entries = failed
    return decision


def _cells(html: str) -> list[str]:
    return re.findall(r"<td[^>]*>(.*?)</td>", html)


@pytest.mark.django_db
def test_log_row_of_an_episode_not_decided(nurse):
    row = LogRow(_episode(), None, None)
    html = log_row(Context({"user": nurse}), row, False)
    assert html.startswith(
        '<tr data-testid="log-row" data-number="NCT01387295-S00007" data-episode="2">'
    )
    link = reverse("screening:candidate-detail", args=["NCT01387295-S00007"])
    assert _cells(html) == [
        f'<a href="{link}">NCT01387295-S00007</a>',
        "NCT01387295",
        "2",
        "2026-06-03",
        "—",
        '<span class="badge fs-6 text-bg-light border" data-testid="outcome">Not decided</span>',
        "",
        "",
        '<span class="text-body-secondary">—</span>',
    ]


@pytest.mark.parametrize(
    "recorded_at, shown",
    [
        # Copenhagen is UTC+2 in summer: 21:59 UTC is still 30 June there, 22:00 is 1 July.
        (dt.datetime(2026, 6, 30, 21, 59, tzinfo=dt.UTC), "2026-06-30"),
        (dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC), "2026-07-01"),
        # UTC+1 in winter.
        (dt.datetime(2026, 12, 31, 22, 59, tzinfo=dt.UTC), "2026-12-31"),
        (dt.datetime(2026, 12, 31, 23, 0, tzinfo=dt.UTC), "2027-01-01"),
    ],
)
@pytest.mark.django_db
def test_log_row_shows_the_screened_date_in_the_site_time_zone(nurse, recorded_at, shown):
    row = LogRow(_episode(), _decided(recorded_at), None)
    assert _cells(log_row(Context({"user": nurse}), row, False))[4] == shown


@pytest.mark.django_db
def test_log_row_of_a_decision_escapes_what_was_entered(investigator):
    failed = (
        '[{"code": "I18", "label": "LVEF <b>", "reason": "45 < 50 & \\"low\\""},'
        ' {"code": "E3", "label": "Pregnant", "reason": "yes"}]'
    )
    reason = "<script>" + "x" * 70
    number = 'S<1>&"2"'
    decision = _decided(dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC), failed=failed, reason=reason)
    row = LogRow(_episode(number), decision, None)
    html = log_row(Context({"user": investigator}), row, True)
    cells = _cells(html)
    assert 'data-number="S&lt;1&gt;&amp;&quot;2&quot;"' in html
    link = reverse("log:audit-trail", args=[number])
    assert cells[0] == f'<a href="{escape(link)}">S&lt;1&gt;&amp;&quot;2&quot;</a>'
    badge = '<span class="badge fs-6 text-bg-danger" data-testid="outcome">Ineligible</span>'
    assert cells[5] == badge
    # Each code with its label in the cell, never in a title (a tooltip touch cannot open).
    assert 'data-testid="failed-code">I18</span>LVEF &lt;b&gt;</div>' in cells[6]
    assert 'data-testid="failed-code">E3</span>Pregnant</div><div class="small' in cells[6]
    assert "title=" not in cells[6]
    # Cut to 60 characters, the last an ellipsis, as the template's |truncatechars:60 did.
    assert f"&lt;script&gt;{'x' * 51}…</div>" in cells[6]
    assert cells[7] == "Nina Nurse"
    assert 'data-testid="signoff-link"' in cells[8]


@pytest.mark.django_db
def test_log_row_names_the_recorder_by_username_without_a_full_name(nurse):
    decision = _decided(dt.datetime(2026, 7, 1, 8, tzinfo=dt.UTC), full_name=("", ""))
    assert (
        _cells(log_row(Context({"user": nurse}), LogRow(_episode(), decision, None), False))[7]
        == "nina"
    )
