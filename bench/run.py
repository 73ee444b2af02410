"""`make bench`: every page a user opens, timed under load, after against before, in one run.

With `--before REVISION`, that revision is checked out in a temporary git worktree
(/tmp/bench-before, removed afterwards). Each side gets its own PostgreSQL database, made by
its own migrations, holding the same volume of data (--decisions decided candidates, made by
that side's generator), and its own gunicorn (2 workers, 127.0.0.1, DEBUG off). Then each page
of bench/pages.py is loaded by `wrk` (1 thread, 4 connections, --seconds a run) on before,
then after, then before and after again (--rounds), page after page, so a change in the
host's load hits both sides alike; each side's runs of a page are merged into one p99. List
pages are also compared with Django admin's changelist over the same rows, and every page
with a signed-in page that does nothing (bench/urls.py). POST pages (Save, Record decision)
go to a fresh episode per request, through bench/wrk.lua. The table is printed and written to
bench/RESULTS.md (bench/report.py). Nothing here passes or fails.

Only 127.0.0.1 is contacted. The databases (trialsite_bench, trialsite_bench_before) are
dropped and made again on each run; no other is touched. gunicorn and wrk are started and
stopped here, each bounded by a timeout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import re
import secrets
import signal
import string
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import BARE, PAGES, SIGNED_IN, Page, fill, placeholders  # noqa: E402
from bench.report import Measure, print_table, write_results  # noqa: E402
from deploy.smoke_client import form_data  # noqa: E402

PY = sys.executable
PG = "postgres://postgres@127.0.0.1:5432/"
HOST = "127.0.0.1"
BEFORE_TREE = Path("/tmp/bench-before")
SECRET = secrets.token_urlsafe(50)
# The CSRF cookie's secret and the form's token: Django accepts the unmasked secret as token.
CSRF = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
# The production smoke test's patient, who meets every criterion (JSON form).
CASE = json.loads((ROOT / "deploy/smoke-case.json").read_text())["values"]
POOL_PER_SECOND = 160  # fresh episodes per second of a POST run; the run stops if they run out
# (80 ran out on both sides: Save and Record decision answered more than 80 a second)
CONNECTIONS = 4
TIMEOUT_S = 10


@dataclass
class Side:
    name: str
    tree: Path
    db: str
    port: int
    settings: str = "trialsite.settings"
    values: dict = field(default_factory=dict)  # placeholders of bench/pages.py
    pools: dict = field(default_factory=dict)  # POST page name -> [pool lines]

    def env(self) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": PG + self.db,
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": self.settings,
            "WHITENOISE_USE_FINDERS": "1",
        }

    def run(self, *args: str, timeout: int = 1800) -> str:
        done = subprocess.run(
            [PY, *args], cwd=self.tree, env=self.env(), capture_output=True, text=True,
            timeout=timeout,
        )  # fmt: skip
        if done.returncode:
            raise SystemExit(f"{self.name}: {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout


def psql(db: str, *commands: str) -> str:
    args = ["psql", "-h", HOST, "-U", "postgres", "-d", db, "-qAt", "-v", "ON_ERROR_STOP=1"]
    for command in commands:
        args += ["-c", command]
    return subprocess.run(args, check=True, timeout=600, capture_output=True, text=True).stdout


def prepare(side: Side, decisions: int, seconds: int) -> float:
    """The side's database: its own schema, the protocol, `decisions` decided candidates, and
    fresh episodes for the POST pages. Returns the generator's seconds."""
    psql("postgres", f"DROP DATABASE IF EXISTS {side.db}", f"CREATE DATABASE {side.db}")
    side.run("manage.py", "migrate", "--no-input", "-v0")
    side.run("manage.py", "load_protocol", "criteria/protocols/NCT01387295.json")
    started = time.perf_counter()
    if side.name == "after":
        side.run(str(ROOT / "bench/data.py"), str(decisions))
    else:  # the earlier revision's own generator
        side.run("manage.py", "generate_demo_data", "--decisions", str(decisions), "--force")
    generated = time.perf_counter() - started
    psql(side.db, "VACUUM ANALYZE")
    prepare_script = str(ROOT / "bench/prepare.py")
    for page in PAGES:
        if page.method == "POST":
            kind = "record" if "decide" in page.path else "save"
            path = f"/tmp/bench-pool-{side.name}-{kind}.jsonl"
            side.run(prepare_script, "pool", path, str(seconds * POOL_PER_SECOND), kind)
            lines = Path(path).read_text().splitlines()
            side.pools[page.name] = [json.loads(line) for line in lines]
    found = json.loads(side.run(prepare_script, "targets").strip().splitlines()[-1])
    side.values = placeholders(today=dt.date.today(), **_without(found, "session"))
    side.values["session"] = found["session"]
    return generated


