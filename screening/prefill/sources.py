"""Where each stored value came from (`Screening.value_sources`), as JSON by variable key.

A typed value: {"source": "typed", "by": username, "at": ISO time}. A value approved from
the hospital record: {"source": "fhir", "system": base URL, "resource": "Observation/id",
"code", "effective", "performer", "recorded" (value and unit as the record has them),
"approved_by", "approved_at"}. Times are UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from screening.prefill.freshness import FHIR
from screening.prefill.mapping import Proposal

TYPED = "typed"


def sources_after_typing(
    old_values: Mapping, new_values: Mapping, sources: Mapping, *, by: str, at: dt.datetime
) -> dict:
    """The sources once the form saved `new_values`: a value changed or added is typed now;
    an unchanged one keeps its source; a cleared one has none."""
    kept = {key: source for key, source in sources.items() if key in new_values}
    for key, value in new_values.items():
        if old_values.get(key) != value or key not in kept:
            kept[key] = {"source": TYPED, "by": by, "at": at.isoformat()}
    return kept


def fhir_source(proposal: Proposal, *, system: str, by: str, at: dt.datetime) -> dict:
    """The source of a value approved from the hospital record."""
    return {
        "source": FHIR,
        "system": system,
        "resource": proposal.resource,
        "code": proposal.code,
        "effective": proposal.effective,
        "performer": proposal.performer,
        "recorded": proposal.recorded,
        "approved_by": by,
        "approved_at": at.isoformat(),
    }


def source_brief(source: Mapping) -> str:
    """The source in a few words, for the status panel: resource, when taken, who approved."""
    when = source.get("effective", "")
    when = f"{when[8:10]}-{when[5:7]}-{when[:4]} {when[11:16]}".strip() if when else ""
    parts = [source.get("resource", ""), when, f"approved by {source.get('approved_by', '?')}"]
    return " · ".join(part for part in parts if part)


def source_text(source: object) -> str:
    """One line a person reads: where the value came from and who approved it."""
    if not isinstance(source, Mapping):
        return "—"
    if source.get("source") == TYPED:
        return f"typed by {source.get('by', '?')}"
    if source.get("source") != FHIR:
        return str(source.get("source", "—"))
    when = source.get("effective", "")[:16].replace("T", " ")
    parts = [f"hospital record {source.get('resource', '')}"]
    parts += [f"from {source['performer']}"] if source.get("performer") else []
    parts += [f"taken {when}" if when else "", f"as {source.get('recorded', '')}"]
    parts.append(f"at {source.get('system', '')}; approved by {source.get('approved_by', '?')}")
    return ", ".join(part for part in parts if part)
