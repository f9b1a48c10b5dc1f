"""Where one request's time goes, measured in-process: the evidence behind the HTTP figures.

Each request is sent through Flask's test client in this one process (no
network, no concurrency), timed, its SQL statements counted, and profiled
with cProfile to split its time by library. A commit to SQLite is timed with
`synchronous=FULL` (as the app sets it) and NORMAL, and one argon2 password
check, so that the disk and the password hash can be ruled in or out.
"""
import contextlib
import cProfile
import pstats
import re
import secrets
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event

from bench.hello import app as hello_app
from bench.load import FirstScreen
from bench.report import table
from bench.scale import bench_app
from extensions import db
from surveys.public import form_token

ROOT = str(Path(__file__).resolve().parent.parent)
COUNT = 200
# First match wins: (fragment of the file name or function, what it counts as).
LIBRARIES = (
    ("werkzeug/test.py", "test client"),
    ("flask/testing.py", "test client"),
    ("sqlite3", "SQLite (C)"),
    ("psycopg", "psycopg"),
    ("sqlalchemy", "SQLAlchemy"),
    ("/templates/", "templates"),
    ("jinja2", "Jinja2"),
    ("babel", "Babel"),
    ("wtforms", "CSRF, forms, signing"),
    ("flask_wtf", "CSRF, forms, signing"),
    ("itsdangerous", "CSRF, forms, signing"),
    ("hmac", "CSRF, forms, signing"),
    ("flask_login", "Flask-Login"),
    ("limiter", "Flask-Limiter"),
    ("/limits/", "Flask-Limiter"),
    ("werkzeug", "Flask, Werkzeug"),
    ("flask", "Flask, Werkzeug"),
    ("/.venv/", "other libraries"),
    (ROOT, "Bypuls code"),
)


@dataclass
class Cost:
    label: str
    status: int
    ms: float
    statements: Counter
    shares: list[tuple[str, float]]
    heaviest: list[tuple[str, float]]


def request_costs(url: str, screen: FirstScreen, count: int = COUNT) -> list[Cost]:
    app = bench_app(url)
    client = app.test_client()
    # A screen's form token belongs to its response key (surveys.public.form_token): a new key per post, each
    # with its token, made beforehand so that making them is not timed.
    keys = iter([(key, form_token(screen.slug, key, app.secret_key))
                 for key in ("cost" + secrets.token_urlsafe(20) for _ in range(2 * count + 10))])

    def submit():
        key, token = next(keys)
        return client.post(screen.path(key), data={"csrf_token": token,
                                                    f"q{screen.question_id}": str(screen.choice_id)})
    hello = hello_app.test_client()
    cases = [
        ("hello", lambda: hello.get("/")),
        (f"survey start: GET /s/{screen.slug} (303 to the first screen)", lambda: client.get(f"/s/{screen.slug}")),
        ("survey page: GET of a question screen", lambda: client.get(screen.path())),
        ("submission: POST of the first screen, new key", submit),
    ]
    with app.app_context():
        engine = db.engine
    found = [measure(label, call, engine, count) for label, call in cases]
    if found[-1].status != 303:  # a refused post (400) is a cheaper path: its figure would say nothing of answers
        raise RuntimeError(f"The submission got {found[-1].status}, not 303: the bench would time a refusal")
    return found


