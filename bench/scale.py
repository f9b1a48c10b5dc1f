"""Results at scale: `summarise` timed on SQLite and PostgreSQL as the answers grow to a million.

One survey of eleven questions (the demo's young-people survey plus one more
single choice) is filled in steps of 1k, 10k and 100k responses, about ten
answer rows each, inserted in bulk by the demo seed's own `add_responses`. At
each step `summarise(session, survey, Filters())` is timed (best of three
after one warm-up call) and its peak Python memory is traced. At the top step
the filtered results are timed too, every query of `summarise` is timed on its
own, and the plans of the slowest are printed.
"""
import contextlib
import io
import random
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass

from flask_migrate import upgrade
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from bench.report import seconds, table
from engagement.demo import town_map
from engagement.demo.seed import EMPTY_SHOP, YOUNG_PEOPLE, add_responses, build_survey
from engagement.models import Organisation
from extensions import db, utcnow
from surveys.models import Answer, Choice, Question, Response
from surveys.results import Filters, summarise

LEVELS = (1_000, 10_000, 100_000)
BATCH = 10_000
REPEAT = 3
# The demo's young-people survey (9 questions, every common kind) and the shop survey's single choice.
BENCH_SURVEY = dict(YOUNG_PEOPLE, slug="bench-results", title="Bench: results at scale",
                    questions=[*YOUNG_PEOPLE["questions"], EMPTY_SHOP["questions"][1]])


@dataclass
class Step:
    responses: int
    answers: int
    seed_seconds: float
    first: float
    best: float
    peak_bytes: int


@dataclass
class Query:
    name: str
    seconds: float
    statement: str
    params: object


@dataclass
class DatabaseRun:
    name: str
    version: str
    steps: list[Step]
    filter_label: str
    filtered_best: float
    filtered_peak: int
    queries: list[Query]
    filtered_queries: list[Query]
    plans: dict[str, str]


def bench_app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-only-secret"})


def ensure_postgres_database(url: str) -> None:
    """Create the database of `url` if it is missing.

    :raise SystemExit: if it is the `test` database, which `make test` owns (this one is wiped).
    """
    target = make_url(url)
    if target.database in (None, "test", "postgres"):
        raise SystemExit(f"Refusing to wipe the database {target.database!r}: use a database of its own.")
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}):
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    engine.dispose()


