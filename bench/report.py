"""bench/RESULTS.md from the figures of one bench/run.py run, with the machine and command."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

# Measured before the changes of issue 8, on this machine kind (2 cores, shared with other
# sessions' test suites), with the code then in the repository; see the text below.
BEFORE = [
    ("evaluator candidates/s (one core)", "7,100–10,000 (same load)"),
    ("generate_demo_data, PostgreSQL", "21 s per 5,000 decisions (≈ 7 min per 100,000)"),
    ("log page 1 at 160,000 decisions", "3.9–4.5 s per request (one request, no load)"),
    ("log filtered (ineligible + I13)", "> 10 min (no statistics) / 6.9 s after ANALYZE"),
    ("log page 500", "as page 1 or worse: OFFSET over a full sort of every episode"),
]


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _value(value: object) -> str:
    if isinstance(value, float):
        if value < 1:  # a ratio such as log vs floor: 0.02 would hide 0.015 against 0.024
            return f"{value:.3f}"
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def write_results(figures: dict, *, command: str) -> None:
    lines = [
        "# Benchmark results (issue 8)",
        "",
        f"- command: `{command}` (what `make bench` runs)",
        f"- machine: nproc {os.cpu_count()}, memory {_memory()}, {platform.python_implementation()}"
        f" {platform.python_version()}, {platform.system()} {platform.release()}",
        f"- run at: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        "- rates depend on what else the host runs (it is often shared): compare figures of",
        "  one run with each other rather than across runs.",
        "",
        "## Figures",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {_value(v)} |" for k, v in figures.items() if not k.startswith("_")]
    if "_paths" in figures:
        lines += ["", "## Load targets (wrk -t1 -c4, gunicorn 2 workers)", ""]
        lines += [f"- {name}: `{path}`" for name, path in figures["_paths"].items()]
    if "_pages" in figures:
        lines += ["", "## SQL queries per page", "", "| page | URL | HTTP | queries |"]
        lines += ["|---|---|---|---|"]
        for name, page in figures["_pages"].items():
            lines.append(f"| {name} | `{page['url']}` | {page['status']} | {page['queries']} |")
    if "_before" in figures:
        before = figures["_before"]
        lines += [
            "",
            f"## Before → after: the same load on the same database, code of {before['revision']}",
            "",
            "Measured right after the figures above (`--before REVISION`), so both ran on the",
            "machine in the same state.",
            "",
            "| target | before req/s | after req/s | before p99 ms | after p99 ms |",
            "|---|---|---|---|---|",
        ]
        for name, (rate, p99) in before["figures"].items():
            cells = [rate, figures.get(f"{name} requests/s"), p99, figures.get(f"{name} p99 ms")]
            lines.append(f"| {name} | " + " | ".join(_value(c) for c in cells) + " |")
    lines += ["", "## Before → after, since the first benchmark", ""]
    lines += ["Its before figures were taken on a loaded host.", ""]
    lines += ["| what | before | after |", "|---|---|---|"]
    after = {
        BEFORE[0][0]: figures.get("evaluator candidates/s"),
        BEFORE[1][0]: figures.get("generate_demo_data 100,000 decisions s"),
        BEFORE[2][0]: figures.get("log page 1 p99 ms"),
        BEFORE[3][0]: figures.get("log filtered p99 ms"),
        BEFORE[4][0]: figures.get("log page 500 (Next link) p99 ms"),
    }
    units = ["/s", " s for 100,000", " ms p99 under load", " ms p99 under load", " ms p99"]
    for (what, before), unit in zip(BEFORE, units, strict=True):
        value = after[what]
        lines.append(f"| {what} | {before} | {'—' if value is None else _value(value) + unit} |")
    lines += ["", NOTES]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


NOTES = """## Goals

| goal | status |
|---|---|
| evaluator ≥ 20,000 candidates/s on one core, ≥ 1 × JsonLogic | met |
| log p99 < 200 ms | met by every link of the log and by a typed `?page=500` (see the table) |
| page 500 no slower than page 1 | met by every link and by a typed page number |
| log ≥ 1.5 × Django admin's decision list | met |
| log ≥ 0.5 × the floor | **missed**: no signed-in page reaches it (see below) |
| impact preview of 10,000 episodes < 10 s, queries not growing | met |

