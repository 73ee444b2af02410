"""Site-local days as ranges of stored time.

People type and read dates in the site's time zone; times are stored in UTC. A range of
days "from A to B" is every moment from local midnight starting A up to, not including,
local midnight after B, whatever the UTC offset on either day (summer or winter time).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, aware, so the database compares it with UTC."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def within_days(field: str, first: dt.date | None, last: dt.date | None) -> Q:
    """`field` (a stored time) on a local day from `first` to `last`, both included; an end
    left None is open, and so is an end beyond the times a datetime can hold (below)."""
    condition = Q()
    start = _bound(first) if first else None
    end = _bound(last, days_after=1) if last else None
    if start is not None:
        condition &= Q(**{f"{field}__gte": start})
    if end is not None:
        condition &= Q(**{f"{field}__lt": end})
    return condition


def _bound(day: dt.date, days_after: int = 0) -> dt.datetime | None:
    """Local midnight `days_after` days after `day`, in UTC; None where that is outside years
    1-9999. Only an open end can fall there: the midnight starting 01-01-0001 east of UTC is
    still in year 0, the one after 31-12-9999 is in year 10000, and every stored time lies
    after the first and before the second, so leaving the end open is exact, not a guess."""
    try:
        return day_start(day + dt.timedelta(days=days_after)).astimezone(dt.UTC)
    except OverflowError:
        return None
