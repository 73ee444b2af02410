"""Screened patients for the investigator's tests, made through the real services."""

import datetime as dt
from contextlib import nullcontext
from unittest import mock

from django.db.models import OuterRef, Subquery

from screening import services
from screening.failures import failed_criteria
from screening.hashing import chain_hash, decision_payload
from screening.models import (
    Candidate,
    ChainHead,
    Decision,
    FailedCriterion,
    Screening,
    ScreeningNumberCounter,
)
from screening.signoff import signature_sign
from tests.cases import fill, register
from tests.factories import TEST_PASSWORD

# The answers that make one criterion fail, all else being the eligible case.
FAILING = {
    "I13": {"neutrophils": "1.2"},
    "I14": {"platelets": "80"},
    "E07": {"cns_metastases": True},
}


def log_rows(response) -> list:
    """The rows (LogRow) of the screening log page in `response`, as shown."""
    return [row.record for row in response.context["table"].paginated_rows]


def screen_patient(
    trial,
    nurse,
    *,
    fails: tuple[str, ...] = (),
    incomplete_reason: str = "",
    referral_date: dt.date = dt.date(2026, 11, 18),
    recorded_by=None,
    at: dt.datetime | None = None,
    **answers,
) -> Decision:
    """Register, fill and record one patient: eligible, failing `fails`, or (with a reason)
    closed incomplete; `answers` change more values. `at` is the time all of it happens."""
    # Only the clock is replaced, and only to put a patient's screening on a chosen day.
    clock = mock.patch("django.utils.timezone.now", return_value=at) if at else nullcontext()
    with clock:
        candidate = register(trial, nurse, referral_date=referral_date)
        episode = candidate.screenings.get()
        changes = dict(answers)
        for code in fails:
            changes.update(FAILING[code])
        if incomplete_reason:
            changes["neutrophils"] = None
        fill(episode, nurse, **changes)
        return services.decision_record(
            screening=episode,
            recorded_by=recorded_by or nurse,
            screen_failure_reason=incomplete_reason,
        )


def _noon(day: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, 12, 0, tzinfo=dt.UTC)


def make_cohort(trial, nurse, second_nurse, investigator) -> dict[str, str]:
    """Five patients covering every outcome, two recorders, and one sign-off.

    Out: name → screening number. A eligible and signed (nurse, screened 10 Nov); B fails I13
    (second nurse, 12 Nov); C fails I13 and E07 (nurse, 15 Nov); D closed incomplete (second
    nurse, 20 Nov); E registered and not decided. Referred 1–5 Nov in that order.
    """
    plan = {
        "A": {"recorded_by": nurse, "at": _noon(10)},
        "B": {"fails": ("I13",), "recorded_by": second_nurse, "at": _noon(12)},
        "C": {"fails": ("I13", "E07"), "recorded_by": nurse, "at": _noon(15)},
        "D": {
            "incomplete_reason": "patient declined",
            "recorded_by": second_nurse,
            "at": _noon(20),
        },
    }
    numbers = {}
    for day, (name, how) in enumerate(plan.items(), start=1):
        decision = screen_patient(trial, nurse, referral_date=dt.date(2026, 11, day), **how)
        numbers[name] = decision.screening.candidate.screening_number
        if name == "A":
            signature_sign(decision=decision, signer=investigator, password=TEST_PASSWORD)
    undecided = register(
        trial,
        nurse,
        initials="EF",
        date_of_birth=dt.date(1970, 5, 1),
        referral_date=dt.date(2026, 11, 5),
    )
    numbers["E"] = undecided.screening_number
    return numbers


def clone_decisions(templates: list[Decision], count: int) -> None:
    """`count` more patients, each decided like one of `templates` in turn, by the same nurse.

    Recording 500 decisions through the services takes about 20 s; these are written in bulk
    instead, but appended to the decision chain exactly as `decision_record` would (sequence,
    previous hash, entry hash over the same payload, failed criteria, the episode's pointer),
    so `verify_audit` still proves them.
    """
    first = templates[0]
    trial = first.screening.candidate.trial
    counter = ScreeningNumberCounter.objects.get(trial=trial)
    candidates = Candidate.objects.bulk_create(
        Candidate(
            trial=trial,
            screening_number=f"{trial.registry_id}-S{counter.last_issued + i:04d}",
            initials="GH",
            year_of_birth=1960,
            sex="female",
            referring_unit="Herlev, Oncology",
            referral_date=dt.date(2026, 11, 1 + i % 20),
            created_by=first.recorded_by,
        )
        for i in range(1, count + 1)
    )
    screenings = Screening.objects.bulk_create(
        Screening(
            candidate=candidate,
            episode=1,
            criteria_set=first.criteria_set,
            values=first.values_snapshot,
            status=Screening.Status.DECIDED,
            started_by=first.recorded_by,
        )
        for candidate in candidates
    )
    head = ChainHead.objects.get(name="decisions")
    decisions = []
    for i, screening in enumerate(screenings):
        decision = _decision_like(templates[i % len(templates)], screening, head)
        head.sequence, head.entry_hash = decision.sequence, decision.entry_hash
        decisions.append(decision)
    Decision.objects.bulk_create(decisions)
    _derived_write(decisions)
    head.save()
    counter.last_issued += count
    counter.save()


def _decision_like(template: Decision, screening, head) -> Decision:
    decision = Decision(
        sequence=head.sequence + 1,
        screening=screening,
        criteria_set=template.criteria_set,
        criteria_set_version=template.criteria_set_version,
        outcome=template.outcome,
        screen_failure_reason=template.screen_failure_reason,
        results=template.results,
        missing=template.missing,
        derived=template.derived,
        values_snapshot=template.values_snapshot,
        rules_snapshot=template.rules_snapshot,
        evaluator_version=template.evaluator_version,
        recorded_by=template.recorded_by,
        recorded_at=template.recorded_at,
        previous_hash=head.entry_hash,
    )
    decision.entry_hash = chain_hash(decision_payload(decision), head.entry_hash)
    return decision


def _derived_write(decisions: list[Decision]) -> None:
    """What `decision_record` writes beside each decision: its failed criteria, and its
    episode's pointer to it (with the pointer's copies of its time and position)."""
    FailedCriterion.objects.bulk_create(failed_criteria(decisions))
    newest = Decision.objects.filter(screening=OuterRef("pk")).order_by("-sequence")
    Screening.objects.filter(pk__in={d.screening_id for d in decisions}).update(
        current_decision=Subquery(newest.values("pk")[:1]),
        current_recorded_at=Subquery(newest.values("recorded_at")[:1]),
        current_sequence=Subquery(newest.values("sequence")[:1]),
    )
