"""The log's per-row tags: links equal to reverse()'s, and the sign-off cell's states."""

import datetime as dt
import uuid

import pytest
from django.template import Context
from django.urls import reverse

from screening.log_query import LogRow
from screening.models import Decision, Screening, Signature
from screening.templatetags.log_cells import row_link, signoff_state

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
