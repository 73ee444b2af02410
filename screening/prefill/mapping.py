"""What a Patient and Observations from the hospital record propose for the screening form.

A `Proposal` is one variable's proposed value in the JSON form of criteria.values (canonical
units) with where it came from, or, when the record holds something unusable (no value, a
unit that cannot be converted, an implausible number), the reason it is not used. Pure: no
ORM, no network; the look-up hands in validated fhir.resources models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.utils import timezone

from criteria.exceptions import ValueProblem
from criteria.protocol import VariableSpec
from criteria.values import check_range, format_amount, to_canonical, value_to_json

UCUM = "http://unitsofmeasure.org"
# UCUM codes -> the protocol file's spelling of the same unit. A code not here is tried as
# written (criteria.values reads "umol/L", "mg/dl" ...); one it cannot convert is not used.
UCUM_UNITS = {"10*9/L": "10⁹/L", "umol/L": "µmol/L", "{INR}": "", "1": "", "[iU]": ""}
PATIENT_SEX = {"female": "female", "male": "male"}


@dataclass(frozen=True)
class Proposal:
    """One variable's value as the hospital record has it."""

    key: str
    label: str
    value: object = None  # JSON form, canonical unit; None when not usable
    shown: str = ""  # as the nurse reads it: "1.9 × 10⁹/L"
    recorded: str = ""  # as the record has it: "1.9 mg/dL"
    effective: str = ""  # ISO date or date-time of the result
    resource: str = ""  # "Observation/obs-123"
    performer: str = ""  # the laboratory, when the record names it
    code: str = ""  # "urn:oid:1.2.208.176.2.1|NPU02902"
    problem: str = ""  # why the value is not used

    @property
    def usable(self) -> bool:
        return not self.problem and self.value is not None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Proposal:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def proposal_from_observation(spec: VariableSpec, observation, code: str) -> Proposal:
    """The variable's value from one Observation (validated by fhir.resources)."""
    base = Proposal(
        key=spec.key,
        label=spec.label,
        effective=effective_text(observation),
        resource=f"Observation/{observation.id}",
        performer=_performer(observation),
        code=code,
    )
    quantity = observation.valueQuantity
    if quantity is None or quantity.value is None:
        return _unusable(base, "the result has no numeric value")
    unit = _unit(quantity)
    recorded = f"{quantity.value} {quantity.unit or quantity.code or ''}".strip()
    try:
        canonical = to_canonical(spec, Decimal(quantity.value), unit)
    except ValueProblem:
        return _unusable(base, f'unit "{unit}" cannot be converted to {spec.unit}', recorded)
    canonical = _integral_or_decimal(spec, canonical)
    problem = check_range(spec, canonical)
    if problem:
        return _unusable(base, problem, recorded)
    shown = format_amount(spec, canonical)
    return _with(base, value=value_to_json(spec, canonical), shown=shown, recorded=recorded)


def proposals_from_patient(variables: dict, patient, resource: str) -> list[Proposal]:
    """Date of birth and sex from the Patient, for the variables the trial has of them."""
    proposals = []
    birth = variables.get("date_of_birth")
    if birth is not None and isinstance(patient.birthDate, dt.date):
        day = patient.birthDate
        proposals.append(
            Proposal(
                birth.key,
                birth.label,
                day.isoformat(),
                f"{day:%d-%m-%Y}",
                day.isoformat(),
                resource=resource,
            )  # fmt: skip
        )
    sex = variables.get("sex")
    if sex is not None and PATIENT_SEX.get(patient.gender) in sex.choices:
        value = PATIENT_SEX[patient.gender]
        shown = Proposal(sex.key, sex.label, value, value, patient.gender, resource=resource)
        proposals.append(shown)
    return proposals


def effective_date(effective: str) -> dt.date | None:
    """The local day of an ISO date or date-time ("" -> None)."""
    if not effective:
        return None
    if len(effective) == 10:
        return dt.date.fromisoformat(effective)
    moment = dt.datetime.fromisoformat(effective)
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def effective_text(observation) -> str:
    moment = observation.effectiveDateTime or observation.effectiveInstant
    if moment is None and observation.effectivePeriod is not None:
        moment = observation.effectivePeriod.start
    return moment.isoformat() if moment is not None else ""


def _performer(observation) -> str:
    names = [ref.display or ref.reference or "" for ref in observation.performer or ()]
    return ", ".join(name for name in names if name)


def _unit(quantity) -> str:
    if quantity.system == UCUM and quantity.code in UCUM_UNITS:
        return UCUM_UNITS[quantity.code]
    return quantity.code or quantity.unit or ""


def _integral_or_decimal(spec: VariableSpec, value: Decimal):
    return int(value) if spec.data_type == "integer" and value == value.to_integral() else value


def _unusable(base: Proposal, problem: str, recorded: str = "") -> Proposal:
    return _with(base, problem=problem, recorded=recorded)


def _with(base: Proposal, **changes) -> Proposal:
    return Proposal(**{**base.to_dict(), **changes})
