"""Derivations: values computed from others, each an instance of a kind of calculation.

A protocol file declares a derived variable's kind and names its inputs
(`criteria.protocol.shape.DERIVATION_KINDS`): a lab as a multiple of its upper limit of
normal, age in completed years, days between two dates, creatinine clearance (measured, else
Cockcroft-Gault). `DERIVATIONS` maps each kind to its function, which takes the derived
variable, the working mapping of typed canonical values (entered values plus the derived
values computed so far) and the trial's variables, and returns `Derived(value, how)` or None
when an input is missing. No function reads a fixed key.

Decimal arithmetic runs in one fixed context (28 digits, half-even) so a caller's thread-local
context cannot change an outcome; so does the rounding of values for reasons and `how` texts,
so that it cannot change those or make them raise either. Derived values are compared
unrounded; they are rounded to the variable's display places only for people, because
rounding first could turn 30.004 mL/min into 30.00 and so flip "> 30". A ratio of inputs with
a few significant digits lies much further than 28 digits from any threshold unless it equals
it, so the division cannot flip one either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal

from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from criteria.protocol.shape import (
    DEFAULT_DERIVED_PLACES,
    DERIVATION_KINDS,
    Derivation,
    Variables,
    VariableSpec,
)
from criteria.typed_numbers import shown_number

CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN)
_UMOL_PER_MG_DL_CREATININE = Decimal("88.4")
_FEMALE_FACTOR = Decimal("0.85")


@dataclass(frozen=True)
class Derived:
    """A derived value and how it was obtained.

    `how` is the full working for the result page ("Cockcroft-Gault: (140 − 61) × ..."),
    worded when it is read (`_worded`), `method` the short tag a criterion's reason puts
    after the value ("Cockcroft-Gault"), `shown` the value rounded for people (the evaluator
    sets it; `value` stays exact, and so does `shown`: a decimal point, for records and JSON).
    """

    value: object
    how: str
    method: str = ""
    shown: str = ""  # the value as people read it: rounded to the variable's display places


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


def display(value: Decimal, places: int = DEFAULT_DERIVED_PLACES) -> str:
    """A Decimal as shown to people: `places` places, half-even, in CONTEXT whatever the
    caller's context (a precision of 3 made 72.1396 raise InvalidOperation)."""
    return str(value.quantize(Decimal(1).scaleb(-places), context=CONTEXT))


def shown(value: object, places: int | None) -> str:
    """A value as people read it: a Decimal rounded to `places` (None: as it is)."""
    if isinstance(value, Decimal) and places is not None:
        return display(value, places)
    return str(value)


def _worded(build: Callable[[], str]) -> str:
    """`build`'s text, made each time it is read rather than now: a working is read on a
    Danish page in Danish (dates 05-12-2026, numbers 1,4), and recorded in a decision in
    English with ISO dates and decimal points, whatever language the evaluation ran in."""
    return lazy(build, str)()


def _amount(value: object) -> str:
    """A number as the reader's language writes it (1,4 in Danish)."""
    return shown_number(str(value))


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


def _inputs(spec: VariableSpec, values: Mapping[str, object]) -> dict[str, object]:
    """The values of a derivation's inputs by role (a choice value, such as "female", as is)."""
    derivation = spec.derivation
    assert derivation is not None  # only derived variables are worked out
    literal = {put.role for put in DERIVATION_KINDS[derivation.kind].inputs if put.choice_of}
    return {
        role: name if role in literal else values.get(name)
        for role, name in derivation.inputs.items()
    }


def _number(value: object) -> Decimal | int | None:
    return value if isinstance(value, (Decimal, int)) and not isinstance(value, bool) else None


def _dates(spec: VariableSpec, values: Mapping[str, object], *roles: str) -> list[date] | None:
    given = _inputs(spec, values)
    found = [given[role] for role in roles]
    return found if all(isinstance(day, date) for day in found) else None  # type: ignore[return-value]


def age_years(spec: VariableSpec, values: Mapping[str, object], variables: Variables):
    """Completed years from `birth_date` to `on`."""
    dates = _dates(spec, values, "birth_date", "on")
    if dates is None:
        return None
    years = completed_years(*dates)
    how = _worded(
        lambda: (
            _("%(years)s completed years on %(on)s, born %(born)s")
            % {"years": years, "on": _day(dates[1]), "born": _day(dates[0])}
        )
    )
    return Derived(years, how)


