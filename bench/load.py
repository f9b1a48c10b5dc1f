"""HTTP throughput: Bypuls under gunicorn beside bare Flask routes, all loaded by wrk in one run.

wrk shares the two cores with the server, so absolute figures swing with
whatever else the machine does; the ratio to the bare route measured in the
same round (hello for pages, one insert and commit for the answer POST) is the
figure to compare between runs. Three rounds, the best of each kind counts;
the rounds show how much the machine drifted meanwhile. The same runs go to
SQLite and to PostgreSQL, and whole journeys (bench/journeys.py) give the
completed responses per second.
"""
import contextlib
import http.client
import os
import re
import secrets
import signal
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select, text

from bench import hello, journeys, projector
from bench.report import cpu_busy, seconds, table
from bench.scale import bench_app, ensure_postgres_database, fresh_schema
from engagement.demo.seed import seed
from engagement.touchpoints.models import Touchpoint
from extensions import db
from surveys.models import Survey

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
SUBMIT_SCRIPT = BENCH / "submit.lua"
INSERT_SCRIPT = BENCH / "insert.lua"
JOURNEY_SCRIPT = BENCH / journeys.JOURNEY_SCRIPT
WORKERS = 2
WORKER_CLASS = "sync"
THREADS, CONNECTIONS = 2, 32
WARM_UP = 3
ROUNDS = 3
DEMO_SLUG = "unge-i-bymidten"
# A valid response key that no response uses: every GET shows the first screen afresh.
FIXED_KEY = "benchBENCHbench0123456789"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@dataclass
class WrkRun:
    kind: str  # "hello", "insert", "page", "scan", "projector" or "submit"
    requests: int
    rps: float
    p50: float
    p99: float
    socket_errors: dict[str, int]
    bad_status: int
    statuses: dict[str, int] = field(default_factory=dict)
    busy: float = 0.0
    round: int = 0
    stored: tuple[int, int] = (0, 0)  # submissions: new responses and their answer rows


@dataclass
class FirstScreen:
    slug: str
    question_id: int
    choice_id: int
    questions: int  # in the survey, shown or not
    scan_code: str = ""  # a demo touchpoint's code: /q/<code> counts a scan and sends people on
    touchpoints: tuple[tuple[int, str], ...] = ()  # (id, code) of each of the survey's touchpoints

    def path(self, key: str = FIXED_KEY) -> str:
        return f"/s/{self.slug}/{key}/{self.question_id}"


def seed_demo_database(folder: Path, url: str | None = None) -> str:
    """The demo (two open surveys with 520 responses, four staff) in a new SQLite file, or in the
    PostgreSQL database of `url` (wiped); the URL."""
    if url is None:
        url = f"sqlite:///{folder}/http.sqlite3"
    else:
        ensure_postgres_database(url)
    with bench_app(url).app_context():
        fresh_schema()
        seed(db.session)
        db.session.commit()
        db.engine.dispose()
    return url


def first_screen(url: str) -> FirstScreen:
    with bench_app(url).app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))
        question = survey.questions[0]
        touchpoints = tuple(db.session.execute(select(Touchpoint.id, Touchpoint.code).where(
            Touchpoint.survey_id == survey.id, Touchpoint.active).order_by(Touchpoint.id)).tuples())
        found = FirstScreen(survey.slug, question.id, question.choices[1].id, len(survey.questions),
                            touchpoints[0][1], touchpoints)
        db.engine.dispose()
        return found


def server_env(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "BYPULS_ENV"}
    env.update(SECRET_KEY=secrets.token_urlsafe(48), DATABASE_URL=url, PYTHONPATH=str(ROOT))
    return env


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(target: str, env: dict, log: Path):
    """gunicorn serving `target` on a free local port until the block ends; yields the port."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", WORKER_CLASS,
               "--bind", f"127.0.0.1:{port}", "--error-logfile", str(log), target]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(server, port, log)
        yield port
    finally:
        server.terminate()  # gunicorn's master stops its workers gracefully on SIGTERM
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_until_up(server: subprocess.Popen, port: int, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with {server.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            fetch(port, "GET", "/")
            return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{log.read_text()[-2000:]}")


def fetch(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    """One request without following redirects: (status, headers, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body, headers or {})
        reply = conn.getresponse()
        return reply.status, reply.headers, reply.read().decode("utf-8", "replace")
    finally:
        conn.close()


