"""Benchmark: criteria.evaluator vs the same rules in JsonLogic, on one core.

Run from the repository root: `.venv/bin/python bench/evaluator.py [N]`. Generates N (default
20,000) seeded random candidates for NCT01387295 — realistic values at lab precision, a few
answers missing, so that every outcome occurs — and prints candidates per second (best of 3
passes; the host is shared and noisy), the ratio to JsonLogic, and how often the two agree
on the outcome.

What is timed: `evaluate(...).outcome` covers type checks, derivations, every criterion's
status and the missing list; reason text is written lazily, when first read, so a second line
times `evaluate(...).to_dict()`, which writes every reason too. JsonLogic's time covers only
its rules: derived values are computed for it beforehand (see bench/jsonlogic_rules.py).
"""

from __future__ import annotations

import gc
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.jsonlogic_rules import outcome_of, rules_logic, to_json_data  # noqa: E402
from criteria.evaluator import evaluate  # noqa: E402
from criteria.protocol import RuleSet, protocol_from_dict  # noqa: E402
from screening.demo import candidate  # noqa: E402

PROTOCOL = ROOT / "criteria" / "protocols" / "NCT01387295.json"
SEED = 20261129


def load_rules() -> RuleSet:
    return protocol_from_dict(json.loads(PROTOCOL.read_text(encoding="utf-8")))[1]


def _rate(label: str, func, items: list, runs: int = 3) -> tuple[float, list]:
    """Candidates per second, best of `runs` passes (the usual guard against a noisy host)."""
    rates, out = [], []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        out = [func(item) for item in items]
        rates.append(len(items) / (time.perf_counter() - started))
    each = ", ".join(f"{r:,.0f}" for r in rates)
    print(f"{label} candidates/s: {max(rates):,.0f}  (best of {runs} passes: {each})")
    return max(rates), out


def main(count: int = 20_000) -> dict[str, float]:
    """Print the figures and return them (bench/run.py collects them)."""
    rules = load_rules()
    rng = random.Random(SEED)
    candidates = [candidate(rng) for _ in range(count)]
    from json_logic import jsonLogic  # the panzi-json-logic / json-logic import name

    logic = rules_logic(rules)
    evaluate(rules, candidates[0])  # imports and first-call costs outside the timing
    ours_rate, ours = _rate("evaluator", lambda v: evaluate(rules, v).outcome, candidates)
    reasons_rate, _ = _rate(
        "evaluator with reasons (to_dict)", lambda v: evaluate(rules, v).to_dict(), candidates
    )
    data = [to_json_data(rules, v) for v in candidates]
    theirs_rate, theirs = _rate(
        "jsonlogic",
        lambda d: outcome_of([(kind, jsonLogic(rule, d)) for kind, rule in logic]),
        data,
    )
    print(f"ratio vs jsonlogic: {ours_rate / theirs_rate:.1f}")
    agree = sum(a == b for a, b in zip(ours, theirs, strict=True))
    print(f"agreement: {agree}/{count}")
    print("outcomes: " + ", ".join(f"{o} {ours.count(o)}" for o in sorted(set(ours))))
    return {
        "evaluator candidates/s": ours_rate,
        "evaluator with reasons candidates/s": reasons_rate,
        "jsonlogic candidates/s": theirs_rate,
        "evaluator vs jsonlogic": ours_rate / theirs_rate,
        "agreement": agree / count,
    }


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
