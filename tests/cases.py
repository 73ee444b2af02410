"""Cases shared by the tests of both apps: the shipped protocol file, a complete case, and
helpers that register a referral and fill in its screening through the real services."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from screening import services
from screening.exceptions import AppendOnlyViolation
from screening.intake.forms import DecisionConfirmForm
from screening.models import Candidate, Screening
from tests.criteria.cases import PROTOCOL_FILE, eligible_values, lvef_amended  # noqa: F401
from trialsite.append_only import TRIGGER_SUFFIX

# A small second trial whose criterion codes (I07, I08, E01) are also NCT01387295's codes,
# for different criteria: what is keyed by a code must be keyed by trial and code.
SHARED_CODES_FILE = Path(__file__).resolve().parent / "data/NCT09990002.json"


def shared_codes_values(**changes) -> dict:
    """A patient who meets every criterion of NCT09990002 (JSON form), with `changes`."""
    values = {
        "screening_date": "2026-11-20",
        "date_of_birth": "1965-03-02",
        "ecog_performance_status": 0,
        "platelets": "250",
        "prior_liver_resection": False,
    }
    return values | changes


# A referral's details where a test does not care which.
REFERRAL = {
    "initials": "AB",
    "date_of_birth": dt.date(1965, 3, 2),  # as in eligible_values()
    "sex": "female",
    "referring_unit": "Herlev, Oncology",
    "referral_date": dt.date(2026, 11, 18),
}


def register(trial, nurse, **changes) -> Candidate:
    """Register a referral of `trial` as `nurse`: the REFERRAL details with `changes` applied."""
    return services.candidate_register(trial=trial, registered_by=nurse, **(REFERRAL | changes))


def fill(screening: Screening, nurse, **changes) -> Screening:
    """Save the eligible case with some answers changed (None removes an answer)."""
    values = eligible_values()
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value
    return services.screening_values_save(
        screening=screening, values=values, units={}, saved_by=nurse
    )


def form_url(candidate, episode: int = 1) -> str:
    """The screening form of a candidate's episode."""
    return reverse("screening:screening-form", args=[candidate.screening_number, episode])


def post_values(values: dict) -> dict:
    """The screening form's POST body for JSON-form values."""
    data = {}
    for key, value in values.items():
        if value is True or value is False:
            data[key] = "yes" if value else "no"
        elif value == "never":
            data[f"{key}__never"] = "on"
        else:
            data[key] = str(value)
    return data


def record_via_pages(client, screening: Screening, *, reason: str = "", **extra):
    """Record a decision as the nurse does: Record decision on the form holding the saved
    values (and `reason`), then Confirm on the confirmation page. The confirmation's response,
    followed."""
    screening = Screening.objects.get(pk=screening.pk)
    number, episode = screening.candidate.screening_number, screening.episode
    form = reverse("screening:screening-form", args=[number, episode])
    data = post_values(screening.values) | {"screen_failure_reason": reason, "record": ""}
    shown = client.post(form, data | extra, follow=True)
    confirm = shown.context.get("form") if shown.context else None
    if not isinstance(confirm, DecisionConfirmForm):
        return shown
    return client.post(
        reverse("screening:decision-record", args=[number, episode]),
        confirm.initial,
        follow=True,
    )


def verify_audit_run() -> tuple[int, str]:
    """Run the `verify_audit` command: (exit code, what it printed, stripped)."""
    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except SystemExit as exited:
        return exited.code, out.getvalue().strip()
    return 0, out.getvalue().strip()


def assert_append_only(row, **change) -> None:
    """Changing and saving `row`, deleting it, and updating or deleting its table through a
    queryset are all refused. The row is left changed in memory only."""
    model = type(row)
    for name, value in change.items():
        setattr(row, name, value)
    with pytest.raises(AppendOnlyViolation):
        row.save()
    with pytest.raises(AppendOnlyViolation):
        row.delete()
    with pytest.raises(AppendOnlyViolation):
        model.objects.update(**change)
    with pytest.raises(AppendOnlyViolation):
        model.objects.all().delete()


def protected_tables(connection) -> set[str]:
    """The tables that carry an append-only trigger (PostgreSQL): the tests that prove the guard."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = c.relname || %s AND NOT t.tgisinternal",
            [TRIGGER_SUFFIX],
        )
        return {row[0] for row in cursor.fetchall()}


def reevaluate_via_pages(client, screening: Screening, *, reason: str = ""):
    """Re-evaluate a decided episode as the nurse does: Re-evaluate on the form (the new outcome
    shown, nothing recorded), then Confirm. (the preview's response, the confirmation's
    response followed); the confirmation is None when no outcome was shown."""
    url = reverse(
        "screening:decision-reevaluate",
        args=[screening.candidate.screening_number, screening.episode],
    )
    shown = client.post(url, {"screen_failure_reason": reason}, follow=True)
    confirm = shown.context.get("form") if shown.context else None
    if not isinstance(confirm, DecisionConfirmForm):
        return shown, None
    return shown, client.post(url, confirm.initial, follow=True)
