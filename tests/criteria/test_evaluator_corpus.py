"""The evaluator against a frozen corpus of its own earlier outputs (data/evaluator_corpus.json).

Three thousand cases, written by data/make_evaluator_corpus.py with the evaluator as it was
before its rewrite: realistic candidates with edge cases mixed in, for the shipped protocol and
for a small one with nested all-of / any-of groups. Each case pins the outcome, every status,
every reason word for word, what each unknown criterion needs, the missing list, the derived
values with how they were worked out, or the ValueProblem raised (variable and message).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from criteria.evaluator import evaluate
from criteria.exceptions import ValueProblem
from criteria.protocol import protocol_from_dict, rules_from_dict
from tests.criteria.cases import PROTOCOL_FILE, V1_FILE

CORPUS = json.loads(
    (Path(__file__).parent / "data" / "evaluator_corpus.json").read_text(encoding="utf-8")
)
STATUS = {"M": "met", "N": "not_met", "U": "unknown", "A": "not_applicable"}
DECODE = {
    "n": lambda text: None,
    "b": lambda text: text == "1",
    "i": int,
    "f": float,
    "d": Decimal,
    "t": date.fromisoformat,
    "s": str,
}


def decode(code: str) -> object:
    tag, text = code.split(":", 1)
    return DECODE[tag](text)


def case_values(case: dict, base: dict) -> dict:
    values = {k: decode(v) for k, v in base.items()} if case["base"] else {}
    for key in case["drop"]:
        del values[key]
    values.update((k, decode(v)) for k, v in case["set"].items())
    return values


def expected(case: dict, heads: list) -> dict:
    """The case's outputs in the shape `actual` gives them."""
    if "error" in case:
        return {"error": case["error"]}
    criteria = []
    for i, (code, kind, label, variables, note, wording) in enumerate(heads):
        criteria.append({
            "code": code, "kind": kind, "label": label,
            "variable": variables[0] if variables else "", "variables": variables,
            "status": STATUS[case["statuses"][i]], "reason": CORPUS["reasons"][case["reasons"][i]],
            "note": note, "protocol_wording": wording, "needs": case["needs"].get(str(i), []),
        })  # fmt: skip
    derived = case["derived"]
    return {
        "outcome": case["outcome"],
        "criteria": criteria,
        "missing": case["missing"],
        "derived": {k: d[0] for k, d in derived.items()},
        "derived_how": {k: d[1] for k, d in derived.items()},
        "derived_method": {k: d[2] for k, d in derived.items()},
        "failed": case["failed"],
    }


def actual(rules, values: dict) -> dict:
    try:
        evaluation = evaluate(rules, values)
    except ValueProblem as problem:
        return {"error": [problem.key, problem.message]}
    out = evaluation.to_dict()
    # The corpus pins the exact derived values; the JSON shows them rounded (tested apart).
    out["derived"] = {k: str(d.value) for k, d in evaluation.derived.items()}
    for entry, result in zip(out["criteria"], evaluation.results, strict=True):
        entry.update(protocol_wording=result.protocol_wording, needs=list(result.needs))
    out["derived_method"] = {k: d.method for k, d in evaluation.derived.items()}
    out["failed"] = [r.code for r in evaluation.failed()]
    return out


@pytest.mark.parametrize("trial", sorted(CORPUS["protocols"]))
def test_the_evaluator_gives_the_corpus_outputs(trial):
    protocol = CORPUS["protocols"][trial]
    rules = rules_from_dict(protocol["rules"])
    cases = protocol["cases"]
    assert len(cases) >= 1500
    differing = []
    for number, case in enumerate(cases):
        values = case_values(case, protocol["base"])
        want, got = expected(case, protocol["heads"]), actual(rules, values)
        if got != want:
            differing.append((number, values, want, got))
    assert not differing, f"{len(differing)} cases differ; the first: {differing[0]}"


def test_the_version_1_file_decides_every_corpus_case_as_the_shipped_version_2_file():
    protocol = CORPUS["protocols"]["NCT01387295"]
    v1, v2 = (
        protocol_from_dict(json.loads(path.read_text(encoding="utf-8")))[1]
        for path in (V1_FILE, PROTOCOL_FILE)
    )
    differing = [
        number
        for number, case in enumerate(protocol["cases"])
        if actual(v1, values := case_values(case, protocol["base"])) != actual(v2, values)
    ]
    assert not differing, f"{len(differing)} cases differ, the first: {differing[:1]}"


def test_the_corpus_covers_every_status_outcome_and_refusal():
    cases = [c for p in CORPUS["protocols"].values() for c in p["cases"]]
    assert {c.get("outcome") for c in cases} >= {"eligible", "ineligible", "incomplete"}
    assert set("".join(c.get("statuses", "") for c in cases)) == set(STATUS)
    messages = " ".join(c["error"][1] for c in cases if "error" in c)
    for problem in ("is not a finite number", "is too large to work with", "is not a date"):
        assert problem in messages
    assert any(c["derived"].get("creatinine_clearance", ["", "", ""])[2] == "Cockcroft-Gault"
               for c in cases if "derived" in c)  # fmt: skip
