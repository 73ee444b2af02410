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
    left None is open."""
    condition = Q()
    if first:
        condition &= Q(**{f"{field}__gte": day_start(first)})
    if last:
        condition &= Q(**{f"{field}__lt": day_start(last + dt.timedelta(days=1))})
    return condition