def measure(label: str, call, engine, count: int) -> Cost:
    status = call().status_code  # warm-up; also the status every later call gets
    start = time.perf_counter()
    for _ in range(count):
        call()
    ms = (time.perf_counter() - start) / count * 1000
    return Cost(label, status, ms, statements_of(call, engine), *profile(call, count // 2))


def statements_of(call, engine) -> Counter:
    """The SQL statements of one call, by verb and first table: {'SELECT choices': 9, ...}."""
    seen = Counter()

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        verb = statement.split(None, 1)[0].upper()
        found = re.search(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", statement, re.I)
        seen[f"{verb} {found.group(1)}" if found else verb] += 1

    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def profile(call, count: int) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Where the profiled time went: by library (own time), and the heaviest Bypuls functions (cumulative).

    Views that contain the whole request (over 85 %) are left out of the second list: they say nothing.
    """
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(count):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    spent = Counter()
    for (filename, _line, function), (_cc, _nc, own, _cum, _callers) in stats.items():
        where = f"{filename} {function}"
        spent[next((name for fragment, name in LIBRARIES if fragment in where), "other")] += own
    total = sum(v for k, v in spent.items() if k != "test client") or 1
    by_library = [(name, own / total) for name, own in spent.most_common() if name != "test client"]
    ours = Counter()
    for (filename, _line, function), (_cc, _nc, _own, cumulative, _callers) in stats.items():
        outside = ("/.venv/", "/templates/", "/bench/")
        if filename.startswith(ROOT) and not any(p in filename for p in outside) and not function.startswith("<"):
            ours[f"{Path(filename).stem}.{function}"] = max(ours[f"{Path(filename).stem}.{function}"], cumulative)
    heaviest = [(name, spent / total) for name, spent in ours.most_common() if 0.01 <= spent / total <= 0.85]
    return by_library, heaviest[:4]


def commit_costs(folder: Path, count: int = 300) -> dict[str, float]:
    """Milliseconds per one-row commit to a WAL SQLite file in `folder`, by `synchronous` setting."""
    costs = {}
    for mode in ("FULL", "NORMAL"):
        path = folder / f"commit-{mode.lower()}.sqlite3"
        with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={mode}")
            conn.execute("CREATE TABLE t (x INTEGER)")
            start = time.perf_counter()
            for n in range(count):
                conn.execute("BEGIN")
                conn.execute("INSERT INTO t VALUES (?)", (n,))
                conn.execute("COMMIT")
            costs[mode] = (time.perf_counter() - start) / count * 1000
    return costs


def password_check_ms() -> float:
    from engagement.models import User

    user = User()
    user.set_password("bench-password-123")
    start = time.perf_counter()
    user.check_password("bench-password-123")
    return (time.perf_counter() - start) * 1000


def section(costs: list[Cost], commits: dict[str, float], argon2_ms: float, questions: int) -> str:
    hello, start, page, submit = (c.ms for c in costs)
    person = start + questions * (submit + page)
    rows = [[c.label, c.status, f"{c.ms:.2f} ms", f"{c.ms / hello:.0f}×", sum(c.statements.values()),
             ", ".join(f"{k} ×{v}" for k, v in c.statements.most_common()) or "–",
             ", ".join(f"{name} {share:.0%}" for name, share in c.shares[:5]),
             ", ".join(f"`{name}` {share:.0%}" for name, share in c.heaviest) or "–"] for c in costs]
    return "\n".join([
        "### Where a request's time goes (in-process, one at a time)", "",
        f"Flask's test client in one process, mean of {COUNT} requests after one warm-up, so no network, "
        "no gunicorn and no queueing; statements counted on the engine; time split by library from a "
        "cProfile run (own time of each function; the profiler inflates call-heavy code, so read the split "
        "as proportions); the heaviest Bypuls functions by cumulative time (what they call included), "
        "leaving out the views that contain the whole request.", "",
        table(["Request", "Status", "Time", "vs hello", "SQL statements", "Which", "Time by library (top 5)",
               "Heaviest Bypuls functions (cumulative)"], rows), "",
        f"- A person answering the demo survey's {questions} screens costs the server about {person:.0f} ms "
        f"(the start, then per screen a POST and the GET its 303 leads to; first-screen figures used for all), "
        f"so one core serves about {1000 / person:.0f} people per second, before HTTP and gunicorn costs.",
        f"- One one-row commit to SQLite in WAL mode on this disk: {commits['FULL']:.2f} ms with "
        f"`synchronous=FULL` (the app's setting), {commits['NORMAL']:.3f} ms with NORMAL.",
        f"- One argon2 password check (staff login only, never on the answering path): {argon2_ms:.0f} ms.", "",
    ])