**Page 500 by number.** Every link of the pager is keyed: "Next" carries the last row's
key, "Previous" the first row's, and "Last" reads the last rows from the end of the index,
so each costs what page 1 costs. A page number with no key (typed into the address, or an
old bookmark) skips rows with OFFSET from the nearer end. Until the fourth round that walked
25,000 decisions on their time index and probed the episode pointing at each (24–38 ms of
SQL); since migration 0010 each episode keeps its current decision's time and chain
position, and the same rows are one index-only scan of the episodes (4 ms).

**Why the floor ratio is out of reach.** The floor is a view that reads nothing: no session,
no user, no database (about 0.5 ms a request; 1,900–4,000 requests/s on 2 workers as the host
varies). Every page of the log must be signed in, and two routes served only under
`make bench` (bench/urls.py) measure what that alone costs, in the same run as the floor:

- a signed-in page that does nothing (the site's middleware loads the session and the user,
  two queries over loopback): a quarter to a third of the floor (0.27 and 0.34 in the two
  runs of the fifth round; "signed-in page doing nothing vs floor" in the figures);
- the log's first page kept whole in the worker's memory, the permission still checked: a
  little less (0.24 and 0.28; "log kept whole in memory vs floor").

So no signed-in log page reaches half the floor, however it is made, unless sessions and
users are read from memory too: then a logout or a disabled account would not be seen at once
by every worker, which a clinical site cannot accept. Stored pages would also let the log lag
behind a decision or a sign-off (a page holds rows, the user's permissions, the criteria menu,
messages and a CSRF token, each changed by different writes), so TrialSite renders each page
from the database. The log itself costs about 40 ms a request in-process (median, 100,000
decisions): about 16 ms reading the page (6–8 ms of it SQL, the rest the ORM building the
page's objects), about 12 ms rendering, and the rest the session, the user and middleware.

## What changed and why, fifth round

- **Each log row is made by one tag in Python** (`{% log_row %}`,
  `screening/templatetags/log_cells.py`). In the template, every variable, filter and
  `{% if %}` of a row went through the template engine: rendering the page's 50 rows took
  about 31 ms of the 64 ms a page 1 took in-process, with 32 signed rows and 12 superseded
  sign-offs on it. Now about 4 ms; page 1 in-process 64 → 42 ms (median of 30, same
  database). Dates are written with `isoformat()` in the site's time zone instead of the
  `|date` filter, which looks its format up in the active language on every call. The HTML
  is the same: 22 pages (sorts, filters, a superuser and a user who may neither sign nor read
  the trail) were rendered before and after and compared after collapsing whitespace between
  tags; tests check each cell, the time zone at midnight in summer and winter, escaping and
  the 60-character cut of a screen-failure reason.
- **The summary finds each patient's newest episode on the episodes alone**
  (`screening/migrations/0011_newest_episode_index.py`). The anti-join compared the current
  decisions' chain positions, joining the decisions twice; it now compares the episodes' own
  copies of them (migration 0010) along a new index (patient, position) INCLUDE (decision).
  EXPLAIN ANALYZE, the newest-episode part of the failed-criteria count: 228 → 96 ms, a merge
  anti-join of two index-only scans. The summary in-process: 404 → 205–319 ms, one
  quarter's referrals 224 → 113 ms. A test fails if the comparison is turned round.
- **The ceilings above** are measured on every run.
- **Tried and left out**: remembering, per criteria plan, which patterns of answer types were
  already checked (4.3 % fewer instructions per evaluation, counted with callgrind over the
  bench's candidates, and byte-identical results over 118,768 evaluations including edge
  cases): too little for state that grows with use.

## What changed and why, fourth round

- **The log's order by screened date is kept on the episodes**
  (`screening/migrations/0010_screened_order.py`). Each episode holds its current decision's
  time and chain position beside the pointer to it: derived data like the pointer, written
  in the same UPDATE where a decision is appended, kept out of the history, filled by the
  migration in SQL and checked by `verify_audit` (which names an episode whose copy differs
  from its decision, or that holds one without a decision). One index of episodes,
  (time, position) INCLUDE (id), gives the order.
  - EXPLAIN ANALYZE of page 500's key query (typed page number, 100,000 decisions): 38.7 ms
    (25,885 probes of the pointer index, parallel workers) → 4.0 ms (one index-only scan
    of 129 buffers).
  - The screened-date filter reads the same copy, so a date range is an index range: a
    month's first page 139 ms → 0.06 ms of SQL. (Ordered by the copy but filtered on the
    decision's time, the first version of this change walked every episode for it: found
    with EXPLAIN before it was committed.)
  - The filtered page of the load test (ineligible, awaiting sign-off), key query,
    median of 20: 0.39 ms before, 0.49 ms after; at page 500, 59 → 58 ms.
  - Before → after under load is in the table above ("page number").