def wrk(kind: str, port: int, path: str, duration: int, script_args: list[str] | None = None,
        number: int = 0, headers: dict | None = None, base: str | None = None,
        script: Path = SUBMIT_SCRIPT) -> WrkRun:
    """wrk against http://127.0.0.1:`port`, or against `base` (e.g. nginx's https:// address) when given;
    `script` (submit.lua unless said) runs when `script_args` are given."""
    busy = cpu_busy() if number else 0.0
    out = wrk_output(f"{base or f'http://127.0.0.1:{port}'}{path}", duration,
                     script if script_args is not None else None, script_args or [], headers)
    run = parse_wrk(kind, out)
    run.busy, run.round = busy, number
    return run


def wrk_output(address: str, duration: int, script: Path | None = None, script_args: list[str] = (),
               headers: dict | None = None, threads: int = THREADS, connections: int = CONNECTIONS) -> str:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    command.append(address)
    if script is not None:
        command += ["--", *script_args]
    return subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True).stdout


def journey_seconds(duration: int) -> int:
    """Long enough for every connection to finish several journeys of 10 to 18 requests each."""
    return max(2 * duration, 8)


def journey_run(base: str, mode: str, journey: journeys.Plan, walked: journeys.Walk, duration: int,
                number: int, referer: str = "-") -> journeys.Journeys:
    """Closed-loop journeys in `mode` against `base`: one wrk thread per connection (journey.lua)."""
    if mode == "js" and not walked.inline:
        return journeys.Journeys(mode, round=number, skipped="the server answered the inline POST "
                                 "(X-Bypuls-Inline: 1) with a 303, not the next page: not built yet")
    busy = cpu_busy()
    out = wrk_output(f"{base}/", duration, JOURNEY_SCRIPT,
                     journeys.script_args(mode, journey, walked.cookie, walked.token, referer),
                     threads=CONNECTIONS, connections=CONNECTIONS)
    run = journeys.parse(mode, out)
    run.busy, run.round, run.per_journey = busy, number, walked.requests
    return run


def parse_wrk(kind: str, out: str) -> WrkRun:
    def number(pattern: str, default: str = "0") -> float:
        found = re.search(pattern, out, re.MULTILINE)
        return float(found.group(1) if found else default)

    def percentile(p: int) -> float:
        found = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
        return float(found.group(1)) * UNITS[found.group(2)] if found else float("nan")

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    kinds = ("connect", "read", "write", "timeout")
    socket_errors = dict(zip(kinds, map(int, errors.groups()), strict=True)) if errors else {}
    statuses_line = re.search(r"^statuses: (.*)$", out, re.MULTILINE)
    statuses = dict(part.split("=") for part in statuses_line.group(1).split()) if statuses_line else {}
    if exhausted := re.search(r"^exhausted=(\d+)$", out, re.MULTILINE):  # submit.lua ran out of keys
        statuses["keys ran out"] = exhausted.group(1)
    return WrkRun(kind, int(number(r"(\d+) requests in")), number(r"Requests/sec:\s+([\d.]+)"),
                  percentile(50), percentile(99), socket_errors, int(number(r"Non-2xx or 3xx responses: (\d+)")),
                  {k: int(v) for k, v in statuses.items()})


