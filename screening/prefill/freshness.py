"""Which fetched values are too old to count (pure: no ORM, no clock).

A value fetched from the hospital record carries its effective time; once that lies more
than the variable's look-back window before the screening's reference day, the value is
stale and counts as unknown. Typed values carry no effective time and never go stale here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from screening.prefill.mapping import effective_date

FHIR = "fhir"


def stale_keys(
    sources: Mapping[str, dict], lookback_days: Mapping[str, int | None], reference: dt.date
) -> frozenset[str]:
    """Keys whose fetched value lies outside its window: more than its days before
    `reference`, or after it (the screening date was moved back since the look-up)."""
    stale = set()
    for key, source in sources.items():
        days = lookback_days.get(key)
        if days is None or not isinstance(source, Mapping) or source.get("source") != FHIR:
            continue
        day = effective_date(source.get("effective", ""))
        if day is not None and not reference - dt.timedelta(days=days) <= day <= reference:
            stale.add(key)
    return frozenset(stale)


def reference_day(values: Mapping[str, object], today: dt.date) -> dt.date:
    """The day windows are counted back from: the screening date when recorded, else today."""
    raw = values.get("screening_date")
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return today
    return today
