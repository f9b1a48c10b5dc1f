"""A three-round comparison at scale: 870,000 answer rows on SQLite and PostgreSQL (section `rounds`).

The survey of section 1 (`bench/scale.py`: the demo's young-people survey plus the shop survey's single
choice) is round 1; `surveys.rounds.start_round` copies it into rounds 2 and 3. Each round is filled by
the demo seed's own `add_responses` to a third of `ANSWERS` answer rows. Then
`surveys.comparison.compare_rounds` over the three rounds is timed: one warm-up call, then best of
`REPEAT` (it is what the series' results page computes).
"""
import math
import random
import time
from dataclasses import dataclass

from sqlalchemy import func, select, text

from bench.report import load_average, seconds, table
from bench.scale import (
    BATCH,
    BENCH_SURVEY,
    REPEAT,
    bench_app,
    clock,
    create_bench_survey,
    ensure_postgres_database,
    fresh_schema,
    settle,
)
from engagement.demo.seed import add_responses
from extensions import db, utcnow
from surveys import rounds
from surveys.comparison import compare_rounds
from surveys.models import Answer, Question, Response

ANSWERS = 870_000
TARGET = 1.0  # seconds for the comparison at ANSWERS answer rows (issue 15)
ROWS_PER_RESPONSE = 9.8  # about, in this survey (15 % stop early)


@dataclass
class RoundsRun:
    name: str
    version: str
    responses: int
    answers: int
    seed_seconds: float
    best: float
    questions: int  # questions compared
    load: str


def run_database(name: str, url: str, log=print, answers: int = ANSWERS) -> RoundsRun:
    """A fresh database with three rounds holding at least `answers` answer rows between them; the timing."""
    if url.startswith("postgresql"):
        ensure_postgres_database(url)
    with bench_app(url).app_context():
        fresh_schema()
        first = create_bench_survey()
        started = time.perf_counter()
        found = [first]
        seed(first, answers / 3)
        for _ in range(2):
            found.append(rounds.start_round(db.session, found[-1], rounds.NewRound()))
            db.session.commit()
            seed(found[-1], answers / 3)
        settle()
        seeded = time.perf_counter() - started
        have = db.session.scalar(select(func.count()).select_from(Answer))
        version = db.session.scalar(text("SHOW server_version" if name == "PostgreSQL"
                                         else "SELECT sqlite_version()")).split()[0]
        responses = db.session.scalar(select(func.count()).select_from(Response))
        log(f"  {name}: {have:,} answer rows in {responses:,} responses over 3 rounds, seeded in {seconds(seeded)}")
        labels = {n: f"Runde {n}" for n in (1, 2, 3)}
        compared = compare_rounds(db.session, found, labels)
        best = min(clock(lambda: compare_rounds(db.session, found, labels)) for _ in range(REPEAT))
        log(f"  {name}: three-round comparison {best * 1000:.0f} ms")
        run = RoundsRun(name, version, responses, have, seeded, best, len(compared.questions), load_average())
        db.session.remove()
        db.engine.dispose()
    return run


def seed(survey, answers: float) -> None:
    """Responses to `survey` until it holds at least `answers` answer rows."""
    rng = random.Random(survey.round or 1)
    now = utcnow()
    have = 0
    while have < answers:
        batch = min(BATCH, max(500, math.ceil((answers - have) / ROWS_PER_RESPONSE)))
        add_responses(db.session, survey, BENCH_SURVEY["questions"], batch, rng, now)
        db.session.commit()
        have = db.session.scalar(select(func.count(Answer.id)).join(Question, Question.id == Answer.question_id)
                                 .where(Question.survey_id == survey.id))


def section(runs: list[RoundsRun], target: float = TARGET) -> str:
    answers = runs[0].answers if runs else ANSWERS
    out = ["## Comparing three rounds at scale", "",
           f"The survey of section 1 as round 1, copied into rounds 2 and 3 by `surveys.rounds.start_round`, each "
           f"round filled by `engagement.demo.seed.add_responses`: {answers:,} answer rows in all. "
           f"`surveys.comparison.compare_rounds` (the series' results page) timed: one warm-up call, then best of "
           f"{REPEAT}.", ""]
    out += [table(["Target", "Measured", ""],
                  [[f"A three-round comparison at {run.answers:,} answer rows under {target:g} s, {run.name}",
                    seconds(run.best), "met" if run.best < target else "**missed**"] for run in runs]), ""]
    out += [table(["Database", "Responses", "Answer rows", "Questions compared", "Seeding", "Load average",
                   "Comparison"],
                  [[f"{run.name} {run.version}", f"{run.responses:,}", f"{run.answers:,}", str(run.questions),
                    seconds(run.seed_seconds), run.load, f"**{seconds(run.best)}**"] for run in runs]), ""]
    return "\n".join(out)