def days_from_to(spec: VariableSpec, values: Mapping[str, object], variables: Variables):
    """Whole days from `start` to `end` (negative when `end` is earlier)."""
    dates = _dates(spec, values, "start", "end")
    if dates is None:
        return None
    days = days_between(*dates)
    how = _worded(
        lambda: (
            _("%(days)s days from %(start)s to %(end)s")
            % {"days": days, "start": _day(dates[0]), "end": _day(dates[1])}
        )
    )
    return Derived(days, how)


def _day(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


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


def creatinine_clearance(spec: VariableSpec, values: Mapping[str, object], variables: Variables):
    """Measured clearance when entered, else Cockcroft-Gault from age, sex, weight, creatinine."""
    given = _inputs(spec, values)
    measured = _number(given.get("measured"))
    if measured is not None:
        how = _worded(lambda: _("measured: %(value)s mL/min") % {"value": _amount(measured)})
        return Derived(measured, how, "measured")
    age, sex = _number(given["age"]), given["sex"]
    weight, creatinine = _number(given["weight"]), _number(given["creatinine"])
    if age is None or sex is None or weight is None or not creatinine:
        return None
    female = sex == given["female"]
    result = cockcroft_gault(age, female, weight, creatinine)  # type: ignore[arg-type]
    how = _worded(
        lambda: _cockcroft_gault_how(age, female, weight, creatinine, result, spec.places)
    )
    return Derived(result, how, "Cockcroft-Gault")


def _cockcroft_gault_how(age, female: bool, weight, creatinine, result: Decimal, places) -> str:
    mg_dl = CONTEXT.divide(creatinine, _UMOL_PER_MG_DL_CREATININE)
    sex_part = f" × {_amount(_FEMALE_FACTOR)}" if female else ""
    return (
        f"Cockcroft-Gault: (140 − {age}) × {_amount(weight)} kg{sex_part}"
        f" / (72 × {_amount(display(mg_dl))} mg/dL"
        f" [{_amount(creatinine)} µmol/L ÷ {_amount(_UMOL_PER_MG_DL_CREATININE)}])"
        f" = {_amount(shown(result, places))} mL/min"
    )


def times_uln(spec: VariableSpec, values: Mapping[str, object], variables: Variables):
    """A lab value as a multiple of its upper limit of normal (both in the same unit)."""
    given = _inputs(spec, values)
    value, uln = _number(given["value"]), _number(given["uln"])
    if value is None or not uln:
        return None
    ratio = CONTEXT.divide(value, uln)
    unit = variables[spec.derivation.inputs["value"]].unit  # type: ignore[union-attr]
    how = _worded(lambda: _times_uln_how(value, uln, unit, shown(ratio, spec.places)))
    return Derived(ratio, how)


def _times_uln_how(value, uln, unit: str, ratio: str) -> str:
    after = f" {unit}" if unit else ""
    return _("%(value)s ÷ %(limit)s ULN = %(ratio)s × ULN") % {
        "value": f"{_amount(value)}{after}",
        "limit": f"{_amount(uln)}{after}",
        "ratio": _amount(ratio),
    }


Derive = Callable[[VariableSpec, Mapping[str, object], Variables], "Derived | None"]
DERIVATIONS: dict[str, Derive] = {
    "times_uln": times_uln,
    "age_years": age_years,
    "days_between": days_from_to,
    "creatinine_clearance": creatinine_clearance,
}


def derive(spec: VariableSpec, values: Mapping[str, object], variables: Variables):
    """The derived variable `spec` worked out from `values`, or None while an input is missing."""
    return DERIVATIONS[spec.derivation.kind](spec, values, variables)  # type: ignore[union-attr]


def entered_inputs(key: str, variables: Mapping[str, VariableSpec]) -> tuple[str, ...]:
    """The entered variables a variable needs: itself, or a derivation's, through derived ones.
    An optional input that short-cuts the derivation (a measured clearance) is not listed: the
    nurse is asked for what is always enough."""
    spec = variables.get(key)
    if spec is None or spec.derivation is None:
        return (key,)
    found: dict[str, None] = {}
    for needed in spec.derivation.reads(optional=False):
        found.update(dict.fromkeys(entered_inputs(needed, variables)))
    return tuple(found)


def derivation_order(variables: Mapping[str, VariableSpec]) -> list[str]:
    """The derived variables' keys, each after the derived variables it reads (the loader
    refuses derivations that read each other in a circle)."""
    derived: dict[str, Derivation] = {
        k: s.derivation for k, s in variables.items() if s.derivation is not None
    }
    done: list[str] = []

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in done or key in trail:
            return
        for needed in derived[key].reads():
            if needed in derived:
                visit(needed, (*trail, key))
        done.append(key)

    for key in derived:
        visit(key, ())
    return done
