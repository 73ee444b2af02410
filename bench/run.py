"""`make bench`: every benchmark of issue 8, one `name: value` line per figure, and
bench/RESULTS.md with the figures, the machine and the command. Nothing here passes or fails.

1. The evaluator on one core, against JsonLogic (bench/evaluator.py).
2. The screening log under load: a PostgreSQL database with --decisions decisions (made by
   `generate_demo_data`, timed), the app under gunicorn (2 workers, 127.0.0.1, DEBUG off) and
   `wrk` for --seconds each against a bare view (the floor), the cheapest signed-in page
   (admin's JavaScript catalogue: session and user, no work), the log's first page, a filtered
   page, page 500 (as reached with "Next", and by page number alone), page 499 (with
   "Previous" from there), the last page (with "Last") and Django admin's changelist of
   decisions. Two more routes measure a ceiling (bench/urls.py, served only here): a
   signed-in page that does nothing, and the log's first page kept whole in memory.
3. The impact preview of a draft over --episodes episodes: seconds, SQL queries (also at a
   fifth of the episodes, to show the count does not grow) and peak memory (tracemalloc).
4. SQL queries per page.

Only 127.0.0.1 is contacted; every load run is bounded by wrk's -d and a subprocess timeout,
and gunicorn is started and stopped here. The databases it makes (trialsite_bench,
trialsite_bench_impact) are dropped and made again on each run; no other is touched.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import evaluator  # noqa: E402
from bench.report import write_results  # noqa: E402

PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432/"
LOG_DB, IMPACT_DB = "trialsite_bench", "trialsite_bench_impact"
HOST, PORT = "127.0.0.1", 8765
SECRET = secrets.token_urlsafe(50)
SIGNED_IN = "signed-in page doing nothing (bench route)"
FROM_MEMORY = "log page 1 kept whole in memory (bench route)"
FIGURES: dict[str, object] = {}


def figure(name: str, value: object) -> None:
    FIGURES[name] = value
    shown = value
    if isinstance(value, float):  # ratios below 1 keep three decimals: 0.017, not 0.0
        shown = f"{value:,.1f}" if value >= 1 else f"{value:.3f}"
    print(f"{name}: {shown}", flush=True)


def _env(db: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": PG + db,
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_DEBUG": "0",
        "WHITENOISE_USE_FINDERS": "1",
    }


def _run(args: list[str], db: str, timeout: int = 900) -> str:
    done = subprocess.run(
        args, cwd=ROOT, env=_env(db), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _psql(db: str, *commands: str) -> None:
    args = ["psql", "-h", HOST, "-U", "postgres", "-d", db, "-q", "-v", "ON_ERROR_STOP=1"]
    for command in commands:
        args += ["-c", command]
    subprocess.run(args, check=True, timeout=600, capture_output=True)


def prepare(db: str, decisions: int) -> float:
    """A fresh database with the protocol and `decisions` decisions; the generator's seconds."""
    _psql("postgres", f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db}")
    _run([PY, "manage.py", "migrate", "--no-input", "-v0"], db)
    _run([PY, "manage.py", "load_protocol", "criteria/protocols/NCT01387295.json"], db)
    return generate(db, decisions)


def generate(db: str, decisions: int) -> float:
    args = ["generate_demo_data", "--decisions", str(decisions), "--force"]
    out = _run([PY, "manage.py", *args], db)
    # A running site's autovacuum would have done this by the time anyone reads the log.
    _psql(db, "VACUUM ANALYZE")
    return float(re.search(r"in ([\d.]+) s", out).group(1))


def site(db: str, action: str) -> dict:
    return json.loads(_run([PY, "bench/site.py", action], db).strip().splitlines()[-1])


