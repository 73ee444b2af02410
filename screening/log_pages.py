"""The screening log as its page shows it, sorted by screened date (the default, and the
sign-off queue's order), by outcome or by recorder: O(page), not O(episodes).

These sorts put undecided episodes last (NULLS LAST), and sorting every episode, decided or
not, by a column of its decision makes the database join all of them before it can return
the first page: an outer join cannot be walked from the decision's side. Here the log is cut
into segments that each come out of an index in order, and a page takes its rows from the
segments it overlaps, stopping after the page:
- by screened date: the decided episodes, walked on the episodes' index of their current
  decision's time and chain position (copied onto the episode, migration 0010); a page
  reached with "Next" carries the previous page's last key, one reached with "Previous" the
  next page's first, so page 500 costs what page 1 costs; a page number alone skips rows
  with OFFSET on that one index, counted from the nearer end;
- by outcome or recorder: one segment per outcome (recorder), in the sort's order, each
  walking the screening numbers' index (0008) and keeping the episodes whose current
  decision has that outcome (recorder);
- last, the episodes not decided, by screening number.
The segments' sizes are counted once per change of the data (log_counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.utils import timezone

from screening.log_counts import counts_checked, queryset_sql
from screening.log_query import (
    DECISION_SORTS,
    IN_PROGRESS,
    LogFilters,
    log_filter,
    log_filter_recorders,
    log_order,
    log_queryset,
)
from screening.models import Decision, Screening

PAGED_SORTS = DECISION_SORTS


def log_pages(filters: LogFilters, after: str = "", before: str = "") -> LogPages | None:
    """The log for the page view, or None when its sort or filter needs the general query
    (`log_filter` + `log_order`): the sorts by candidate, or episodes not decided."""
    if filters.sort.lstrip("-") not in PAGED_SORTS or filters.outcome == IN_PROGRESS:
        return None
    return LogPages(filters, after, before)


@dataclass(frozen=True)
class _Segment:
    name: str  # what the segment holds, for the count cache's key
    episodes: QuerySet  # in the segment's order, which no two episodes share
    timed: bool = False  # ordered by decision time and chain position: "Next" keys apply


class LogPages:
    """What Django's Paginator needs: `count()` and slices of annotated episodes, in order.

    A slice costs one query; `count()` one, cached until a decision, signature or episode is
    added (the cache key holds the chain heads and the newest episode id). `after` is the
    "Next" link's key (the last row of the page before), `before` the "Previous" link's (the
    first row of the page after): with either, a page by screened date is read from the
    index from that key on, however deep. Without, a page nearer the end of a segment is
    counted from the end, so "Last" costs what "First" does.
    """

    ordered = True

    def __init__(self, filters: LogFilters, after: str = "", before: str = "") -> None:
        self.filters = filters
        self.descending = filters.sort.startswith("-")
        self.after, self.before = _parse_cursor(after), _parse_cursor(before)
        self.next_cursor = ""  # the key after the last slice taken, for the "Next" link
        self.previous_cursor = ""  # the key of its first row, for the "Previous" link
        self._count: tuple[int, ...] | None = None

    def count(self) -> int:
        return sum(self._counts())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list[Screening]:
        start, stop = window.start or 0, window.stop
        parts, offset = [], 0
        for segment, size in zip(self._segments, self._counts(), strict=True):
            low, high = max(start, offset), min(stop, offset + size)
            if low < high:
                parts.append(self._keys(segment, offset, size, low, high))
            offset += size
        rows = list(log_order(log_queryset().filter(pk__in=_union(parts)), self.filters.sort))
        if self.filters.sort.lstrip("-") == "screened_at" and rows:
            first, last = rows[0], rows[-1]
            if start and first.decision_id:
                self.previous_cursor = _cursor(start, first)
            if last.decision_id and len(rows) == stop - start:
                self.next_cursor = _cursor(stop, last)
        return rows

    def _keys(self, segment: _Segment, offset: int, size: int, low: int, high: int) -> QuerySet:
        """The keys of rows low..high (of the whole log) of a segment that starts at `offset`
        and holds `size`, read the cheapest way: from a cursor's key, or with the smaller
        OFFSET, from the start or from the end. The page's rows are sorted afterwards."""
        keys = segment.episodes.values("pk")
        # A key applies where the page and the timed segment (always first) start or end.
        if segment.timed and self.after and self.after[0] == low:
            return keys.filter(self._beyond(self.after, later=True))[: high - low]
        if segment.timed and self.before and self.before[0] == high:
            return keys.filter(self._beyond(self.before, later=False)).reverse()[: high - low]
        first, last = low - offset, high - offset
        if first > size - last:
            return keys.reverse()[size - last : size - first]
        return keys[first:last]

    @cached_property
    def _segments(self) -> list[_Segment]:
        f, column = self.filters, self.filters.sort.lstrip("-")
        if column == "screened_at":
            # The episode's copy of its decision's time and position (not NULL once decided):
            # the order comes from the episodes' own index, the decision joined only to filter.
            decided = Screening.objects.filter(current_sequence__isnull=False)
            decided = log_filter(decided, f, screened_at="current_recorded_at")
            by_time = decided.order_by(*(f"-{k}" if self.descending else k for k in _BY_TIME))
            segments = [_Segment("decided", by_time, timed=True)]
        else:
            # Not NULL: the join to the decision is an inner one.
            decided = log_filter(Screening.objects.filter(current_decision__isnull=False), f)
            path, values = self._groups(column)
            segments = [
                _Segment(f"{path}={value}", decided.filter(**{path: value}).order_by(*_BY_NUMBER))
                for value in values
            ]
        asks_decision = (
            f.outcome or f.screened_from or f.screened_to or f.failed_criterion or f.recorded_by
        )
        if not (asks_decision or f.signoff):
            undecided = Screening.objects.filter(current_decision__isnull=True)
            if f.search.strip():
                undecided = undecided.filter(
                    candidate__screening_number__icontains=f.search.strip()
                )
            segments.append(_Segment("undecided", undecided.order_by(*_BY_NUMBER)))
        return segments

    def _groups(self, column: str) -> tuple[str, list]:
        """The decision's field a segment is cut by, and its values in the sort's order."""
        if column == "outcome":
            # Lower-case ASCII words: every collation orders them as Python does.
            path, values = "current_decision__outcome", sorted(Decision.Outcome.values)
            if self.filters.outcome:  # the one segment that can hold rows
                values = [value for value in values if value == self.filters.outcome]
        else:  # by username; the segments are cut by user id, which a rename leaves alone
            path = "current_decision__recorded_by"
            values = list(log_filter_recorders().values_list("pk", flat=True))
        return path, values[::-1] if self.descending else values

    def _beyond(self, cursor: tuple, later: bool) -> Q:
        """The rows after (`later`) or before the cursor's key, in the sort's order."""
        _, at, sequence = cursor
        op = "lt" if self.descending == later else "gt"
        time, position = _BY_TIME
        return Q(**{f"{time}__{op}e": at}) & (
            Q(**{f"{time}__{op}": at}) | Q(**{time: at, f"{position}__{op}": sequence})
        )

    def _counts(self) -> tuple[int, ...]:
        if self._count is None:
            f = self.filters
            # A renamed user changes neither chain: counts by recorder's name are never kept.
            asked = None if f.recorded_by else (
                f.outcome, f.screened_from, f.screened_to, f.failed_criterion, f.signoff,
                f.search.strip(), tuple(segment.name for segment in self._segments),
            )  # fmt: skip
            self._count = counts_checked(asked, [s.episodes for s in self._segments])
        return self._count