def start_session(port: int, screen: FirstScreen) -> tuple[str, str]:
    """The cookie header ("-": none) and the form token a phone gets when it opens the first screen."""
    status, headers, html = fetch(port, "GET", screen.path())
    if status != 200:
        raise RuntimeError(f"GET {screen.path()} gave {status}")
    cookie = headers["Set-Cookie"].split(";")[0] if headers.get("Set-Cookie") else "-"
    return cookie, CSRF.search(html).group(1)


def new_prefix() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(8))


KEYS_PER_THREAD = 40_000  # more than a thread sends in a run of this bench


def write_keys(path: Path, secret: str, slug: str, prefix: str, threads: int = THREADS) -> Path:
    """The keys submit.lua posts with and their form tokens (surveys.public.form_token with the server's
    `secret`): "<path>.N" for wrk's thread N, one "key token" per line; every key starts with `prefix`."""
    from surveys.public import form_token
    for thread in range(1, threads + 1):
        with open(f"{path}.{thread}", "w", encoding="ascii") as file:
            for number in range(KEYS_PER_THREAD):
                start = f"{prefix}{thread}x{number}x"
                key = start + secrets.token_urlsafe(24)[:32 - len(start)]
                file.write(f"{key} {form_token(slug, key, secret)}\n")
    return path


def submission_args(port: int, screen: FirstScreen, prefix: str, secret: str, folder: Path) -> list[str]:
    """wrk's arguments for submit.lua, after checking by hand that such a post is stored (303)."""
    from surveys.public import form_token
    cookie, _token = start_session(port, screen)
    key = "check" + secrets.token_urlsafe(16)
    body = f"csrf_token={form_token(screen.slug, key, secret)}&q{screen.question_id}={screen.choice_id}"
    status, _headers, _body = fetch(port, "POST", screen.path(key), body,
                                    {"Content-Type": "application/x-www-form-urlencoded",
                                     **({"Cookie": cookie} if cookie != "-" else {})})
    if status != 303:
        raise RuntimeError(f"A submission by hand gave {status}, not 303: the benchmark would measure errors")
    keys = write_keys(folder / f"keys-{prefix}", secret, screen.slug, prefix)
    return [screen.slug, str(screen.question_id), str(screen.choice_id), str(keys), cookie]