def _without(found: dict, key: str) -> dict:
    return {k: v for k, v in found.items() if k != key}


@contextmanager
def gunicorn(side: Side):
    """gunicorn with 2 workers serving the side's tree, stopped (its process group) on exit;
    its output goes to /tmp/bench-gunicorn-SIDE.log."""
    args = [PY, "-m", "gunicorn", "trialsite.wsgi:application", "--workers", "2"]
    args += ["--bind", f"{HOST}:{side.port}", "--log-level", "warning"]
    log = open(f"/tmp/bench-gunicorn-{side.name}.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        args, cwd=side.tree, env=side.env(), stdout=log, stderr=log, start_new_session=True
    )
    try:
        for _ in range(100):
            if request(side, "GET", "/health/")[0] == 200:
                break
            time.sleep(0.2)
        else:
            raise SystemExit(f"{side.name}: gunicorn did not answer /health/ within 20 s")
        yield
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def request(side: Side, method: str, path: str, cookie: str = "", body: str = ""):
    """(status, Location) of one request, or (0, "") if the server did not answer."""
    connection = http.client.HTTPConnection(HOST, side.port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    except OSError:
        return 0, ""
    finally:
        connection.close()


def cookie(session: str) -> str:
    return f"sessionid={session}; csrftoken={CSRF}"


def post_lines(side: Side, page: Page) -> list[str]:
    """The pool as "path<TAB>cookie<TAB>body" lines, one fresh episode each."""
    lines = []
    for item in side.pools[page.name]:
        if "decide" in page.path:  # Record decision: the confirmation of the outcome shown
            fields = {
                "fingerprint": item["fingerprint"],
                "screen_failure_reason": "",
                "confirm": "",
            }
        else:
            fields = {**form_data(CASE), "save": ""}
        body = urlencode({"csrfmiddlewaretoken": CSRF, **fields})
        path = fill(page.path, {**side.values, "fresh": item["number"]})
        lines.append(f"{path}\t{cookie(item['session'])}\t{body}")
    return lines


def probe(side: Side, page: Page) -> str:
    """'' if the page answers as it should on this side, else why not. A POST page's probe
    uses up the pool's first episode."""
    if page.method == "GET":
        path = fill(page.path, side.values)
        status, _ = request(side, "GET", path, cookie(side.values["session"]))
        return "" if status == 200 else f"GET {path}: HTTP {status}"
    path, sent_cookie, body = post_lines(side, page)[0].split("\t")
    number = side.pools[page.name].pop(0)["number"]
    status, location = request(side, "POST", path, sent_cookie, body)
    if "decide" in page.path:  # recorded: on to the candidate's page
        answered = location.endswith(f"/candidates/{number}/")
    else:  # saved: back to the form
        answered = f"/candidates/{number}/episodes/1/" in location
    if status != 302 or not answered:
        return f"POST {path}: HTTP {status} to {location or 'nowhere'}"
    return ""


def wrk(side: Side, path: str, seconds: int, session: str = "", lines=None) -> Measure:
    """One wrk run; `lines`: a POST page's prepared requests (bench/wrk.lua)."""
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", f"{TIMEOUT_S}s"]
    args += ["-s", str(ROOT / "bench/wrk.lua")]
    latencies = Path(f"/tmp/bench-latencies-{side.name}.txt")
    env = {**os.environ, "BENCH_LATENCIES": str(latencies)}
    if lines is not None:
        requests = Path(f"/tmp/bench-requests-{side.name}.tsv")
        requests.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env["BENCH_REQUESTS"] = str(requests)
    else:
        status, _ = request(side, "GET", path, cookie(session) if session else "")
        if status != 200:  # wrk would count a redirect as an answer
            raise SystemExit(f"{side.name}: GET {path} answers HTTP {status}, not 200")
        if session:
            args += ["-H", f"Cookie: {cookie(session)}"]
    out = subprocess.run(
        [*args, f"http://{HOST}:{side.port}{path}"], capture_output=True, text=True,
        timeout=seconds + 60, check=True, env=env,
    ).stdout  # fmt: skip
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{side.name} {path}: {errors.group(1)} responses were errors\n{out}")
    took = float(re.search(r"requests in ([\d.]+)s", out).group(1))
    counts, sent = Counter(), 0
    for line in latencies.read_text().splitlines():
        microseconds, count = line.split()
        if microseconds == "sent":
            sent = int(count)
        else:
            counts[int(microseconds)] += int(count)
    # A request wrk gave up on after --timeout counts as taking that long, not as none.
    timeouts = re.search(r"timeout (\d+)", out)
    if timeouts:
        counts[TIMEOUT_S * 1_000_000] += int(timeouts.group(1))
    return Measure(counts, took, sent=sent)


def measure(side: Side, page: Page, seconds: int) -> Measure | None:
    """One run of the page under load on this side; None when the side does not have it.
    A page whose one request takes more than a quarter of `seconds` runs for four times that
    (at most a minute), so that some of its requests are answered within the run."""
    started = time.perf_counter()
    why = probe(side, page)
    seconds = max(seconds, min(60, math.ceil(4 * (time.perf_counter() - started))))
    if why:
        if page.new and side.name == "before":
            return None
        raise SystemExit(f"{side.name}: {page.name} does not answer as it should: {why}")
    if page.method == "GET":
        return wrk(side, fill(page.path, side.values), seconds, side.values["session"])
    lines = post_lines(side, page)
    result = wrk(side, lines[0].split("\t")[0], seconds, lines=lines)
    result.ran_out = result.sent >= len(lines)
    used = side.pools[page.name][: result.sent]
    del side.pools[page.name][: len(used)]
    done = _done(side, used)
    if done < min(result.requests, len(used)):
        raise SystemExit(f"{side.name}: {page.name}: {result.requests} sent, {done} took effect")
    return result


def _done(side: Side, used: list[dict]) -> int:
    """How many of the `used` episodes a POST page changed: decided, or values saved."""
    numbers = ",".join(f"'{item['number']}'" for item in used)
    changed = "(s.status = 'decided' OR s.\"values\" <> '{}'::jsonb)"
    return int(
        psql(
            side.db,
            "SELECT count(*) FROM screening_screening s JOIN screening_candidate c"
            f" ON c.id = s.candidate_id WHERE c.screening_number IN ({numbers}) AND {changed}",
        ).strip()
    )


def before_tree(revision: str) -> Path:
    if BEFORE_TREE.exists():
        git("worktree", "remove", "--force", str(BEFORE_TREE))
    git("worktree", "add", "--detach", str(BEFORE_TREE), revision)
    for shared in (".venv", "node_modules"):
        (BEFORE_TREE / shared).symlink_to(ROOT / shared)
    return BEFORE_TREE


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


def load(sides: list[Side], seconds: int, rounds: int) -> dict:
    """Every page on every side: before, after, before, after ... (`rounds` of each), page by
    page; each page's runs on one side merged into one Measure."""
    after = sides[-1]
    results: dict = {"bare": wrk(after, BARE.path, seconds)}
    results["signed-in"] = wrk(after, SIGNED_IN.path, seconds, after.values["session"])
    for page in PAGES:
        for _round in range(rounds):
            for side in sides:
                _add(results, (page.name, side.name), measure(side, page, seconds))
            if page.admin:
                admin = fill(page.admin, after.values)
                _add(
                    results,
                    (page.name, "admin"),
                    wrk(after, admin, seconds, after.values["session"]),
                )
        for side in sides:
            print(f"{side.name:>6} {page.name}: {results[(page.name, side.name)]}", flush=True)
    results["bare at the end"] = wrk(after, BARE.path, seconds)
    return results


def _add(results: dict, key: tuple, measured: Measure | None) -> None:
    earlier = results.get(key)
    results[key] = measured if earlier is None or measured is None else earlier + measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=5, help="of each wrk run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each page on each side")
    parser.add_argument("--before", metavar="REVISION", help="compare with this git revision")
    args = parser.parse_args()
    started = time.perf_counter()
    after = Side("after", ROOT, "trialsite_bench", 8765, settings="bench.settings")
    sides = [after]
    try:
        if args.before:
            tree = before_tree(args.before)
            sides.insert(0, Side("before", tree, "trialsite_bench_before", 8766))
        with ThreadPoolExecutor(max_workers=len(sides)) as pool:
            runs = args.seconds * args.rounds
            made = list(pool.map(lambda s: prepare(s, args.decisions, runs), sides))
        with ExitStack() as servers:
            for side in sides:
                servers.enter_context(gunicorn(side))
            results = load(sides, args.seconds, args.rounds)
    finally:
        if args.before and BEFORE_TREE.exists():
            git("worktree", "remove", "--force", str(BEFORE_TREE))
    context = {
        "command": "make bench" + (f' BENCH_ARGS="{" ".join(sys.argv[1:])}"' * bool(sys.argv[1:])),
        "before": git("rev-parse", "--short", args.before) if args.before else "",
        "after": git("rev-parse", "--short", "HEAD"),
        "decisions": args.decisions,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "generated": dict(zip([s.name for s in sides], made, strict=True)),
        "total": time.perf_counter() - started,
    }
    print_table(results, context)
    write_results(results, context)


if __name__ == "__main__":
    main()
