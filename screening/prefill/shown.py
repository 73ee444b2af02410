"""The episode's values with their sources, as the status panel lists them."""

from __future__ import annotations

from criteria.protocol import RuleSet
from criteria.values import format_amount, value_from_json
from screening.prefill.freshness import FHIR
from screening.prefill.sources import source_brief, source_text


def value_sources_shown(screening, rule_set: RuleSet, *, stale: frozenset[str]) -> list[dict]:
    """Each value from the hospital record: label, value, source line, stale or not."""
    rows = []
    for key, source in screening.value_sources.items():
        spec = rule_set.variables.get(key)
        if spec is None or key not in screening.values or source.get("source") != FHIR:
            continue
        value = value_from_json(spec, screening.values[key])
        shown = format_amount(spec, value) if spec.data_type == "number" else str(value)
        rows.append(
            {
                "key": key,
                "label": spec.label,
                "value": shown,
                "source": source_brief(source),
                "source_full": source_text(source),
                "stale": key in stale,
            }
        )
    return rows
