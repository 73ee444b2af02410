"""The table of one bench/run.py run: printed, and written to bench/RESULTS.md.

Columns: each page's p99 after and before (ms), after / before (goal ≤ 1.5), after's p99 as a
multiple of the signed-in page doing nothing, and for list pages Django admin's changelist
over the same rows as a multiple of the page's p99 (goal ≥ 1.5). Below it, the bare view's
rate, which tells a quiet host (≥ 2,500 requests/s) from a busy one: on a quiet host every
page should answer with p99 < 250 ms.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.pages import PAGES

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
QUIET_RATE = 2500
MAX_RATIO = 1.5
ADMIN_RATIO = 1.5
QUIET_P99_MS = 250


@dataclass
class Measure:
    """What wrk recorded of one page on one side, over one or more runs."""

    latencies: Counter  # microseconds -> how many requests took that long
    seconds: float
    ran_out: bool = False  # a POST page used every fresh episode before its time was up
    sent: int = 0  # a POST page's prepared requests sent

    @property
    def requests(self) -> int:
        return sum(self.latencies.values())

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def p99(self) -> float:
        """The 99th percentile in ms: the least latency that 99 % of requests did not exceed."""
        rank, seen = 0.99 * self.requests, 0
        for microseconds in sorted(self.latencies):
            seen += self.latencies[microseconds]
            if seen >= rank:
                return microseconds / 1000
        return math.nan

    def __add__(self, other: Measure) -> Measure:
        return Measure(
            self.latencies + other.latencies,
            self.seconds + other.seconds,
            self.ran_out or other.ran_out,
            self.sent + other.sent,
        )

    def __str__(self) -> str:
        return f"{self.rate:,.1f} requests/s, p99 {self.p99:,.1f} ms ({self.requests} requests)"


def _ms(value: float) -> str:
    if value != value:  # NaN: no request was answered within a run
        return "none answered"
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _ratio(value: float, goal_met: bool) -> str:
    if math.isnan(value):
        return ""
    return f"{value:.2f}" + ("" if goal_met else " ✗")


def rows(results: dict) -> list[list[str]]:
    signed_in = results["signed-in"].p99
    table = []
    for page in PAGES:
        after = results[(page.name, "after")]
        before = results.get((page.name, "before"), "absent")
        admin = results.get((page.name, "admin"))
        cells = [page.name + (" ¹" if after.ran_out else ""), _ms(after.p99)]
        if before == "absent":  # run without --before
            cells += ["", ""]
        elif before is None:
            cells += ["n/a (new)", ""]
        else:
            ratio = after.p99 / before.p99
            cells += [_ms(before.p99), _ratio(ratio, ratio <= MAX_RATIO)]
        cells.append(_ms(after.p99 / signed_in).replace("none answered", ""))
        cells.append(
            _ratio(admin.p99 / after.p99, admin.p99 / after.p99 >= ADMIN_RATIO) if admin else ""
        )
        table.append(cells)
    return table


HEADER = [
    "page",
    "p99 after ms",
    "p99 before ms",
    "after / before",
    "× signed-in nothing",
    "admin changelist / page",
]


def host_lines(results: dict) -> list[str]:
    bare, end = results["bare"].rate, results["bare at the end"].rate
    quiet = min(bare, end) >= QUIET_RATE
    slowest = max(results[(p.name, "after")].p99 for p in PAGES)
    lines = [
        f"bare view: {bare:,.0f} requests/s at the start, {end:,.0f} at the end; "
        f"signed-in page doing nothing: p99 {_ms(results['signed-in'].p99)} ms",
        f"quiet host? {'yes' if quiet else 'no'} (quiet: bare view ≥ {QUIET_RATE:,} requests/s)",
    ]
    if quiet:
        verdict = "met" if slowest < QUIET_P99_MS else "missed"
        lines.append(
            f"every page p99 < {QUIET_P99_MS} ms on a quiet host: {verdict}"
            f" (slowest {_ms(slowest)} ms)"
        )
    else:
        lines.append(
            f"p99 < {QUIET_P99_MS} ms is judged on a quiet host only"
            f" (slowest here {_ms(slowest)} ms)"
        )
    return lines


def print_table(results: dict, context: dict) -> None:
    widths = [max(len(HEADER[i]), *(len(r[i]) for r in rows(results))) for i in range(len(HEADER))]
    for cells in [HEADER, *rows(results)]:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    for line in host_lines(results):
        print(line)
    print(f"total {context['total']:,.0f} s")


def write_results(results: dict, context: dict) -> None:
    machine = (
        f"nproc {os.cpu_count()}, {_memory()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()} {platform.release()}"
    )
    run_at = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    before = f", before = {context['before']}" if context["before"] else ""
    lines = [
        "# Benchmark results",
        "",
        f"{machine} · `{context['command']}` · {run_at} · after = {context['after']}{before} · "
        f"{context['decisions']:,} decisions, wrk -t1 -c4, {context['rounds']} × "
        f"{context['seconds']} s a page and side, gunicorn 2 "
        f"workers, PostgreSQL · {context['total'] / 60:.0f} min",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows(results)]
    lines += ["", *(f"- {line}" for line in host_lines(results))]
    generated = ", ".join(f"{k} {v:.0f} s" for k, v in context["generated"].items())
    lines.append(f"- data generated in: {generated}")
    if any(r.ran_out for k, r in results.items() if isinstance(k, tuple) and r):
        lines.append("- ¹ the fresh episodes ran out before the time was up: fewer requests")
    lines += ["", NOTES]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return "memory unknown"


NOTES = """How to read it: docs/performance.md. ✗ marks a ratio that misses its goal (after / before
≤ 1.5; admin changelist / page ≥ 1.5). The URLs are in bench/pages.py.

POST pages are loaded by wrk with bench/wrk.lua: each request goes to a fresh episode (made
beforehand through each side's own services, with its own session), so every Save stores
values into an empty episode and every Record decision records a first decision, as a nurse
does; wrk rather than a Python client, so the load generator costs the same as for the GET
pages. Record decision posts the confirmation (the outcome's fingerprint); the earlier
revision recorded from the form's button, without a confirmation page."""
