"""One look-up in the hospital record: the identifier in, proposals out, nothing saved.

The identifier is passed to the FHIR search and dropped: it is not returned, logged or kept
in any proposal (a resource id that happens to contain it is shown with it cut out). The
access log records that the look-up was made, by whom, for which screening number, before
the hospital record is asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone

from criteria.protocol import RuleSet, VariableSpec
from screening.exceptions import PrefillFailed
from screening.models import Screening
from screening.prefill.client import HospitalRecord, Server
from screening.prefill.freshness import reference_day
from screening.prefill.mapping import (
    Proposal,
    effective_date,
    effective_text,
    proposal_from_observation,
    proposals_from_patient,
)
from trialsite.access_log import candidate_access_record

NO_PATIENT = "No patient in the hospital record has this identifier. Nothing was fetched."
SEVERAL = (
    "Several patients in the hospital record have this identifier, so TrialSite cannot tell "
    "which one is meant. Nothing was fetched: type the values by hand and tell IT support."
)


@dataclass(frozen=True)
class Lookup:
    """What a look-up found: proposals for the variables, the day counted back from."""

    server_url: str
    reference: dt.date
    proposals: tuple[Proposal, ...]


def record_lookup(
    *, screening: Screening, rule_set: RuleSet, identifier: str, user, path: str, server: Server
) -> Lookup:
    """Find the one Patient with `identifier` and propose values for the coded variables.

    Raises PrefillFailed (no patient, several, the server failing) with nothing fetched.
    """
    candidate_access_record(
        user=user, screening_number=screening.candidate.screening_number, path=path
    )
    record = HospitalRecord(server)
    system = settings.FHIR_PATIENT_IDENTIFIER_SYSTEM
    patients = record.patients(system=system, value=identifier)
    if not patients:
        raise PrefillFailed(NO_PATIENT)
    if len(patients) > 1:
        raise PrefillFailed(SEVERAL)
    patient = patients[0]
    reference = reference_day(screening.values, timezone.localdate())
    found = proposals_from_patient(rule_set.variables, patient, f"Patient/{patient.id}")
    for spec in rule_set.variables.values():
        if spec.codes and not spec.derivation:
            found.append(_newest(record, spec, patient.id, reference))
    proposals = tuple(_without(identifier, p) for p in found)
    return Lookup(server_url=server.base_url, reference=reference, proposals=proposals)


def _newest(record: HospitalRecord, spec: VariableSpec, patient_id: str, reference) -> Proposal:
    days = spec.lookback_days or 0
    since = reference - dt.timedelta(days=days)
    for code in spec.codes:  # in the protocol's order: NPU before LOINC
        observations = record.observations(
            patient_id=patient_id, code=code, since=since, until=reference
        )
        # The server's date filter is trusted for nothing: a result outside the window is
        # never proposed, whatever the server returned.
        inside = [o for o in observations if _inside(o, since, reference)]
        if inside:
            newest = max(inside, key=lambda o: effective_date(effective_text(o)) or since)
            return proposal_from_observation(spec, newest, f"{code.system}|{code.code}")
    window = f"{since:%d-%m-%Y} to {reference:%d-%m-%Y}"
    return Proposal(spec.key, spec.label, problem=f"no result from {window} in the record")


def _inside(observation, since: dt.date, until: dt.date) -> bool:
    day = effective_date(effective_text(observation))
    return day is not None and since <= day <= until


def _without(identifier: str, proposal: Proposal) -> Proposal:
    texts = {name: value for name, value in proposal.to_dict().items() if isinstance(value, str)}
    cut = {name: value.replace(identifier, "…") for name, value in texts.items()}
    return replace(proposal, **cut) if cut != texts else proposal
