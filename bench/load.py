"""HTTP throughput: Bypuls under gunicorn beside a bare Flask app, both loaded by wrk in one run.

wrk shares the two cores with the server, so absolute figures swing with
whatever else the machine does; the ratio to the hello app measured in the
same round is the figure to compare between runs. Two rounds show how much
the machine drifted meanwhile.
"""
import contextlib
import http.client
import os
import re
import secrets
import signal
import sqlite3
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from bench import projector
from bench.report import cpu_busy, seconds, table
from bench.scale import bench_app, fresh_schema
from engagement.demo.seed import seed
from engagement.touchpoints.models import Touchpoint
from extensions import db
from surveys.models import Survey

ROOT = Path(__file__).resolve().parent.parent
SUBMIT_SCRIPT = Path(__file__).resolve().parent / "submit.lua"
WORKERS = 2
WORKER_CLASS = "sync"
THREADS, CONNECTIONS = 2, 32
WARM_UP = 3
ROUNDS = 2
DEMO_SLUG = "unge-i-bymidten"
# A valid response key that no response uses: every GET shows the first screen afresh.
FIXED_KEY = "benchBENCHbench0123456789"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


@dataclass
class WrkRun:
    kind: str  # "hello", "page", "scan", "projector" or "submit"
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

    def path(self, key: str = FIXED_KEY) -> str:
        return f"/s/{self.slug}/{key}/{self.question_id}"


