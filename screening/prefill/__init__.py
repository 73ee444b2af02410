"""Prefill from the hospital record over FHIR R4 (docs/fhir.md).

The nurse types the patient's identifier (a CPR number) for one look-up; TrialSite finds the
one Patient with it, reads the newest coded Observation of each variable within its look-back
window, and proposes values with their source. Nothing is stored until the nurse approves, and
the identifier itself is never stored or logged anywhere.

- `client`: the FHIR server, through fhirpy; every failure becomes one `PrefillFailed` message.
- `mapping`: Patient and Observations -> proposals in the variables' canonical units.
- `freshness`: which fetched values are past their window (pure).
- `lookup`: one look-up, end to end; `services`: the approval, one transaction.
"""
