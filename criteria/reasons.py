"""The reasons a nurse reads next to each criterion, built from labels, values and units.

"Neutrophils 1.2 × 10⁹/L — needs > 1.5", "Previous oxaliplatin: no — excluded when yes",
"HER2 status is negative — applies only when HER2 status is positive".

A reason reads only the values its criterion reads (and, for a derived variable, its method
tag or the inputs it still lacks), never how a number happened to be written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from criteria.derivations import CONTEXT, Working, days_between, display
from criteria.protocol import NEVER, Condition, VariableSpec
from criteria.values import unit_display

SYMBOLS = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "eq": "=", "ne": "≠"}
_PRECISE = Decimal("0.000001")

Values = Mapping[str, object]
Variables = Mapping[str, VariableSpec]
# Whether a condition holds for a value: the evaluator's comparison, passed in.
Compare = Callable[[Condition, object], bool]


def mid_sentence(label: str) -> str:
    """ "Planned start" -> "planned start"; acronyms ("HER2 status", "CNS imaging") stay."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def plain(value: Decimal) -> str:
    """A Decimal by its numeric value only: "1.50" and "1.5" both read "1.5", "1E+2" "100".

    Reasons depend only on values, never on how a number happened to be written, so equal
    inputs always give equal reasons.
    """
    return format(value.normalize(CONTEXT), "f")


def _choice(value: object) -> str:
    return str(value).replace("_", " ")


def _rounded_amount(
    value: Decimal, places: int, cond: Condition | None, compare: Compare | None
) -> str:
    # `places` places, unless that rounding would seem to contradict the decision (30.004
    # shown as "30.00" next to "needs > 30"); then as many places as it takes. Rounded in
    # CONTEXT, as display() is: the caller's context must not change the text (comparisons
    # are exact).
    shown = display(value, places)
    if Decimal(shown) == value:
        return plain(value)
    if cond is None or compare is None or cond.operator not in SYMBOLS:
        return shown
    if compare(cond, Decimal(shown)) == compare(cond, value):
        return shown
    precise = value.quantize(_PRECISE, context=CONTEXT)
    return str(precise) if compare(cond, precise) == compare(cond, value) else format(value, "f")


def value_phrase(
    spec: VariableSpec,
    value: object,
    method: str | None = None,
    cond: Condition | None = None,
    compare: Compare | None = None,
) -> str:
    """A variable and its value: "Neutrophils 1.2 × 10⁹/L", "Informed consent: yes".

    `method` is given for derived values ("Cockcroft-Gault"; "" when there is no tag). A
    number is shown with the variable's places (`VariableSpec.places`: derived ones 2 unless
    the file says otherwise, entered ones as entered); with `cond` and `compare`, with enough
    places not to seem to contradict the decision on `cond`.
    """
    if spec.data_type == "boolean":
        return f"{spec.label}: {'yes' if value else 'no'}"
    if spec.data_type == "choice":
        return f"{spec.label} is {_choice(value)}"
    if value == NEVER:
        return f"{spec.label}: never"
    if isinstance(value, Decimal):
        places = spec.places
        amount = plain(value) if places is None else _rounded_amount(value, places, cond, compare)
    else:
        amount = str(value)
    text = f"{spec.label} {amount}{unit_display(spec.unit)}"
    return f"{text} ({method})" if method else text


def _days(n: int) -> str:
    return "1 day" if abs(n) == 1 else f"{abs(n)} days"


def _window_phrase(cond: Condition, values: Values, variables: Variables) -> str:
    first, ref = variables[cond.variable], variables[cond.other]
    a, b = values[cond.variable], values[cond.other]
    gap = days_between(a, b)  # type: ignore[arg-type]
    if gap == 0:
        where = f"is on the same day as {mid_sentence(ref.label)}"
    else:
        where = f"is {_days(gap)} {'before' if gap > 0 else 'after'} {mid_sentence(ref.label)}"
    return f"{first.label} {a} {where} {b}"


def condition_text(cond: Condition, variables: Variables) -> str:
    """What a condition asks for: "> 1.5", "yes", "none or limited", "positive"."""
    op, value = cond.operator, cond.value
    if op in ("is_true", "is_false"):
        return "yes" if op == "is_true" else "no"
    if op in ("in", "not_in"):
        items = " or ".join(_choice(v) for v in value)  # type: ignore[attr-defined]
        return items if op == "in" else f"not {items}"
    if variables[cond.variable].data_type == "choice":
        return _choice(value) if op == "eq" else f"not {_choice(value)}"
    if op == "within_days_before":
        return f"less than {value} days before {mid_sentence(variables[cond.other].label)}"
    if op == "not_within_days_before":
        return f"{value} days or more before {mid_sentence(variables[cond.other].label)}"
    return f"{SYMBOLS[op]} {value}"


def applies_phrase(cond: Condition, variables: Variables) -> str:
    """ "HER2 status is positive" — the state an applies_if condition describes."""
    label = mid_sentence(variables[cond.variable].label)
    return f"{label} is {condition_text(cond, variables)}"


def condition_reason(
    cond: Condition, kind: str, working: Working, variables: Variables, compare: Compare
) -> str:
    """A decided comparison: "Neutrophils 1.2 × 10⁹/L — needs > 1.5"."""
    value = working.values[cond.variable]
    if cond.other:
        if value == NEVER:
            return value_phrase(variables[cond.variable], value)
        subject = _window_phrase(cond, working.values, variables)
        within = cond.operator == "within_days_before"
        asks = f"less than {cond.value} days" if within else f"{cond.value} days or more"
    else:
        method = working.method(cond.variable)
        subject = value_phrase(variables[cond.variable], value, method, cond, compare)
        asks = condition_text(cond, variables)
    return f"{subject} — {'needs' if kind == 'inclusion' else 'excluded when'} {asks}"


def decided_reason(
    conds: list[Condition], kind: str, working: Working, variables: Variables, compare: Compare
) -> str:
    """The reason for a decided expression: each deciding comparison's value against its rule."""
    return "; ".join(condition_reason(c, kind, working, variables, compare) for c in conds)


def unknown_reason(keys: tuple[str, ...], working: Working, variables: Variables) -> str:
    """Why an expression is undecided: variables not entered, or not derivable yet."""
    parts = []
    for key in dict.fromkeys(keys):
        spec = variables[key]
        if not spec.derivation:
            parts.append(f"{spec.label} not entered yet")
            continue
        # Beside a derived value that could not be worked out: the inputs still missing.
        absent = [mid_sentence(variables[k].label) for k in working.lacking.get(key, ())]
        if absent:
            parts.append(f"{spec.label} cannot be worked out yet — needs {', '.join(absent)}")
        else:
            parts.append(f"{spec.label} cannot be worked out from the values given")
    return "; ".join(parts)


def not_applicable_reason(cond: Condition, values: Values, variables: Variables) -> str:
    """ "HER2 status is negative — applies only when HER2 status is positive": `cond` is the
    applies_if condition that is false."""
    shown = value_phrase(variables[cond.variable], values[cond.variable])
    return f"{shown} — applies only when {applies_phrase(cond, variables)}"


def first_needed_reason(keys: tuple[str, ...], variables: Variables) -> str:
    """ "needs HER2 status first" — an applies_if variable is missing."""
    labels = " and ".join(variables[k].label for k in dict.fromkeys(keys))
    return f"needs {labels} first"
