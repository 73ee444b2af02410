"""Every page `make bench` loads, in one place: what a user opens, by URL.

A path may hold placeholders, filled for each database by `fill` from what is in it:
`{number}` a decided candidate in the middle of the data, `{decision}` that candidate's
decision, `{undecided}` a candidate whose saved values await Record decision, `{last}` and
`{deep}` the log's last page and page 500 (or the middle page of a smaller log), `{admin_last}`
and `{admin_deep}` the admin changelist's pages over the same rows, `{month}` the first and
last day of the last full calendar month. POST pages (`method="POST"`) are sent to fresh
episodes, one per request: their path and body come from the pools of bench/prepare.py.

The log's parameters (`?page=N`, `?outcome=`, `screened_from`/`screened_to`) are the log's
filter form's (templates/screening/_log_filters.html); if the log changes them, change them
here, and the query-count tests (tests/screening/test_page_queries.py) follow.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

LOG_PAGE_SIZE = 50
ADMIN_PAGE_SIZE = 100  # Django admin's list_per_page default
DEEP_PAGE = 500


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    method: str = "GET"
    admin: str = ""  # Django admin's changelist over the same rows (list pages)
    new: bool = False  # not expected to exist in an earlier revision


# The floor and the signed-in page doing nothing: what every other page is measured against.
BARE = Page("bare view (/health/, no session)", "/health/")
SIGNED_IN = Page("signed-in page doing nothing", "/bench/signed-in/")
ADMIN = "/admin/screening/decision/"
MONTH = "screened_from={month_from}&screened_to={month_to}"

PAGES = [
    Page("log page 1", "/log/", admin=ADMIN),
    Page("log filtered", "/log/?outcome=ineligible", admin=ADMIN + "?outcome__exact=ineligible"),
    Page("log last page", "/log/?page={last}", admin=ADMIN + "?p={admin_last}"),
    Page("log page 500 by number", "/log/?page={deep}", admin=ADMIN + "?p={admin_deep}"),
    Page("summary", "/log/summary/"),
    Page("candidate page", "/candidates/{number}/"),
    Page("audit trail", "/log/candidates/{number}/audit-trail/"),
    Page("sign-off page", "/log/decisions/{decision}/sign/"),
    Page("CSV export, one month", "/log/export.csv?" + MONTH),
    Page("screening form", "/candidates/{number}/episodes/1/"),
    Page("Save", "/candidates/{fresh}/episodes/1/", method="POST"),
    Page("Record decision: confirm page", "/candidates/{undecided}/episodes/1/decide/", new=True),
    Page("Record decision", "/candidates/{fresh}/episodes/1/decide/", method="POST"),
]  # fmt: skip


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar month before `today`'s."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def placeholders(
    *, episodes: int, decisions: int, number: str, decision: str, undecided: str, today: dt.date
) -> dict:
    """The values `fill` puts into paths, for a log of `episodes` episodes and an admin list of
    `decisions` decisions."""
    last = max(1, math.ceil(episodes / LOG_PAGE_SIZE))
    deep = DEEP_PAGE if last > DEEP_PAGE else max(1, last // 2)
    month_from, month_to = last_month(today)
    return {
        "number": number,
        "decision": decision,
        "undecided": undecided,
        "last": last,
        "deep": deep,
        "admin_last": max(1, math.ceil(decisions / ADMIN_PAGE_SIZE)),
        "admin_deep": max(1, deep * LOG_PAGE_SIZE // ADMIN_PAGE_SIZE),
        "month_from": month_from.isoformat(),
        "month_to": month_to.isoformat(),
    }


def fill(path: str, values: dict) -> str:
    return path.format(**values)