- **"Next" and "Previous" are keyed for every sort the log pages on**: by outcome and by
  recorder (each segment walks the screening-number index), and for the episodes not yet
  decided, as they were by screened date. The key is the row's (number length, number,
  episode), compared as one row value `(length, number) >= (…)` so PostgreSQL reads it as a
  range of the candidates' index; the episodes of the key's own number up to its episode are
  left out. Spelt out as `length > … OR (length = … AND number > …) …`, the range was
  bounded by the length alone (two lengths in all: 33,615 rows filtered out, 18.8 ms), and
  as `(length, number) > (…) OR episode > …` PostgreSQL judged the comparison by the length
  alone, expected no rows and sorted every episode (321 ms). EXPLAIN ANALYZE of page 500 by
  "Next" sorted by outcome: 0.5 ms (by OFFSET, as before: 130 ms in-process); by recorder
  0.3 ms (211 ms). The key by screened date is the same kind of row comparison, one index
  condition: 0.06 ms.
  - A page number typed on a log sorted by outcome or recorder, or filtered, still skips
    rows with OFFSET: 105–211 ms of SQL at page 500 (in-process). Every link the log shows
    carries a key.
  - Tests walk every paged sort, with and without filters, from the first page to the last
    by "Next" and back by "Previous" in pages of 3 across every segment boundary, with a
    re-screened patient (two episodes of one number): the same rows as the general query
    and no OFFSET in any query.

## What changed and why, third round

- **The pager's links are keyed** (`screening/review/log_pages.py`). "Previous" carries the first
  row's key (`before=`) and reads the 50 rows before it from the index, backwards; "Last",
  and any page nearer the end than the start, is counted from the end (OFFSET on the
  reversed order, which every segment allows: each is in an order no two episodes share).
  Before → after under load is in the table above (page 499 by "Previous" and the last
  page); tests check the rows equal the general query's and that neither query has OFFSET.
- **Per-row cells in Python** (`screening/templatetags/log_cells.py`). Each row's links went
  through `{% url %}` (about 40 µs each, two a row) and the sign-off cell through an
  `{% include %}`; `{% row_link %}` reverses a route once per page and fills in each row's
  screening number (quoted as `reverse()` does; a test compares them), and
  `{% signoff_state %}` writes the cell with `format_html`. Rendering the log page with the
  same context, old template and new alternated: 14.7 → 11.1 ms.
- **Rows no longer join the signer's account**: they show the name signed with, stored on
  the signature.
- **Covering indexes** (`screening/migrations/0009_covering_log_indexes.py`): the decisions'
  time index and the episodes' current-decision index now INCLUDE the id each leads to, so
  a page counted by number reads indexes only. EXPLAIN ANALYZE of page 500's key query:
  47 → 24 ms, the decisions read from 134 index pages instead of about 6,700 table pages
  (heap fetches 0 after VACUUM). The before → after table above served the old code from
  the same database, new indexes included, so it does not show this; the run before the
  migration measured page 500 by number at 16 requests/s, p99 316 ms.