@contextmanager
def gunicorn(db: str, root: Path = ROOT, settings: str = "trialsite.settings"):
    """gunicorn with 2 workers on 127.0.0.1 serving the code at `root` with `settings`,
    stopped (its whole process group) on exit."""
    args = [PY, "-m", "gunicorn", "trialsite.wsgi:application", "--workers", "2"]
    args += ["--bind", f"{HOST}:{PORT}", "--log-level", "warning"]
    env = {**_env(db), "DJANGO_SETTINGS_MODULE": settings}
    server = subprocess.Popen(args, cwd=root, env=env, start_new_session=True)
    try:
        for _ in range(100):
            if _status("/health/", "") == 200:
                break
            time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not answer /health/ within 20 s")
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _get(path: str, session: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, PORT, timeout=60)
    try:
        headers = {"Cookie": f"sessionid={session}"} if session else {}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""
    finally:
        connection.close()


def _status(path: str, session: str) -> int:
    return _get(path, session)[0]


def pager_link(path: str, session: str, label: str, key: str = "") -> str:
    """The pager's `label` link of a log page, as a person clicking would follow it; `key`:
    the query parameter it must carry."""
    status, html = _get(path, session)
    found = re.search(rf'href="(\?[^"]*)">{label}<', html)
    if status != 200 or not found or key not in found.group(1):
        raise SystemExit(f"no {label} link with {key or 'a page'} on {path} (HTTP {status})")
    return "/log/" + found.group(1).replace("&amp;", "&")


