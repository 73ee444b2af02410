"""The screening log as its page shows it, sorted by screened date (the default, and the
sign-off queue's order), by outcome or by recorder: O(page), not O(episodes).

These sorts put undecided episodes last (NULLS LAST), and sorting every episode, decided or
not, by a column of its decision makes the database join all of them before it can return
the first page: an outer join cannot be walked from the decision's side. Here the log is cut
into segments that each come out of an index in order, and a page takes its rows from the
segments it overlaps, stopping after the page:
- by screened date: the decided episodes, walked on the episodes' index of their current
  decision's time and chain position (copied onto the episode, migration 0010);
- by outcome or recorder: one segment per outcome (recorder), in the sort's order, each
  walking the screening numbers' index (0008) and keeping the episodes whose current
  decision has that outcome (recorder);
- last, the episodes not decided, by screening number.
A page reached with "Next" carries the key of the page before's last row, one reached with
"Previous" the key of the page after's first, and is read from its segment's index from that
key on: page 500 costs what page 1 costs. A page number alone skips rows with OFFSET,
counted from the nearer end of each segment. The segments' sizes are counted once per change
of the data (log_counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length
from django.utils import timezone

from screening.models import Decision, Screening
from screening.review.log_counts import counts_checked, queryset_sql
from screening.review.log_query import (
    DECISION_SORTS,
    IN_PROGRESS,
    LogFilters,
    log_filter,
    log_filter_recorders,
    log_order,
    log_queryset,
    log_trial_filter,
)
from trialsite.integers import integer_range

PAGED_SORTS = DECISION_SORTS


def log_pages(filters: LogFilters, after: str = "", before: str = "") -> LogPages | None:
    """The log for the page view, or None when its sort or filter needs the general query
    (`log_filter` + `log_order`): the sorts by candidate, or episodes not decided."""
    if filters.sort.lstrip("-") not in PAGED_SORTS or filters.outcome == IN_PROGRESS:
        return None
    return LogPages(filters, after, before)


# The orders a segment is in, which no two episodes share, and so what a link's key holds.
BY_TIME = "t"  # the current decision's time, then its chain position
BY_NUMBER = "n"  # the screening number (S0999 before S1000), then the episode
# The column type of a key's second part: Decision.sequence, Screening.episode.
_SECOND_COLUMN = {BY_TIME: "PositiveBigIntegerField", BY_NUMBER: "PositiveSmallIntegerField"}


@dataclass(frozen=True)
class _Segment:
    name: str  # what the segment holds, for the count cache's key
    episodes: QuerySet  # in the segment's order
    order: str  # BY_TIME or BY_NUMBER


@dataclass(frozen=True)
class _Cursor:
    """A link's key: the row at `offset` of the log, by its segment's order."""

    offset: int
    order: str
    key: tuple  # (aware time, chain position) or (screening number, episode)

    @classmethod
    def of(cls, offset: int, row: Screening, order: str) -> _Cursor:
        if order == BY_TIME:
            return cls(offset, order, (row.screened_at, row.decision_sequence))
        return cls(offset, order, (row.candidate.screening_number, row.episode))

    def text(self) -> str:
        first, second = self.key
        shown = first.isoformat() if self.order == BY_TIME else first
        return f"{self.offset}~{self.order}~{shown}~{second}"

    @classmethod
    def parse(cls, text: str) -> _Cursor | None:
        """ "offset~order~first~second" (a screening number may hold "~"), or None."""
        try:
            offset, order, rest = text.split("~", 2)
            first, second = rest.rsplit("~", 1)
            if order == BY_TIME:
                first = dt.datetime.fromisoformat(first)
                if timezone.is_naive(first):
                    return None
                first = first.astimezone(dt.UTC)  # as stored; year 0 or 10000 is no key
            elif order != BY_NUMBER or not first:
                return None
            low, high = integer_range(_SECOND_COLUMN[order])
            if not low <= int(second) <= high:  # no row has it; the database may not hold it
                return None
            return cls(int(offset), order, (first, int(second)))
        except (ValueError, OverflowError):
            return None


class LogPages:
    """What Django's Paginator needs: `count()` and slices of annotated episodes, in order.

    A slice costs one query; `count()` one, cached until a decision, signature or episode is
    added (the cache key holds the chain heads and the newest episode id). `after` is the
    "Next" link's key (the last row of the page before), `before` the "Previous" link's (the
    first row of the page after): with either, a page is read from its segment's index from
    that key on, however deep. Without, a page nearer the end of a segment is counted from
    the end, so "Last" costs what "First" does.
    """

    ordered = True

    def __init__(self, filters: LogFilters, after: str = "", before: str = "") -> None:
        self.filters = filters
        self.descending = filters.sort.startswith("-")
        self.after, self.before = _Cursor.parse(after), _Cursor.parse(before)
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
        if rows and start:
            self.previous_cursor = _Cursor.of(start, rows[0], self._order(rows[0])).text()
        if rows and len(rows) == stop - start:
            self.next_cursor = _Cursor.of(stop, rows[-1], self._order(rows[-1])).text()
        return rows

    def _order(self, row: Screening) -> str:
        """The order of the segment `row` is in."""
        by_time = self.filters.sort.lstrip("-") == "screened_at" and row.decision_id
        return BY_TIME if by_time else BY_NUMBER

    def _keys(self, segment: _Segment, offset: int, size: int, low: int, high: int) -> QuerySet:
        """The keys of rows low..high (of the whole log) of a segment that starts at `offset`
        and holds `size`, read the cheapest way: from a cursor's key, or with the smaller
        OFFSET, from the start or from the end. The page's rows are sorted afterwards."""
        keys = segment.episodes.values("pk")
        # A key applies where its row, the one before the page or after it, is in the segment.
        after, before = self.after, self.before
        if after and after.offset == low > offset and after.order == segment.order:
            return keys.filter(self._beyond(after, later=True))[: high - low]
        if before and before.offset == high < offset + size and before.order == segment.order:
            return keys.filter(self._beyond(before, later=False)).reverse()[: high - low]
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
            by_time = decided.order_by(*(f"-{k}" if self.descending else k for k in _TIME_KEY))
            segments = [_Segment("decided", by_time, BY_TIME)]
        else:
            # Not NULL: the join to the decision is an inner one.
            decided = log_filter(Screening.objects.filter(current_decision__isnull=False), f)
            path, values = self._groups(column)
            segments = [
                _Segment(f"{path}={value}", _by_number(decided.filter(**{path: value})), BY_NUMBER)
                for value in values
            ]
        asks_decision = (
            f.outcome or f.screened_from or f.screened_to or f.failed_criterion or f.recorded_by
        )
        if not (asks_decision or f.signoff):
            undecided = log_trial_filter(
                Screening.objects.filter(current_decision__isnull=True), f.trial
            )
            if f.search.strip():
                undecided = undecided.filter(
                    candidate__screening_number__icontains=f.search.strip()
                )
            segments.append(_Segment("undecided", _by_number(undecided), BY_NUMBER))
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

    def _beyond(self, cursor: _Cursor, later: bool) -> Q:
        """The rows after (`later`) or before the cursor's key, in its segment's order: by
        time either way round, by screening number always upwards."""
        if cursor.order == BY_TIME:
            op = "<" if self.descending == later else ">"
            return Q(_RowBeyond(_TIME_KEY, cursor.key, op))
        number, episode = cursor.key
        # The number index is the candidates', the episode the episodes' column: the row
        # compared is what the index holds, and one number's episodes up to the key's (from
        # it, going back) are left out. Put as "> (number) OR episode >", PostgreSQL judged
        # the row comparison by its first column alone, the length, and found no rows.
        columns, values = _NUMBER_KEY[:2], (len(number), number)
        op, reached = (">=", "lte") if later else ("<=", "gte")
        passed = Q(number_length=len(number), candidate__screening_number=number)
        return Q(_RowBeyond(columns, values, op)) & ~(
            passed & Q(**{f"episode__{reached}": episode})
        )

    def _counts(self) -> tuple[int, ...]:
        if self._count is None:
            f = self.filters
            # A renamed user changes neither chain: counts by recorder's name are never kept.
            asked = None if f.recorded_by else (
                f.trial, f.outcome, f.screened_from, f.screened_to, f.failed_criterion, f.signoff,
                f.search.strip(), tuple(segment.name for segment in self._segments),
            )  # fmt: skip
            self._count = counts_checked(asked, [s.episodes for s in self._segments])
        return self._count


_TIME_KEY = ("current_recorded_at", "current_sequence")
_NUMBER_KEY = ("number_length", "candidate__screening_number", "episode")


class _RowBeyond(Func):
    """`(a, b, c) > (x, y, z)` (or `<`): the rows after a key in the order of its columns.

    One row comparison, which PostgreSQL reads as a range of an index that leads with those
    columns, where the same condition spelt out (a > x OR a = x AND b > y ...) bounded only
    the first: screening numbers have few lengths, so that range held most of the log. SQLite
    compares row values the same way.
    """

    output_field = BooleanField()

    def __init__(self, columns: tuple[str, ...], values: tuple, op: str) -> None:
        super().__init__(*map(F, columns), *map(Value, values))
        self.op = op

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, more = compiler.compile(expression)
            parts.append(sql)
            params.extend(more)
        half = len(parts) // 2
        columns, values = ", ".join(parts[:half]), ", ".join(parts[half:])
        return f"({columns}) {self.op} ({values})", params


def _by_number(episodes: QuerySet) -> QuerySet:
    return episodes.alias(number_length=Length("candidate__screening_number")).order_by(
        *_NUMBER_KEY
    )


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
