"""Sources kept beside the values: typed vs fetched, in the history, the snapshot and the
trail; a fetched value outside its window counts as unknown (boundaries)."""

import datetime as dt

import pytest

from criteria.selectors import criteria_set_published, criteria_set_rules
from screening import selectors, services
from screening.hashing import decision_payload
from screening.prefill.freshness import reference_day, stale_keys
from screening.prefill.mapping import Proposal
from screening.prefill.services import prefill_approve
from screening.review.selectors import candidate_audit_trail
from tests.cases import eligible_values

SCREENING_DAY = dt.date(2026, 11, 20)


def _fetched(effective: str) -> dict:
    return {"source": "fhir", "effective": effective, "resource": "Observation/o1"}


@pytest.mark.parametrize(
    ("effective", "stale"),
    [
        ("2026-11-06", False),  # exactly 14 days before: inside
        ("2026-11-05", True),  # 15 days before
        ("2026-11-06T00:00:00+01:00", False),  # local midnight of the first day
        ("2026-11-05T23:59:00+01:00", True),
        ("2026-11-20T23:59:00+01:00", False),  # the screening day itself
        ("2026-11-21", True),  # after the screening day (it was moved back)
    ],
)
def test_window_boundaries(effective, stale):
    found = stale_keys({"neutrophils": _fetched(effective)}, {"neutrophils": 14}, SCREENING_DAY)
    assert (found == {"neutrophils"}) is stale


def test_typed_values_and_windowless_variables_never_go_stale():
    sources = {
        "neutrophils": {"source": "typed", "by": "nurse", "at": "2020-01-01T00:00:00+00:00"},
        "date_of_birth": _fetched(""),
        "sex": _fetched("1990-01-01"),
    }
    assert not stale_keys(sources, {"neutrophils": 14, "sex": None}, SCREENING_DAY)


def test_reference_day_is_the_screening_date_else_today():
    today = dt.date(2026, 12, 5)
    assert reference_day({"screening_date": "2026-11-20"}, today) == SCREENING_DAY
    assert reference_day({}, today) == today


def _approve(episode, nurse, **values):
    proposals = [
        Proposal(key, key, value, effective="2026-11-18T08:10:00+01:00",
                 resource=f"Observation/{key}", code="urn:oid:1.2.208.176.2.1|X")
        for key, value in values.items()
    ]  # fmt: skip
    return prefill_approve(
        screening=episode, proposals=proposals, system="http://fhir.test", approved_by=nurse
    )


@pytest.mark.django_db
def test_typed_then_fetched_then_retyped_keeps_the_right_source(episode, nurse):
    values = eligible_values()
    episode = services.screening_values_save(
        screening=episode, values=values, units={}, saved_by=nurse
    )
    assert episode.value_sources["neutrophils"]["source"] == "typed"
    episode = _approve(episode, nurse, platelets="250")  # same value: only the source changes
    assert episode.value_sources["platelets"]["source"] == "fhir"
    # Saving the form unchanged keeps the fetched source; a changed value is typed again.
    episode = services.screening_values_save(
        screening=episode, values=episode.values, units={}, saved_by=nurse
    )
    assert episode.value_sources["platelets"]["source"] == "fhir"
    changed = {**episode.values, "platelets": "240"}
    episode = services.screening_values_save(
        screening=episode, values=changed, units={}, saved_by=nurse, reason="retyped"
    )
    assert episode.value_sources["platelets"]["source"] == "typed"
    without = {k: v for k, v in changed.items() if k != "inr"}
    episode = services.screening_values_save(
        screening=episode, values=without, units={}, saved_by=nurse, reason="cleared"
    )
    assert "inr" not in episode.value_sources


@pytest.mark.django_db
def test_a_stale_value_counts_as_unknown_in_the_panel_and_the_decision(episode, nurse):
    values = eligible_values() | {"screening_date": "2026-11-20"}
    values.pop("neutrophils")
    episode = services.screening_values_save(
        screening=episode, values=values, units={}, saved_by=nurse
    )
    episode = _approve(episode, nurse, neutrophils="3.2")
    rule_set = criteria_set_rules(criteria_set_published(episode.candidate.trial))
    assert selectors.screening_standing(episode, rule_set).outcome == "eligible"
    # The screening date moves three weeks on: the result of 18 November is now too old.
    later = {**episode.values, "screening_date": "2026-12-10"}
    episode = services.screening_values_save(
        screening=episode, values=later, units={}, saved_by=nurse, reason="rescheduled"
    )
    standing = selectors.screening_standing(episode, rule_set)
    assert standing.outcome == "incomplete"
    assert "neutrophils" in standing.missing
    page = selectors.screening_page(
        episode, published=criteria_set_published(episode.candidate.trial), rule_set=rule_set
    )
    assert [(r["key"], r["stale"]) for r in page["value_sources"]] == [("neutrophils", True)]
    decision = services.decision_record(
        screening=episode, recorded_by=nurse, screen_failure_reason="labs too old"
    )
    assert decision.outcome == "incomplete"
    assert "neutrophils" in decision.missing


@pytest.mark.django_db
def test_snapshot_hash_and_trail_carry_the_sources(episode, nurse):
    episode = services.screening_values_save(
        screening=episode, values=eligible_values(), units={}, saved_by=nurse
    )
    episode = _approve(episode, nurse, neutrophils="3.2")
    decision = services.decision_record(screening=episode, recorded_by=nurse)
    assert decision.sources_snapshot["neutrophils"]["resource"] == "Observation/neutrophils"
    assert decision.sources_snapshot["platelets"]["source"] == "typed"
    before = decision_payload(decision)["content_sha256"]
    decision.sources_snapshot["neutrophils"]["resource"] = "Observation/other"
    assert decision_payload(decision)["content_sha256"] != before  # the hash covers them
    entries = candidate_audit_trail(episode.candidate)["entries"]
    approved = [e for e in entries if e.reason.startswith("values approved")][0]
    assert approved.changes[-1][:2] == ("Neutrophils (10⁹/L) (source)", "typed by nurse")
    assert "hospital record Observation/neutrophils" in approved.changes[-1][2]
    recorded = [e for e in entries if e.kind == "decision"][0]
    assert "values from the hospital record: neutrophils" in recorded.detail