def seed_demo_database(folder: Path) -> str:
    """The demo (two open surveys with 520 responses, four staff) in a new SQLite file; its URL."""
    url = f"sqlite:///{folder}/http.sqlite3"
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
        code = db.session.scalar(select(Touchpoint.code).where(Touchpoint.survey_id == survey.id).limit(1))
        return FirstScreen(survey.slug, question.id, question.choices[1].id, len(survey.questions), code)


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
        number: int = 0, headers: dict | None = None, base: str | None = None) -> WrkRun:
    """wrk against http://127.0.0.1:`port`, or against `base` (e.g. nginx's https:// address) when given."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script_args is not None:
        command += ["-s", str(SUBMIT_SCRIPT)]
    command.append(f"{base or f'http://127.0.0.1:{port}'}{path}")
    if script_args is not None:
        command += ["--", *script_args]
    busy = cpu_busy() if number else 0.0
    out = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    run = parse_wrk(kind, out)
    run.busy, run.round = busy, number
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
    return WrkRun(kind, int(number(r"(\d+) requests in")), number(r"Requests/sec:\s+([\d.]+)"),
                  percentile(50), percentile(99), socket_errors, int(number(r"Non-2xx or 3xx responses: (\d+)")),
                  {k: int(v) for k, v in statuses.items()})


def start_session(port: int, screen: FirstScreen) -> tuple[str, str]:
    """The session cookie and CSRF token a phone gets when it opens the first screen."""
    status, headers, html = fetch(port, "GET", screen.path())
    if status != 200 or not headers.get("Set-Cookie"):
        raise RuntimeError(f"GET {screen.path()} gave {status} without a session cookie")
    return headers["Set-Cookie"].split(";")[0], CSRF.search(html).group(1)


def new_prefix() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(8))


def submission_args(port: int, screen: FirstScreen, prefix: str) -> list[str]:
    """wrk's arguments for submit.lua, after checking by hand that such a post is stored (303)."""
    cookie, token = start_session(port, screen)
    body = f"csrf_token={token}&q{screen.question_id}={screen.choice_id}"
    status, _headers, _body = fetch(port, "POST", screen.path("check" + secrets.token_urlsafe(16)), body,
                                    {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status != 303:
        raise RuntimeError(f"A submission by hand gave {status}, not 303: the benchmark would measure errors")
    return [screen.slug, str(screen.question_id), str(screen.choice_id), token, cookie, prefix]


def stored(url: str, prefix: str) -> tuple[int, int]:
    """How many responses, and answer rows of them, have keys starting with `prefix`."""
    with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as conn:
        return conn.execute(
            "SELECT count(DISTINCT r.id), count(a.id) FROM responses r LEFT JOIN answers a ON a.response_id = r.id"
            " WHERE substr(r.key, 1, ?) = ?", (len(prefix), prefix)).fetchone()


@dataclass
class HttpRun:
    runs: list[WrkRun]
    gunicorn: str

    def of(self, kind: str) -> list[WrkRun]:
        return [r for r in self.runs if r.kind == kind]

    def ratio(self, run: WrkRun) -> float:
        """`run`'s rate over the hello rate of the same round."""
        return run.rps / next(r.rps for r in self.of("hello") if r.round == run.round)


def run_http(folder: Path, url: str, duration: int, log=print, rounds: int = ROUNDS) -> HttpRun:
    """Rounds of hello, survey page, scan, projector refresh and submission, each round in a fresh gunicorn."""
    screen = first_screen(url)
    live_path = f"/staff/classes/{projector.add_class_session(url, screen.slug)}/live"
    env = server_env(url)
    runs = []
    for number in range(1, rounds + 1):
        with serve("bench.hello:app", env, folder / "gunicorn-hello.log") as port:
            wrk("warm-up", port, "/", WARM_UP)
            runs.append(wrk("hello", port, "/", duration, number=number))
        with serve("app:create_app()", env, folder / "gunicorn-app.log") as port:
            wrk("warm-up", port, screen.path(), WARM_UP)
            runs.append(wrk("page", port, screen.path(), duration, number=number))
            wrk("warm-up", port, f"/q/{screen.scan_code}", WARM_UP)
            runs.append(wrk("scan", port, f"/q/{screen.scan_code}", duration, number=number))
            teacher = {"Cookie": projector.teacher_cookie(port, fetch, CSRF)}
            projector.check_live(port, fetch, live_path, teacher["Cookie"])
            wrk("warm-up", port, live_path, WARM_UP, headers=teacher)
            runs.append(wrk("projector", port, live_path, duration, number=number, headers=teacher))
            wrk("warm-up", port, "/", WARM_UP, submission_args(port, screen, new_prefix()))
            prefix = new_prefix()
            runs.append(wrk("submit", port, "/", duration, submission_args(port, screen, prefix), number))
        runs[-1].stored = stored(url, prefix)  # counted once gunicorn has finished every request
        log("  round {}: {}".format(number, ", ".join(f"{r.kind} {r.rps:.0f}/s" for r in runs[-5:])))
    version = subprocess.run([sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True,
                             timeout=30).stdout.strip()
    return HttpRun(runs, version)


SCAN_TARGET = 0.6

LABELS = {"hello": "hello (bench/hello.py)", "page": "survey page: GET of a question screen",
          "submit": "submission: POST of the first screen, new key",
          "scan": "scan: GET /q/<code> (stores a scan, 303 to the survey)",
          "projector": "projector refresh: GET /staff/classes/<id>/live (a class of 28, JSON)"}


def section(result: HttpRun, duration: int, target_ratio: float = 0.4, target_p99: float = 0.1) -> str:
    rows = [[r.round, LABELS[r.kind], f"{r.rps:,.0f}", f"{result.ratio(r):.0%}", seconds(r.p50), seconds(r.p99),
             f"{r.requests:,}", errors(r), f"{r.busy:.0%}"] for r in result.runs]
    checks = []
    for run in result.of("submit"):
        others = {k: v for k, v in run.statuses.items() if k != "303"} or "none"
        checks.append(f"- Round {run.round}: wrk counted {run.statuses.get('303', 0):,} replies 303 (others: "
                      f"{others}); {run.stored[0]:,} new responses with {run.stored[1]:,} answer rows were "
                      "stored.")
    ratios = " / ".join(f"{result.ratio(r):.0%}" for r in result.of("submit"))
    p99s = " / ".join(seconds(r.p99) for r in result.of("submit"))
    met = all(result.ratio(r) >= target_ratio for r in result.of("submit"))
    scan_ratios = " / ".join(f"{result.ratio(r):.0%}" for r in result.of("scan"))
    scans_met = all(result.ratio(r) >= SCAN_TARGET for r in result.of("scan"))
    fast = all(r.p99 < target_p99 for r in result.of("submit"))
    return "\n".join([
        "## 2. HTTP throughput", "",
        f"{result.gunicorn}, {WORKERS} `{WORKER_CLASS}` workers on 127.0.0.1 (a fresh server for hello and one "
        "for the app in each round), "
        "against the seeded demo in SQLite (WAL, synchronous=FULL, as the app sets it); "
        f"`wrk -t{THREADS} -c{CONNECTIONS} -d{duration}s --latency --timeout 10s` from a second process after a "
        f"{WARM_UP} s warm-up. The hello app is served the same way. Ratios are to the hello run of the same "
        "round. *CPU busy before* is the share of both cores that was busy during the second before the run, "
        "while the bench itself was idle: what other work on the machine took.", "",
        table(["Round", "Route", "Requests/s", "vs hello", "p50", "p99", "Requests", "Errors",
               "CPU busy before"], rows), "",
        *checks,
        "  (A few more stored than counted is expected: wrk stops counting while its last requests are "
        "in flight.)",
        f"- Submission rate vs hello, by round: {ratios}: {'meets' if met else '**misses**'} the "
        f"{target_ratio:.0%} target. p99: {p99s}: {'meets' if fast else '**misses**'} the "
        f"{seconds(target_p99)} target.",
        f"- Scan rate vs hello, by round: {scan_ratios}: {'meets' if scans_met else '**misses**'} the "
        f"{SCAN_TARGET:.0%} target (a crowd at an event scans at once).",
        f"- With {CONNECTIONS} connections always waiting, mean latency ≈ {CONNECTIONS} / rate (Little's law), "
        f"so a p99 under {seconds(target_p99)} needs well over {CONNECTIONS / target_p99:.0f} requests/s.", "",
    ])


def errors(run: WrkRun) -> str:
    socket = ", ".join(f"{k} {v}" for k, v in run.socket_errors.items() if v)
    parts = [f"socket: {socket}"] if socket else []
    if run.bad_status:
        parts.append(f"non-2xx/3xx: {run.bad_status}")
    return "; ".join(parts) or "none"