def stored(url: str, prefix: str) -> tuple[int, int]:
    """How many responses, and answer rows of them, have keys starting with `prefix`."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text(
                "SELECT count(DISTINCT r.id), count(a.id) FROM responses r LEFT JOIN answers a ON a.response_id = r.id"
                " WHERE substr(r.key, 1, :length) = :prefix"), {"length": len(prefix), "prefix": prefix}).one())
    finally:
        engine.dispose()


@dataclass
class HttpRun:
    database: str  # "SQLite" or "PostgreSQL"
    runs: list[WrkRun]
    journeys: list[journeys.Journeys]
    walks: dict[str, journeys.Walk]  # each way's journey walked by hand in the first round
    gunicorn: str

    def of(self, kind: str) -> list[WrkRun]:
        return [r for r in self.runs if r.kind == kind]

    def limit(self, run: WrkRun) -> WrkRun:
        """The bare route `run` is compared with in its round: one insert for the POST, hello for the rest."""
        kind = "insert" if run.kind == "submit" else "hello"
        return next(r for r in self.of(kind) if r.round == run.round)

    def ratio(self, run: WrkRun) -> float:
        """`run`'s rate over its bare route's rate in the same round."""
        return run.rps / self.limit(run).rps

    def best(self, kind: str) -> WrkRun:
        """The round in which `kind` was fastest (its p99 comes with it): the one least disturbed."""
        return max(self.of(kind), key=lambda r: r.rps)

    def best_ratio(self, kind: str) -> float:
        """Best rate of `kind` over the best rate of its bare route, each the best of the rounds: other
        work on the machine can slow one run of a round and not the other, never speed one up."""
        return self.best(kind).rps / self.best("insert" if kind == "submit" else "hello").rps

    def best_journeys(self, mode: str) -> journeys.Journeys | None:
        runs = [r for r in self.journeys if r.mode == mode]
        measured = [r for r in runs if not r.skipped]
        return max(measured, key=lambda r: r.rate) if measured else (runs[0] if runs else None)


def run_http(folder: Path, url: str, duration: int, log=print, rounds: int = ROUNDS,
             database: str = "SQLite") -> HttpRun:
    """Rounds of hello and one insert, then survey page, scan, projector refresh, submission and whole
    journeys both ways, each round in a fresh gunicorn for the bare app and one for Bypuls."""
    screen = first_screen(url)
    live_path = f"/staff/classes/{projector.add_class_session(url, screen.slug)}/live"
    env = server_env(url)
    hello.create_insert_table(url)
    # Each way scans its own poster, so the database tells their completed responses apart.
    spare = screen.touchpoints[1:] or screen.touchpoints
    plans = {mode: journeys.plan(url, screen.slug, spare[i % len(spare)]) for i, mode in enumerate(journeys.MODES)}
    runs, journey_runs, walks = [], [], {}
    for number in range(1, rounds + 1):
        with serve("bench.hello:app", env, folder / "gunicorn-hello.log") as port:
            wrk("warm-up", port, "/", WARM_UP)
            runs.append(wrk("hello", port, "/", duration, number=number))
            wrk("warm-up", port, "/insert", WARM_UP, [], script=INSERT_SCRIPT)
            runs.append(wrk("insert", port, "/insert", duration, [], number, script=INSERT_SCRIPT))
        with serve("app:create_app()", env, folder / "gunicorn-app.log") as port:
            wrk("warm-up", port, screen.path(), WARM_UP)
            runs.append(wrk("page", port, screen.path(), duration, number=number))
            wrk("warm-up", port, f"/q/{screen.scan_code}", WARM_UP)
            runs.append(wrk("scan", port, f"/q/{screen.scan_code}", duration, number=number))
            teacher = {"Cookie": projector.teacher_cookie(port, fetch, CSRF)}
            projector.check_live(port, fetch, live_path, teacher["Cookie"])
            wrk("warm-up", port, live_path, WARM_UP, headers=teacher)
            runs.append(wrk("projector", port, live_path, duration, number=number, headers=teacher))
            secret = env["SECRET_KEY"]
            wrk("warm-up", port, "/", WARM_UP, submission_args(port, screen, new_prefix(), secret, folder))
            prefix = new_prefix()
            runs.append(wrk("submit", port, "/", duration, submission_args(port, screen, prefix, secret, folder),
                            number))
            counted = []
            for mode, journey in plans.items():
                walked = journeys.walk(f"http://127.0.0.1:{port}", journey, mode)
                walks[mode] = walked  # the last round's: the app may change between rounds during work
                after = journeys.last_response_id(url)
                counted.append((journey_run(f"http://127.0.0.1:{port}", mode, journey, walked,
                                            journey_seconds(duration), number),
                                journey.touchpoint_id, after))
        # Counted once gunicorn has finished every request.
        runs[-1].stored = stored(url, prefix)
        for run, touchpoint_id, after in counted:
            run.stored = journeys.stored(url, touchpoint_id, after) if not run.skipped else run.stored
            journey_runs.append(run)
        log("  {} round {}: {}; journeys {}".format(
            database, number, ", ".join(f"{r.kind} {r.rps:.0f}/s" for r in runs[-6:]),
            ", ".join(f"{r.mode} {r.rate:.1f}/s" if not r.skipped else f"{r.mode} not measured"
                      for r, _t, _a in counted)))
    version = subprocess.run([sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True,
                             timeout=30).stdout.strip()
    return HttpRun(database, runs, journey_runs, walks, version)


PAGE_TARGET = 0.4  # first screen GET, of hello
SCAN_TARGET = 0.6  # scan, of hello
SUBMIT_TARGET = 0.5  # answer POST, of the one-insert route
SUBMIT_P99 = 0.1

LABELS = {"hello": "hello (bench/hello.py)", "insert": "one insert and commit: POST /insert (bench/hello.py)",
          "page": "survey page: GET of the first screen",
          "submit": "answer POST: the first screen, new key",
          "scan": "scan: GET /q/<code> (stores a scan, 303 onwards)",
          "projector": "projector refresh: GET /staff/classes/<id>/live (a class of 28, JSON)"}
WAYS = {"nojs": "without JavaScript (POST → 303 → GET)", "js": "with JavaScript (inline POST → next page)"}


def targets(result: HttpRun) -> list[list[str]]:
    """[target, measured (best of the rounds), met] for the Targets table and the section."""
    ratio, submit = result.best_ratio, result.best("submit")
    where = f"{result.database}, best of {len(result.of('hello'))}"
    return [
        [f"First screen GET at least {PAGE_TARGET:.0%} of hello/s ({where})", f"{ratio('page'):.0%}",
         mark(ratio("page") >= PAGE_TARGET)],
        [f"Scans (`/q/<code>`) at least {SCAN_TARGET:.0%} of hello/s ({where})", f"{ratio('scan'):.0%}",
         mark(ratio("scan") >= SCAN_TARGET)],
        [f"Answer POST at least {SUBMIT_TARGET:.0%} of one insert and commit/s ({where})",
         f"{ratio('submit'):.0%}", mark(ratio("submit") >= SUBMIT_TARGET)],
        [f"Answer POST p99 under {seconds(SUBMIT_P99)} at {CONNECTIONS} connections ({where})",
         seconds(submit.p99), mark(submit.p99 < SUBMIT_P99)],
        [f"Projector refresh vs hello/s ({where}; no target)", f"{ratio('projector'):.0%}", "–"],
        *[[f"Completed 8-screen responses/s {WAYS[mode]} ({where}; no target)",
           journeys.rate_of(run) if run else "–", "–"]
          for mode in journeys.MODES for run in [result.best_journeys(mode)]],
    ]


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def section(result: HttpRun, duration: int) -> str:
    best_rows = []
    for kind in ("hello", "insert", "page", "scan", "submit", "projector"):
        run = result.best(kind)
        compared = "–" if kind == "hello" else ("one insert" if kind == "submit" else "hello")
        target = {"page": PAGE_TARGET, "scan": SCAN_TARGET, "submit": SUBMIT_TARGET}.get(kind)
        best_rows.append([LABELS[kind], run.round, f"{run.rps:,.0f}", seconds(run.p50), seconds(run.p99), compared,
                          "–" if kind == "hello" else f"{result.best_ratio(kind):.0%}",
                          f"≥ {target:.0%}: {mark(result.best_ratio(kind) >= target)}" if target else "–"])
    rounds = [[r.round, LABELS[r.kind], f"{r.rps:,.0f}", "–" if r.kind == "hello" else f"{result.ratio(r):.0%}",
               seconds(r.p50), seconds(r.p99), f"{r.requests:,}", errors(r), f"{r.busy:.0%}"] for r in result.runs]
    screens = result.walks["nojs"].screens if "nojs" in result.walks else "the"
    journey_rows = [[WAYS[r.mode], r.round, journeys.summary_of(r), f"{r.busy:.0%}" if not r.skipped else "–",
                     r.first_failure if r.failures else "none"] for r in result.journeys]
    return "\n".join([
        f"## 2. HTTP throughput, {result.database}", "",
        f"{result.gunicorn}, {WORKERS} `{WORKER_CLASS}` workers on 127.0.0.1 (a fresh server for the bare app "
        "and one for Bypuls in each round), against the seeded demo in "
        + ("SQLite (WAL, synchronous=FULL, busy_timeout 10 s, as the app sets it)" if result.database == "SQLite"
           else "PostgreSQL (the `bench` database)")
        + f"; `wrk -t{THREADS} -c{CONNECTIONS} -d{duration}s --latency --timeout 10s` from a second process "
        f"after a {WARM_UP} s warm-up. The bare app (bench/hello.py) is served the same way on the same "
        "database: `/` returns hello, POST `/insert` inserts one row with a unique key and commits, through "
        "the app's own engine settings. The answer POST is compared with the one insert, every other route "
        "with hello: the best of the rounds of each (its p99 comes with it) in the first table, round by "
        "round below. *CPU busy before* is the share of both cores busy during the second before the run, "
        "while the bench itself was idle: what other work on the machine took.", "",
        *busy_warning(result),
        table(["Route (best round)", "Round", "Requests/s", "p50", "p99", "Compared with", "Ratio", "Target"],
              best_rows), "",
        f"**Whole journeys** (bench/journey.lua, {CONNECTIONS} connections, one person each, closed loop, "
        f"{journey_seconds(duration)} s): scan a poster, answer all {screens} "
        "screens of the demo survey to the thank-you page, start again. Per journey: the time from the scan "
        "to the thank-you page. Stored: the completed responses that came through that way's poster, "
        "counted in the database after the server stopped, against the completions the server confirmed "
        "(plus at most the posts still in flight when wrk stopped).", "",
        table(["Way", "Round", "Completed responses/s, latency per journey, database check", "CPU busy before",
               "First failure"], journey_rows), "",
        *walk_notes(result),
        "### Every round", "",
        table(["Round", "Route", "Requests/s", "vs its bare route", "p50", "p99", "Requests", "Errors",
               "CPU busy before"], rounds), "",
        *[f"- Round {run.round}: wrk counted {run.statuses.get('303', 0):,} answer POSTs answered 303 (others: "
          f"{ {k: v for k, v in run.statuses.items() if k != '303'} or 'none'}); {run.stored[0]:,} new responses "
          f"with {run.stored[1]:,} answer rows were stored." for run in result.of("submit")],
        "  (A few more stored than counted is expected: wrk stops counting while its last requests are "
        "in flight.)",
        f"- With {CONNECTIONS} connections always waiting, mean latency ≈ {CONNECTIONS} / rate (Little's law), "
        f"so a p99 under {seconds(SUBMIT_P99)} needs well over {CONNECTIONS / SUBMIT_P99:.0f} requests/s.", "",
    ])


def busy_warning(result: HttpRun) -> list[str]:
    busy = [r.busy for r in result.runs] + [r.busy for r in result.journeys if not r.skipped]
    if max(busy, default=0) < 0.5:
        return []
    return [f"**The machine was busy**: other work took {min(busy):.0%}–{max(busy):.0%} of both cores before "
            "the runs. The ratios swing with it; measure again on an idle machine before judging a target.", ""]


def walk_notes(result: HttpRun) -> list[str]:
    """What the journeys walked by hand before the load showed (the last round)."""
    notes = []
    if walked := result.walks.get("nojs"):
        kind = "a screen" if journeys.SCREEN.match(walked.scan_location) else "**not a screen**"
        notes.append(f"- A scan answered with {walked.scan_redirects} redirect(s) before the first screen; "
                     f"its Location (`{walked.scan_location}`) is {kind} (target: one redirect, straight to "
                     f"the first screen). Without JavaScript a journey took {walked.requests} requests for "
                     f"{walked.screens} screens.")
    if walked := result.walks.get("js"):
        notes.append(f"- With JavaScript: {walked.requests} requests for {walked.screens} screens."
                     if walked.inline else "- With JavaScript: the server answered the inline POST with a "
                     "303, so it does not honour `X-Bypuls-Inline` yet; that way was not measured.")
    return notes + [""]


def errors(run: WrkRun) -> str:
    socket = ", ".join(f"{k} {v}" for k, v in run.socket_errors.items() if v)
    parts = [f"socket: {socket}"] if socket else []
    if run.bad_status:
        parts.append(f"non-2xx/3xx: {run.bad_status}")
    return "; ".join(parts) or "none"
