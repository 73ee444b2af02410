"""The reasons a nurse reads next to each criterion, built from labels, values and units.

"Neutrophils 1.2 × 10⁹/L — needs > 1.5", "Previous oxaliplatin: no — excluded when yes",
"HER2 status is negative — applies only when HER2 status is positive".

Every function here reads only the values a criterion reads (plus, for a derived variable,
its method tag or the inputs it still lacks, kept under `key + METHOD_SUFFIX`), so a reason
is a pure function of those values and may be cached and written later.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from criteria.derivations import CONTEXT, days_between, display
from criteria.nodes import COMPARATORS, GroupNode, Node, WindowNode
from criteria.plan import METHOD_SUFFIX, CompiledCriterion
from criteria.results import NOT_APPLICABLE, UNKNOWN
from criteria.schema import NEVER, Condition, VariableSpec
from criteria.values import unit_display

SYMBOLS = {"lt": "<", "lte": "≤", "gt": ">", "gte": "≥", "eq": "=", "ne": "≠"}
_PRECISE = Decimal("0.000001")

Values = Mapping[str, object]
Variables = Mapping[str, VariableSpec]


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


def _derived_amount(value: Decimal, cond: Condition | None) -> str:
    # 2 places, unless that rounding would seem to contradict the decision (30.004 shown as
    # "30.00" next to "needs > 30"); then as many places as it takes. Rounded in CONTEXT, as
    # display() is: the caller's context must not change the text (comparisons are exact).
    shown = display(value)
    if Decimal(shown) == value:
        return plain(value)
    if cond is not None and cond.operator in SYMBOLS:
        compare = COMPARATORS[cond.operator]
        if compare(Decimal(shown), cond.value) != compare(value, cond.value):
            precise = value.quantize(_PRECISE, context=CONTEXT)
            same = compare(precise, cond.value) == compare(value, cond.value)
            shown = str(precise) if same else format(value, "f")
    return shown


def value_phrase(
    spec: VariableSpec, value: object, method: str | None = None, cond: Condition | None = None
) -> str:
    """A variable and its value: "Neutrophils 1.2 × 10⁹/L", "Informed consent: yes".

    `method` is given for derived values ("Cockcroft-Gault"; "" when there is no tag).
    """
    if spec.data_type == "boolean":
        return f"{spec.label}: {'yes' if value else 'no'}"
    if spec.data_type == "choice":
        return f"{spec.label} is {_choice(value)}"
    if value == NEVER:
        return f"{spec.label}: never"
    if isinstance(value, Decimal):
        amount = plain(value) if method is None else _derived_amount(value, cond)
    else:
        amount = str(value)
    text = f"{spec.label} {amount}{unit_display(spec.unit)}"
    return f"{text} ({method})" if method else text


def _days(n: int) -> str:
    return "1 day" if abs(n) == 1 else f"{abs(n)} days"


def _window_phrase(node: WindowNode, values: Values, variables: Variables) -> str:
    first, ref = variables[node.key], variables[node.other]
    a, b = values[node.key], values[node.other]
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


def _condition_reason(node: Node, kind: str, values: Values, variables: Variables) -> str:
    cond: Condition = node.cond  # type: ignore[union-attr]
    value = values[cond.variable]
    if isinstance(node, WindowNode):
        if value == NEVER:
            return value_phrase(variables[cond.variable], value)
        subject = _window_phrase(node, values, variables)
        asks = f"less than {cond.value} days" if node.within else f"{cond.value} days or more"
    else:
        method = values.get(cond.variable + METHOD_SUFFIX)
        subject = value_phrase(variables[cond.variable], value, method, cond)  # type: ignore[arg-type]
        asks = condition_text(cond, variables)
    return f"{subject} — {'needs' if kind == 'inclusion' else 'excluded when'} {asks}"


def decided_reason(node: Node, kind: str, values: Values, variables: Variables) -> str:
    """The reason for a decided expression: each deciding part's value against its rule."""
    if not isinstance(node, GroupNode):
        return _condition_reason(node, kind, values, variables)
    outcome = node.test(values)
    decisive = [p for p in node.parts if p.test(values) is outcome]
    return "; ".join(decided_reason(p, kind, values, variables) for p in decisive)


def unknown_reason(keys: tuple[str, ...], values: Values, variables: Variables) -> str:
    """Why an expression is undecided: variables not entered, or not derivable yet."""
    parts = []
    for key in dict.fromkeys(keys):
        spec = variables[key]
        if not spec.derivation:
            parts.append(f"{spec.label} not entered yet")
            continue
        # Beside a derived value that could not be worked out: the inputs still missing.
        lacking = values.get(key + METHOD_SUFFIX) or ()
        absent = [mid_sentence(variables[k].label) for k in lacking]  # type: ignore[union-attr]
        if absent:
            parts.append(f"{spec.label} cannot be worked out yet — needs {', '.join(absent)}")
        else:
            parts.append(f"{spec.label} cannot be worked out from the values given")
    return "; ".join(parts)


def not_applicable_reason(compiled: CompiledCriterion, values: Values, variables: Variables) -> str:
    """ "HER2 status is negative — applies only when HER2 status is positive"."""
    node = next(n for n in compiled.applies if n.test(values) is False)
    cond = node.cond
    shown = value_phrase(variables[cond.variable], values[cond.variable])
    return f"{shown} — applies only when {applies_phrase(cond, variables)}"


def first_needed_reason(keys: tuple[str, ...], variables: Variables) -> str:
    """ "needs HER2 status first" — an applies_if variable is missing."""
    labels = " and ".join(variables[k].label for k in dict.fromkeys(keys))
    return f"needs {labels} first"


def reason_for(
    compiled: CompiledCriterion, state: tuple, values: Values, variables: Variables
) -> str:
    """The reason for a criterion's `state` as the evaluator works it out: (status, the keys
    it still needs, whether applies_if is what is undecided)."""
    status, keys, in_applies = state
    if status == NOT_APPLICABLE:
        return not_applicable_reason(compiled, values, variables)
    if status == UNKNOWN and in_applies:
        return first_needed_reason(keys, variables)
    if status == UNKNOWN:
        return unknown_reason(keys, values, variables)
    return decided_reason(compiled.node, compiled.rule.kind, values, variables)
