"""Named derivations: values computed from entered ones (age, creatinine clearance, × ULN).

Each takes the working mapping of typed canonical values (entered values plus the derived
values computed so far) and returns `Derived(value, how)` or None when an input is missing.
The functions read fixed variable keys (`date_of_birth`, `weight_kg`, ...): a trial that uses a
derivation must name its variables so; `DERIVATION_INPUTS` lists them for validation and for
telling the nurse what to fill in.

Decimal arithmetic runs in one fixed context (28 digits, half-even) so a caller's thread-local
context cannot change an outcome; so does the rounding of values for reasons and `how` texts,
so that it cannot change those or make them raise either. Derived values are compared
unrounded; they are quantized to 2 places only for the `how` text, because rounding first
could turn 30.004 mL/min into 30.00 and so flip "> 30". A ratio of inputs with a few
significant digits lies much further than 28 digits from any threshold unless it equals it,
so the division cannot flip one either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the protocol's checks read the derivations: no import at run time
    from criteria.protocol import VariableSpec

CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
_CENTS = Decimal("0.01")
_UMOL_PER_MG_DL_CREATININE = Decimal("88.4")
_FEMALE_FACTOR = Decimal("0.85")


@dataclass(frozen=True)
class Derived:
    """A derived value and how it was obtained.

    `how` is the full working for the result page ("Cockcroft-Gault: (140 − 61) × ..."),
    `method` the short tag a criterion's reason puts after the value ("Cockcroft-Gault").
    """

    value: object
    how: str
    method: str = ""


@dataclass(frozen=True)
class Working:
    """One evaluation's values: the entered ones, checked, and those derived from them."""

    values: Mapping[str, object]  # every variable's key; None when not known
    derived: Mapping[str, Derived]  # the derived values worked out
    lacking: Mapping[str, tuple[str, ...]]  # derived keys not worked out -> inputs missing

    def method(self, key: str) -> str | None:
        """A derived value's method tag ("" when it has none); None for an entered one."""
        found = self.derived.get(key)
        return None if found is None else found.method


def days_between(a: date, b: date) -> int:
    """Whole days from `a` to `b`: positive when `a` is before `b`."""
    return (b - a).days


def display(value: Decimal) -> str:
    """A derived Decimal as shown to people: 2 places, half-even, in CONTEXT whatever the
    caller's context (a precision of 3 made 72.1396 raise InvalidOperation)."""
    return str(value.quantize(_CENTS, context=CONTEXT))


def _date(values: Mapping[str, object], key: str) -> date | None:
    value = values.get(key)
    return value if isinstance(value, date) else None


def completed_years(born: date, on: date) -> int:
    """Age in completed years on `on`.

    Someone born on 29 February completes a year on 1 March in common years: the later of
    the two readings, so a leap-day birthday never makes anyone eligible a day early.
    """
    before_birthday = (on.month, on.day) < (born.month, born.day)
    return on.year - born.year - before_birthday


def age_years(values: Mapping[str, object]) -> Derived | None:
    """Completed years of `date_of_birth` at `screening_date`."""
    born, on = _date(values, "date_of_birth"), _date(values, "screening_date")
    if born is None or on is None:
        return None
    years = completed_years(born, on)
    return Derived(years, f"{years} completed years on {on}, born {born}")


def cockcroft_gault(
    age: int, female: bool, weight_kg: Decimal, creatinine_umol: Decimal
) -> Decimal:
    """Clearance in mL/min: (140 − age) × weight × (0.85 if female) / (72 × creatinine mg/dL).

    Creatinine mg/dL = µmol/L ÷ 88.4; folding that into one division at the end keeps the
    result exact until the last step.
    """
    top = CONTEXT.multiply(Decimal(140 - age), weight_kg)
    if female:
        top = CONTEXT.multiply(top, _FEMALE_FACTOR)
    top = CONTEXT.multiply(top, _UMOL_PER_MG_DL_CREATININE)
    return CONTEXT.divide(top, CONTEXT.multiply(Decimal(72), creatinine_umol))


def creatinine_clearance(values: Mapping[str, object]) -> Derived | None:
    """Measured clearance when entered, else Cockcroft-Gault from age, sex, weight, creatinine."""
    measured = values.get("creatinine_clearance_measured")
    if measured is not None:
        return Derived(measured, f"measured: {measured} mL/min", "measured")
    age, sex = values.get("age_years"), values.get("sex")
    weight, creatinine = values.get("weight_kg"), values.get("serum_creatinine")
    if age is None or sex not in ("female", "male") or weight is None or not creatinine:
        return None
    female = sex == "female"
    result = cockcroft_gault(age, female, weight, creatinine)  # type: ignore[arg-type]
    return Derived(
        result,
        _cockcroft_gault_how(age, female, weight, creatinine, result),
        "Cockcroft-Gault",
    )


def _cockcroft_gault_how(age, female: bool, weight, creatinine, result: Decimal) -> str:
    mg_dl = CONTEXT.divide(creatinine, _UMOL_PER_MG_DL_CREATININE)
    sex_part = " × 0.85" if female else ""
    return (
        f"Cockcroft-Gault: (140 − {age}) × {weight} kg{sex_part} / (72 × {display(mg_dl)} mg/dL"
        f" [{creatinine} µmol/L ÷ 88.4]) = {display(result)} mL/min"
    )


def bilirubin_x_uln(values: Mapping[str, object]) -> Derived | None:
    """Bilirubin as a multiple of the lab's upper normal limit (both µmol/L)."""
    bilirubin, uln = values.get("bilirubin"), values.get("bilirubin_uln")
    if bilirubin is None or not uln:
        return None
    ratio = CONTEXT.divide(bilirubin, uln)  # type: ignore[arg-type]
    return Derived(ratio, f"{bilirubin} µmol/L ÷ {uln} µmol/L ULN = {display(ratio)} × ULN")


DERIVATIONS: dict[str, Callable[[Mapping[str, object]], Derived | None]] = {
    "age_years": age_years,
    "creatinine_clearance": creatinine_clearance,
    "bilirubin_x_uln": bilirubin_x_uln,
}

# The variables each derivation needs. An optional input that short-cuts the derivation
# (creatinine_clearance_measured) is not listed: the nurse is asked for what is always enough.
DERIVATION_INPUTS: dict[str, tuple[str, ...]] = {
    "age_years": ("date_of_birth", "screening_date"),
    "creatinine_clearance": ("age_years", "sex", "weight_kg", "serum_creatinine"),
    "bilirubin_x_uln": ("bilirubin", "bilirubin_uln"),
}


def entered_inputs(key: str, variables: Mapping[str, VariableSpec]) -> tuple[str, ...]:
    """The entered variables a variable needs: itself, or a derivation's, through derived ones."""
    spec = variables.get(key)
    if spec is None or not spec.derivation:
        return (key,)
    found: dict[str, None] = {}
    for needed in DERIVATION_INPUTS.get(spec.derivation, ()):
        found.update(dict.fromkeys(entered_inputs(needed, variables)))
    return tuple(found)


def derivation_order(variables: Mapping[str, VariableSpec]) -> list[str]:
    """The derived variables' keys, each after the derived variables it reads."""
    derived = {k: s.derivation for k, s in variables.items() if s.derivation}
    done: list[str] = []

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in done or key in trail:
            return
        for needed in DERIVATION_INPUTS.get(derived[key], ()):
            if needed in derived:
                visit(needed, (*trail, key))
        done.append(key)

    for key in derived:
        visit(key, ())
    return done