def fresh_schema() -> None:
    """An empty database migrated to the head revision; Alembic's log lines are kept out of the report."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
    log = io.StringIO()
    with contextlib.redirect_stderr(log), contextlib.redirect_stdout(log):
        upgrade()


def settle() -> None:
    """On PostgreSQL, what autovacuum does soon after a bulk load: fresh statistics and visibility map.

    SQLite gets nothing: the app never runs ANALYZE there, so neither does the bench.
    """
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")


def clock(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def peak_memory(call) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def run_database(name: str, url: str, levels=LEVELS, log=print) -> DatabaseRun:
    """Fill a fresh database step by step, timing `summarise` at each step and in detail at the top."""
    with bench_app(url).app_context():
        fresh_schema()
        survey = create_bench_survey()
        version = db.session.scalar(text("SHOW server_version" if name == "PostgreSQL"
                                         else "SELECT sqlite_version()")).split()[0]
        steps = [grow_and_measure(survey, level, log, name) for level in levels]
        run = DatabaseRun(name, version, steps, filter_label(survey), *measure_top(survey))
        db.session.remove()
        db.engine.dispose()
    return run


def create_bench_survey():
    org = Organisation(slug="bench", name="Bench")
    db.session.add(org)
    db.session.flush()
    survey = build_survey(db.session, org, BENCH_SURVEY, utcnow(), town_map.seed_map(db.session, org.id))
    db.session.commit()
    return survey


def measure_top(survey) -> tuple:
    """At the top step: the filtered timing and memory, every query on its own, the slowest plans."""
    filtered = lambda: summarise(db.session, survey, Filters(answered=(filter_choice(survey).id,)))  # noqa: E731
    filtered()
    filtered_best = min(clock(filtered) for _ in range(REPEAT))
    queries = time_queries(lambda: summarise(db.session, survey, Filters()))
    filtered_queries = time_queries(filtered)
    tagged = [(q, "unfiltered") for q in queries] + [(q, "filtered") for q in filtered_queries]
    slowest = sorted(tagged, key=lambda pair: -pair[0].seconds)[:2]
    plans = {f"{q.name} ({tag})": query_plan(q) for q, tag in slowest}
    return filtered_best, peak_memory(filtered), queries, filtered_queries, plans


def grow_and_measure(survey, level: int, log, name: str) -> Step:
    """Add responses until there are `level`, then time the unfiltered results."""
    rng = random.Random(2026 + level)  # each step its own crowd, the same every run
    now = utcnow()
    have = db.session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id))
    started = time.perf_counter()
    while have < level:
        batch = min(BATCH, level - have)
        add_responses(db.session, survey, BENCH_SURVEY["questions"], batch, rng, now)
        db.session.commit()
        have += batch
    settle()
    seeded = time.perf_counter() - started
    answers = db.session.scalar(select(func.count()).select_from(Answer))
    call = lambda: summarise(db.session, survey, Filters())  # noqa: E731
    first = clock(call)
    best = min(clock(call) for _ in range(REPEAT))
    step = Step(level, answers, seeded, first, best, peak_memory(call))
    log(f"  {name}: {level:,} responses, {answers:,} answers: summarise best {best * 1000:.0f} ms")
    return step


def filter_choice(survey) -> Choice:
    """'Yes' to the yes/no question: a filter staff would use, matching about a third of the people."""
    question = next(q for q in survey.questions if q.kind == "yes_no")
    return question.choices[0]


def filter_label(survey) -> str:
    choice = filter_choice(survey)
    question = db.session.get(Question, choice.question_id)
    return f"answered “{choice.label}” to “{question.prompt}”"


def captured_statements(call) -> list[tuple[str, object]]:
    """The SQL statements and parameters that `call` sends, in order."""
    seen = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def time_queries(call) -> list[Query]:
    """Each statement of `call` run again on its own with all its rows fetched (best of two)."""
    conn = db.session.connection()
    timed = []
    for statement, params in captured_statements(call):
        run = lambda statement=statement, params=params: conn.exec_driver_sql(statement, params).fetchall()  # noqa: E731
        timed.append(Query(query_name(statement), min(clock(run) for _ in range(2)), statement, params))
    return timed


# Fragments that tell the queries of surveys/results.py apart, whatever the dialect; the first match names it.
QUERY_NAMES = (
    ("count(responses.completed_at)", "headline figures"),
    ("strftime(", "responses over time"),
    ("to_char(", "responses over time"),
    ("min(responses.started_at)", "first and last start"),
    ("count(distinct(answers.response_id))", "respondents per question"),
    ("group by answers.question_id, answers.choice_id", "tallies per choice and number"),
    ("limit", "median duration: middle row"),
    ("julianday(", "median duration"),
    ("extract(epoch", "median duration"),
)


def query_name(statement: str) -> str:
    flat = " ".join(statement.split())
    return next((name for fragment, name in QUERY_NAMES if fragment.lower() in flat.lower()), flat[:60] + "…")


def query_plan(query: Query) -> str:
    conn = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + query.statement, query.params).all()
        depth = {0: -1}
        lines = []
        for node, parent, _unused, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
    else:
        lines = [row[0] for row in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + query.statement,
                                                          query.params)]
    return " ".join(query.statement.split()) + "\n\n" + "\n".join(lines)


def section(runs: list[DatabaseRun], target: float = 1.0) -> str:
    kinds = ", ".join(q.kind for q in BENCH_SURVEY["questions"])
    out = ["## 1. Results computation at scale", "",
           f"One survey of {len(BENCH_SURVEY['questions'])} questions ({kinds}), responses added in bulk by "
           f"`engagement.demo.seed.add_responses` in batches of {BATCH:,} (15 % stop early, as in the demo). "
           f"`summarise(session, survey, Filters())` timed: one warm-up call, then best of {REPEAT}; "
           "peak Python memory of one call by tracemalloc. PostgreSQL gets `VACUUM ANALYZE` after each "
           "step (what autovacuum does soon after a bulk load); SQLite gets no ANALYZE, as in the app.", ""]
    rows = []
    for run in runs:
        for step in run.steps:
            rows.append([f"{run.name} {run.version}", f"{step.responses:,}", f"{step.answers:,}",
                         seconds(step.seed_seconds), seconds(step.first), f"**{seconds(step.best)}**",
                         mib(step.peak_bytes)])
    out += [table(["Database", "Responses", "Answer rows", "Seeding the step", "Warm-up call", "Best of 3",
                   "Peak Python memory"], rows), ""]
    out += [f"With a filter ({runs[0].filter_label if runs else ''}), at the top step:", ""]
    out += [table(["Database", "Best of 3", "Peak Python memory", "Unfiltered best"],
                  [[run.name, f"**{seconds(run.filtered_best)}**", mib(run.filtered_peak),
                    seconds(run.steps[-1].best)] for run in runs]), ""]
    for run in runs:
        top = run.steps[-1]
        worst = max(top.best, run.filtered_best)
        verdict = "meets" if worst < target else "**misses**"
        out.append(f"- {run.name}: {top.answers:,} answer rows, slowest of unfiltered/filtered "
                   f"{seconds(worst)}: {verdict} the {target:g} s target.")
    out.append("")
    for run in runs:
        out += [f"### {run.name}: each query of `summarise` on its own, at the top step", "",
                table(["Query", "Unfiltered", "Filtered"], query_rows(run.queries, run.filtered_queries)), ""]
        for title, plan in run.plans.items():
            out += [f"<details><summary>{run.name} plan: {title}</summary>", "", "```", plan, "```", "",
                    "</details>", ""]
    return "\n".join(out)


def query_rows(unfiltered: list[Query], filtered: list[Query]) -> list[list[str]]:
    """One row per query name (numbered when a name repeats), the two runs side by side."""
    def by_name(queries):
        seen, times = Counter(), {}
        for query in queries:
            seen[query.name] += 1
            times[(query.name, seen[query.name])] = query.seconds
        return times

    a, b = by_name(unfiltered), by_name(filtered)
    rows = [[name if n == 1 else f"{name} ({n})", seconds(a.get((name, n))), seconds(b.get((name, n)))]
            for name, n in dict.fromkeys([*a, *b])]
    return rows + [["*all queries together*", seconds(sum(a.values())), seconds(sum(b.values()))]]


def mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"