_BY_TIME = ("current_recorded_at", "current_sequence")
_BY_NUMBER = (Length("candidate__screening_number"), "candidate__screening_number", "episode")


def _union(parts: list[QuerySet]) -> RawSQL | list:
    """The keys of a page's segments as one subquery. One IN over a UNION ALL is a join the
    database plans from the keys; IN (...) OR IN (...) made PostgreSQL scan every episode."""
    if not parts:
        return []
    compiled = [queryset_sql(part) for part in parts]
    # Only SQL that Django compiled is pasted; every value stays a parameter.
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part_sql}) part{i}"  # noqa: S608
        for i, (part_sql, _) in enumerate(compiled)
    )
    return RawSQL(sql, [param for _, params in compiled for param in params])  # noqa: S611


def _cursor(offset: int, row: Screening) -> str:
    return f"{offset}~{row.screened_at.isoformat()}~{row.decision_sequence}"


def _parse_cursor(text: str) -> tuple | None:
    """ "offset~time~sequence" -> (offset, aware datetime, sequence), or None if malformed."""
    try:
        offset, at, sequence = text.split("~")
        moment = dt.datetime.fromisoformat(at)
        if timezone.is_naive(moment):
            return None
        return int(offset), moment, int(sequence)
    except ValueError:
        return None