## What changed and why, second round

Profiled with cProfile on the 100,000-decision database, in-process (`django.test.Client`,
the bench superuser), and EXPLAIN ANALYZE for each query of the page.

- **Connections and sessions.** Django opened a new PostgreSQL connection per request (a
  backend process each); connections are now kept 60 s (`DB_CONN_MAX_AGE`, health-checked).
  The session was saved on every request (`SESSION_SAVE_EVERY_REQUEST`, for the idle
  timeout): a write and a commit per page. Now the idle end moves on at most once a minute
  (`trialsite/middleware.py`), and logging in stamps it. Every signed-in page gains: the
  signed-in floor went from 173 to 851 requests/s.
- **The filter form** was rendered by crispy-forms field by field and option by option: a
  third of the page. It is written out in `templates/screening/_log_filters.html`.
- **Failed criteria** were found by loading every row's 37 stored results (15 kB of JSON each)
  and filtering in Python, and filtered and counted by expanding every decision's JSON in SQL.
  Each decision now has insert-only `FailedCriterion` rows, written with it and checked by
  `verify_audit`; a row reads only its failed entries (`screening/failures.py`).
- **Each episode points at its current decision** (`Screening.current_decision`, written by
  the decision service under its locks, checked by `verify_audit`). Every sort, filter, count
  and the summary join it on an index instead of finding each episode's newest decision with
  a subquery: in-process at 100,000 decisions, sort by outcome 587 → 32 ms, by recorder
  705 → 30 ms, search 413 → 45 ms, not-decided 212 → 11 ms, the summary about 3 s →
  0.24–0.37 s (`screening/migrations/0006`–`0008`).
- **The "Recorded by" menu** asked PostgreSQL which users recorded a decision; with one
  recorder of most decisions it scanned all of them (8 ms). It now skips along the recorder
  index (a recursive MIN): 0.2 ms.
- **Queries per log page**: 13 → 9 (the two above, the session write, and the header's roles,
  which now come from the context processor instead of a query of their own).
- **Evaluator** (`criteria/evaluator.py`, `results.py`, `derivations.py`): result objects
  set their slots through the slot descriptors; cached criteria are looked up in one pass;
  NaN/infinity checked once per evaluation. Old and new code alternated back to back on this
  host: 37,423 → 47,983/s and 37,643 → 46,595/s; outputs compared byte for byte over 55,000
  evaluations.

## What changed and why, first round

- **Screening log** (`screening/review/log_pages.py`, `LogPages`): sorted by screened date (the
  default and the sign-off queue), the log no longer computes every episode's current
  decision to sort them. It walks decisions on the index `(recorded_at DESC, sequence DESC)`,
  keeps the current ones (no newer decision of the same episode: one probe of the index
  `(screening_id, sequence DESC)`), and stops after the page. The "Next" link carries the
  previous page's last key (`after=`), so page 500 costs what page 1 costs; a bare
  `?page=500` still works, by OFFSET. Counts for the paginator cost a pass over every
  episode, so they are kept per worker with the version they were counted at (both chain
  heads' hashes and the newest episode id) and recounted, in the same single query, only
  when that version changes. Indexes: `screening/migrations/0005_log_indexes.py`.
- **Demo data** (`generate_demo_data`): each distinct case is evaluated, encoded and
  content-hashed once; on PostgreSQL the cases go into a temporary table once and each batch
  is one COPY of the per-row columns plus one INSERT ... SELECT per table, so the database
  copies the stored JSON instead of parsing 15 kB per row; lz4 TOAST compression for the
  transaction; the next batch is hashed while the database writes the current one; ANALYZE
  afterwards (without statistics the planner chose plans that ran for more than 10 minutes).
- **Decision hash** (`screening/hashing.py`): two levels. `content_sha256` covers results,
  missing, derived values and the values snapshot; the chained record covers that digest and
  every other field. `verify_audit` recomputes both, so any altered field is still found.
"""
