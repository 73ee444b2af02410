"""Write evaluator_corpus.json: inputs and the evaluator's full outputs, to pin its behaviour.

Run from the repository root: `.venv/bin/python tests/criteria/data/make_evaluator_corpus.py
[--evaluator MODULE] [--out FILE]`. The committed corpus was written by the evaluator as it was
before its rewrite (the modules copied out of the repository and passed as --evaluator); the
rewrite gives the same outputs on every case (tests/criteria/test_evaluator_corpus.py). Run it
again only when a change of wording or behaviour is meant, and say so in the commit.

Cases are seeded: realistic candidates for the shipped protocol, each with a few answers
replaced by edge cases (missing, "never", every threshold and just either side of it, negative
zero, 0E+30, numbers at and past 1E+21, NaN, infinities, values of the wrong type, units
converted as the forms do, derived values at their boundaries and with inputs missing), and the
same for a small protocol with all-of / any-of groups, nested groups and applies_if.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import sys
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from criteria.exceptions import ValueProblem  # noqa: E402
from criteria.protocol import (  # noqa: E402
    NEVER,
    RuleSet,
    protocol_from_dict,
    rules_from_dict,
    rules_to_dict,
)
from criteria.values import to_canonical  # noqa: E402

HERE = Path(__file__).resolve().parent
SEED = 20261205

# A small trial with nested all-of / any-of groups, applies_if (on a choice, a yes/no and a
# derived age), date windows both ways, every derivation, and form order unlike file order.
GROUPS = json.loads((HERE / "groups_rules.json").read_text(encoding="utf-8"))


def _thresholds(rules: RuleSet) -> dict[str, set]:
    """Per variable, the thresholds and day counts criteria compare it with."""
    found: dict[str, set] = {}

    def walk(expr) -> None:
        if hasattr(expr, "parts"):
            for part in expr.parts:
                walk(part)
            return
        found.setdefault(expr.variable, set()).add(expr.value)

    for rule in rules.criteria:
        walk(rule.expression)
        for cond in rule.applies_if:
            walk(cond)
    return found


WEIRD = ["-0", "-0.00", "0E+30", "1E+21", "-1E+21", "999999999999999999999.99", "1E+20",
         "NaN", "Infinity", "-Infinity", "1E-30", "-5", "0"]  # fmt: skip
NEAR = ["0", "0.01", "-0.01", "1", "-1", "0.0000001", "-0.0000001", "0.004", "-0.004"]


def _number(rng: random.Random, spec, thresholds: set) -> object:
    roll = rng.random()
    numeric = sorted(t for t in thresholds if isinstance(t, D))
    if numeric and roll < 0.45:
        value = rng.choice(numeric) + D(rng.choice(NEAR))
        return value if rng.random() < 0.8 else value.quantize(D("0.000"))  # "1.500"
    if roll < 0.48:
        return D(rng.choice(WEIRD))
    if roll < 0.52 and spec.alt_units:  # a value typed in another unit, as the form converts it
        unit = rng.choice(list(spec.alt_units))
        return to_canonical(spec, D(str(round(rng.uniform(0.1, 5), 2))), unit)
    if roll < 0.525:
        return rng.choice([1.5, "1.5", True, 7])  # wrong types (an int is fine for a number)
    low = float(spec.minimum if spec.minimum is not None else -10)
    high = float(spec.maximum if spec.maximum is not None else 500)
    return D(str(round(rng.uniform(low, high), rng.choice([0, 1, 2, 3]))))


def _date(rng: random.Random, spec, around: date) -> object:
    roll = rng.random()
    if spec.never_allowed and roll < 0.25:
        return NEVER
    if roll < 0.3:
        return around
    if roll < 0.6:  # at and either side of the windows' day counts
        return around - timedelta(days=rng.choice([0, 1, -1, 6, 7, 8, 13, 14, 15, 27, 28, 29,
                                                   364, 365, 366]))  # fmt: skip
    if roll < 0.61:
        return rng.choice(["2026-01-01", "nope", NEVER, 20260101])  # wrong types
    return around - timedelta(days=rng.randint(-60, 40000))


def _value(rng: random.Random, spec, thresholds: set, around: date) -> object:
    if spec.data_type in ("number", "integer"):
        value = _number(rng, spec, thresholds)
        if spec.data_type == "integer" and isinstance(value, D):
            if value.is_finite() and value == value.to_integral_value() and rng.random() < 0.9:
                return int(value)
            return value if rng.random() < 0.1 else rng.randint(-2, 12)  # a Decimal: refused
        return value
    if spec.data_type == "boolean":
        return rng.choice([True, False, True, False, 1, D("1")] if rng.random() < 0.03 else
                          [True, False])  # fmt: skip
    if spec.data_type == "choice":
        return rng.choice([*spec.choices, "nope"] if rng.random() < 0.03 else list(spec.choices))
    return _date(rng, spec, around)


def _birth_dates(on: date) -> list[date]:
    """At, just before and just after the 18th, 65th and 71st birthdays; a leap-day birth."""
    found = []
    for years in (18, 65, 70, 71):
        birthday = on.replace(year=on.year - years) if (on.month, on.day) != (2, 29) else on
        found += [birthday, birthday + timedelta(days=1), birthday - timedelta(days=1)]
    return [*found, date(2008, 2, 29), date(1956, 2, 29)]


def _case(rng: random.Random, rules: RuleSet, base: dict, thresholds: dict) -> dict:
    entered = [k for k, s in rules.variables.items() if not s.derivation]
    values = dict(base)
    on = values.get("screening_date") or date(2026, 3, 1)
    for key in rng.sample(entered, rng.choice([1, 1, 2, 2, 3, 5, 8, len(entered)])):
        roll = rng.random()
        if roll < 0.15:
            values.pop(key, None)
        elif roll < 0.18:
            values[key] = None
        elif key == "date_of_birth" and roll < 0.5:
            values[key] = rng.choice(_birth_dates(on if isinstance(on, date) else date(2026, 3, 1)))
        else:
            values[key] = _value(rng, rules.variables[key], thresholds.get(key, set()), on)
    if rng.random() < 0.02:
        values["not_a_variable"] = 42
    if rng.random() < 0.03:  # a derived value given: never used
        values[rng.choice([k for k, s in rules.variables.items() if s.derivation])] = D("1")
    return values


def _derived_edges(base: dict) -> list[dict]:
    """Derived values at their thresholds and with each input missing."""
    start = base["screening_date"]
    cases = [
        {"bilirubin": D("40"), "bilirubin_uln": D("20")},  # exactly 2.0 × ULN
        {"bilirubin": D("39.99"), "bilirubin_uln": D("20")},
        {"bilirubin": D("40.01"), "bilirubin_uln": D("20")},
        {"bilirubin": D("30"), "bilirubin_uln": D("20")},  # exactly 1.5
        {"bilirubin": D("10"), "bilirubin_uln": D("0")},  # a zero divisor
        {"bilirubin": D("10"), "bilirubin_uln": D("1E-10")},  # a tiny one
        {"bilirubin": D("999999999999999999999"), "bilirubin_uln": D("0.5")},  # past 1E+21
        {"bilirubin": D("0E+25"), "bilirubin_uln": D("20")},
        {"bilirubin": D("-0"), "bilirubin_uln": D("20")},
        {"bilirubin": None, "bilirubin_uln": D("20")},
        {"bilirubin": D("10"), "bilirubin_uln": None},
        {"creatinine_clearance_measured": D("30")},
        {"creatinine_clearance_measured": D("30.004")},
        {"creatinine_clearance_measured": D("30.0000001")},
        {"creatinine_clearance_measured": D("29.996")},
        {"creatinine_clearance_measured": D("60")},
        {"creatinine_clearance_measured": D("-0")},
        {"creatinine_clearance_measured": None, "serum_creatinine": D("0")},
        {"creatinine_clearance_measured": None, "serum_creatinine": None},
        {"creatinine_clearance_measured": None, "weight_kg": None},
        {"creatinine_clearance_measured": None, "sex": None},
        {"creatinine_clearance_measured": None, "date_of_birth": None},
        {"creatinine_clearance_measured": None, "date_of_birth": None, "weight_kg": None},
        {"creatinine_clearance_measured": None, "screening_date": None},
        # Cockcroft-Gault at and near 30 and 60 mL/min (female factor 0.85 and not).
        {"creatinine_clearance_measured": None, "sex": "male", "weight_kg": D("60"),
         "serum_creatinine": D("221"), "date_of_birth": start.replace(year=start.year - 50)},
        {"creatinine_clearance_measured": None, "sex": "female", "weight_kg": D("72"),
         "serum_creatinine": D("88.4"), "date_of_birth": start.replace(year=start.year - 80)},
        {"creatinine_clearance_measured": None, "sex": "male", "weight_kg": D("-70"),
         "serum_creatinine": D("88.4"), "date_of_birth": start.replace(year=start.year - 140)},
        {"creatinine_clearance_measured": None, "sex": "male", "weight_kg": D("70"),
         "serum_creatinine": D("1E-20"), "date_of_birth": start.replace(year=start.year - 40)},
        {"creatinine_clearance_measured": None, "sex": "female", "weight_kg": D("80.5"),
         "serum_creatinine": D("1.3") * D("88.4"),  # 1.3 mg/dL as the form converts it
         "date_of_birth": start.replace(year=start.year - 66)},
    ]  # fmt: skip
    return [{**base, **case} for case in cases]


def encode(value: object) -> str:
    """A typed value as text that keeps its type and how it was written: "d:1.50", "t:..."."""
    if value is None:
        return "n:"
    if isinstance(value, bool):
        return f"b:{int(value)}"
    if isinstance(value, int):
        return f"i:{value}"
    if isinstance(value, float):
        return f"f:{value!r}"
    if isinstance(value, D):
        return f"d:{value}"
    if isinstance(value, date):
        return f"t:{value.isoformat()}"
    return f"s:{value}"


def _encode_values(values: dict, base: dict) -> dict:
    """The values as changes to `base` ("set" and "drop") or whole, whichever is shorter."""
    whole = {k: encode(v) for k, v in values.items()}
    base_codes = {k: encode(v) for k, v in base.items()}
    changes = {
        "set": {k: v for k, v in whole.items() if base_codes.get(k) != v},
        "drop": [k for k in base if k not in values],
    }
    if len(json.dumps(changes)) < len(json.dumps(whole)):
        return {"base": True, **changes}
    return {"base": False, "set": whole, "drop": []}


def _output(evaluate, rules: RuleSet, values: dict, reasons: list, index: dict) -> dict:
    def reason_id(text: str) -> int:
        if text not in index:
            index[text] = len(reasons)
            reasons.append(text)
        return index[text]

    try:
        evaluation = evaluate(rules, values)
    except ValueProblem as problem:
        return {"error": [problem.key, problem.message]}
    out = evaluation.to_dict()
    return {
        "outcome": out["outcome"],
        "missing": out["missing"],
        "derived": {
            k: [str(d.value), out["derived_how"][k], d.method]
            for k, d in evaluation.derived.items()
        },
        "statuses": "".join(STATUS_LETTERS[c["status"]] for c in out["criteria"]),
        "reasons": [reason_id(c["reason"]) for c in out["criteria"]],
        "needs": {str(i): list(r.needs) for i, r in enumerate(evaluation.results) if r.needs},
        "failed": [r.code for r in evaluation.failed()],
    }


STATUS_LETTERS = {"met": "M", "not_met": "N", "unknown": "U", "not_applicable": "A"}


def _heads(evaluate, rules: RuleSet) -> list:
    evaluation = evaluate(rules, {})
    return [
        [r.code, r.kind, r.label, list(r.variables), r.note, r.protocol_wording]
        for r in evaluation.results
    ]


def _shipped_base() -> dict:
    on = date(2026, 3, 2)
    return {
        "screening_date": on, "planned_start_date": on + timedelta(days=7),
        "informed_consent": True, "date_of_birth": date(1960, 5, 17), "sex": "female",
        "adenocarcinoma_confirmed": True, "liver_metastases_unsuitable_for_local_treatment": True,
        "measurable_liver_disease": True, "pet_ct_done": True, "extrahepatic_disease": "limited",
        "liver_involvement_percent": D("35"), "her2_status": "positive", "lvef_percent": D("60"),
        "ecog_performance_status": 1, "expected_survival_months": D("12"), "prior_taxane": True,
        "capecitabine_history": "none", "prior_oxaliplatin": False,
        "last_chemotherapy_date": on - timedelta(days=40), "last_investigational_treatment_date":
        NEVER, "in_other_trial": False, "fluoropyrimidine_serious_reaction": False,
        "hypersensitivity_to_study_drugs": False, "neutrophils": D("3.1"),
        "platelets": D("250"), "bilirubin": D("12"), "bilirubin_uln": D("25"),
        "weight_kg": D("68.5"), "serum_creatinine": D("71"), "inr": D("1.0"),
        "other_malignancy": "none", "peripheral_neuropathy_grade": 0, "cns_metastases": False,
        "cns_suspicion": True, "cns_imaging_date": on - timedelta(days=10),
        "severe_cardiac_disease": False, "last_ami_date": NEVER, "other_severe_condition": False,
        "condition_preventing_oral_therapy": False, "uncontrolled_infection": False,
        "pregnant_or_lactating": False, "childbearing_potential": True,
        "nonhormonal_contraception": True, "able_to_understand_and_comply": True,
        "dyspnoea_from_malignancy_or_oxygen_need": False,
    }  # fmt: skip


def _groups_base() -> dict:
    on = date(2026, 3, 2)
    return {
        "screening_date": on, "planned_start": on + timedelta(days=3),
        "date_of_birth": date(1970, 1, 1), "sex": "female", "consent": True, "arm": "a",
        "score": 4, "last_dose": NEVER, "creatinine_x_uln": D("0.8"), "clearance": D("70"),
        "weight_kg": D("70"), "serum_creatinine": D("80"), "bilirubin": D("10"),
        "bilirubin_uln": D("20"), "cea": D("5.00"),
    }  # fmt: skip


def _cases(rules: RuleSet, base: dict, count: int, rng: random.Random) -> list[dict]:
    thresholds = _thresholds(rules)
    cases = [{}, dict(base), *_derived_edges(base)]
    for key, spec in rules.variables.items():  # each threshold alone, the rest as the base
        for t in thresholds.get(key, ()):
            if isinstance(t, D) and not spec.derivation:
                for near in NEAR:
                    value = t + D(near)
                    cases.append({**base, key: int(value) if spec.data_type == "integer"
                                  and value == int(value) else value})  # fmt: skip
    while len(cases) < count:
        cases.append(_case(rng, rules, base if rng.random() < 0.85 else {}, thresholds))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluator", default="criteria.evaluator")
    parser.add_argument("--out", default=str(HERE / "evaluator_corpus.json"))
    parser.add_argument("--count", type=int, default=1500, help="cases per protocol")
    args = parser.parse_args()
    evaluate = importlib.import_module(args.evaluator).evaluate
    shipped_path = ROOT / "criteria" / "protocols" / "NCT01387295.json"
    shipped = protocol_from_dict(json.loads(shipped_path.read_text(encoding="utf-8")))[1]
    groups = rules_from_dict(GROUPS)
    rng = random.Random(SEED)
    reasons: list[str] = []
    index: dict[str, int] = {}
    corpus = {"reasons": reasons, "protocols": {}}
    for rules, base in ((shipped, _shipped_base()), (groups, _groups_base())):
        cases = _cases(rules, base, args.count, rng)
        corpus["protocols"][rules.trial] = {
            "rules": rules_to_dict(rules),
            "base": {k: encode(v) for k, v in base.items()},
            "heads": _heads(evaluate, rules),
            "cases": [
                {**_encode_values(values, base), **_output(evaluate, rules, values, reasons, index)}
                for values in cases
            ],
        }  # fmt: skip
    text = json.dumps(corpus, ensure_ascii=False, separators=(",", ":"))
    Path(args.out).write_text(text.replace('},{"base"', '},\n{"base"') + "\n", "utf-8")


if __name__ == "__main__":
    main()