def wrk(path: str, session: str, seconds: int) -> tuple[float, float]:
    """(requests/s, p99 ms) of `seconds` of wrk: 1 thread, 4 connections, 2 per worker."""
    if _status(path, session) != 200:
        raise SystemExit(f"{path} does not answer 200 with the bench session")
    args = ["wrk", "-t1", "-c4", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    if session:
        args += ["-H", f"Cookie: sessionid={session}"]
    out = subprocess.run(
        [*args, f"http://{HOST}:{PORT}{path}"],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{path}: {errors.group(1)} responses were not 200\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    return rate, float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def bench_evaluator(count: int) -> None:
    for name, value in evaluator.main(count).items():
        FIGURES[name] = value


def bench_impact(episodes: int) -> None:
    fifth = site_after(IMPACT_DB, prepare(IMPACT_DB, episodes // 5), "impact")
    figure(f"impact preview queries at {fifth['episodes']:,} episodes", fifth["queries"])
    seconds = generate(IMPACT_DB, episodes - episodes // 5)
    full = site(IMPACT_DB, "impact")
    figure(f"generate_demo_data {episodes - episodes // 5:,} decisions s", seconds)
    figure(f"impact preview {full['episodes']:,} episodes s", full["seconds"])
    figure(f"impact preview queries at {full['episodes']:,} episodes", full["queries"])
    figure("impact preview changed outcomes", full["changed"])
    figure("impact preview peak memory MiB", full["peak_mib"])
    pages = site(IMPACT_DB, "queries")
    for name, page in pages.items():
        if not name.startswith("_"):
            figure(f"queries {name}", page["queries"])
            FIGURES.setdefault("_pages", {})[name] = page  # type: ignore[union-attr]


def site_after(db: str, seconds: float, action: str) -> dict:
    figure(f"generate_demo_data into {db} s", seconds)
    return site(db, action)


def log_targets(session: str, deep: int, ceilings: bool) -> dict[str, tuple[str, str]]:
    """What wrk loads: name -> (path, session cookie); `ceilings`: with the routes of
    bench/urls.py."""
    deeper = pager_link(f"/log/?page={deep - 1}", session, "Next", key="after=")
    # Earlier code gave this link no key: any "Next" link, as a person would follow it.
    by_outcome = pager_link(f"/log/?sort=-outcome&page={deep - 1}", session, "Next")
    targets = {
        "floor (/health/)": ("/health/", ""),
        # The cheapest signed-in page Django has: session, user and a tiny response.
        "signed-in floor (/admin/jsi18n/)": ("/admin/jsi18n/", session),
        "log page 1": ("/log/", session),
        "log filtered": ("/log/?outcome=ineligible&signoff=unsigned", session),
        f"log page {deep} (Next link)": (deeper, session),
        f"log page {deep - 1} (Previous link)": (pager_link(deeper, session, "Previous"), session),
        f"log page {deep} (page number)": (f"/log/?page={deep}", session),
        f"log page {deep} by outcome (Next link)": (by_outcome, session),
        "log last page (Last link)": (pager_link("/log/", session, "Last"), session),
        "admin decisions changelist": ("/admin/screening/decision/", session),
    }
    if ceilings:
        targets[SIGNED_IN] = ("/bench/signed-in/", session)
        targets[FROM_MEMORY] = ("/bench/log-from-memory/", session)
    return targets


def bench_log(decisions: int, seconds: int, before: str | None) -> None:
    figure(f"generate_demo_data {decisions:,} decisions s", prepare(LOG_DB, decisions))
    session = site(LOG_DB, "session")["sessionid"]
    deep = max(2, min(500, decisions // 50))  # page 500 at 100,000 decisions
    with gunicorn(LOG_DB, settings="bench.settings"):
        targets = log_targets(session, deep, ceilings=True)
        for name, (path, cookie) in targets.items():
            rate, p99 = wrk(path, cookie, seconds)
            figure(f"{name} requests/s", rate)
            figure(f"{name} p99 ms", p99)
            FIGURES.setdefault("_paths", {})[name] = path  # type: ignore[union-attr]
    log = FIGURES["log page 1 requests/s"]
    figure("log vs floor", log / FIGURES["floor (/health/) requests/s"])  # type: ignore[operator]
    figure("log vs admin", log / FIGURES["admin decisions changelist requests/s"])  # type: ignore[operator]
    signed_in = FIGURES["signed-in floor (/admin/jsi18n/) requests/s"]
    figure("log vs signed-in floor", log / signed_in)  # type: ignore[operator]
    # The ceilings: no signed-in log page can beat them, however it is made.
    floor = FIGURES["floor (/health/) requests/s"]
    nothing, kept = FIGURES[f"{SIGNED_IN} requests/s"], FIGURES[f"{FROM_MEMORY} requests/s"]
    figure("signed-in page doing nothing vs floor", nothing / floor)  # type: ignore[operator]
    figure("log kept whole in memory vs floor", kept / floor)  # type: ignore[operator]
    if before:
        bench_log_before(before, session, deep, seconds)


def bench_log_before(revision: str, session: str, deep: int, seconds: int) -> None:
    """The same load on the same database, served by the code of an earlier `revision` (a
    git worktree of it, sharing this checkout's venv), right after this code's run: the
    before -> after of one machine in one state. The earlier code must read this schema."""
    commit = _git("rev-parse", "--short", revision).strip()
    tree = Path(f"/tmp/trialsite-bench-{commit}")
    if not tree.exists():
        _git("worktree", "add", "--detach", str(tree), commit)
    for shared in (".venv", "node_modules"):
        if not (tree / shared).exists():
            (tree / shared).symlink_to(ROOT / shared)
    FIGURES["_before"] = {"revision": commit, "figures": {}}
    with gunicorn(LOG_DB, root=tree):
        for name, (path, cookie) in log_targets(session, deep, ceilings=False).items():
            rate, p99 = wrk(path, cookie, seconds)
            print(f"before ({commit}) {name}: {rate:,.1f} req/s, p99 {p99:,.1f} ms", flush=True)
            FIGURES["_before"]["figures"][name] = (rate, p99)  # type: ignore[index]


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--episodes", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--candidates", type=int, default=20_000)
    parser.add_argument("--only", choices=["evaluator", "impact", "log"], action="append")
    parser.add_argument(
        "--before", metavar="REVISION", help="also load the log served by this git revision"
    )
    args = parser.parse_args()
    only = set(args.only or ["evaluator", "impact", "log"])
    started = time.perf_counter()
    if "evaluator" in only:
        bench_evaluator(args.candidates)
    if "impact" in only:
        bench_impact(args.episodes)
    if "log" in only:
        bench_log(args.decisions, args.seconds, args.before)
    figure("bench total s", time.perf_counter() - started)
    write_results(FIGURES, command=" ".join(["bench/run.py", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
