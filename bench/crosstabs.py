"""Cross-tabs at scale: 870,000 answer rows on SQLite and PostgreSQL (section `crosstabs`).

The survey of section 1 (`bench/scale.py`: the demo's young-people survey plus
the shop survey's single choice) is filled by the demo seed's own
`add_responses` until it holds at least `ANSWERS` answer rows; the responses are
then spread over three touchpoints (a quarter each, the last quarter by the
plain link). `surveys.crosstabs.crosstab` is timed (one warm-up call, then best
of `REPEAT`) for: a single choice by a single choice, the multiple choice by a
single choice and the place question's areas by a single choice (people counted
once per option: a distinct count), a scale by yes/no, a single choice by
touchpoint, and the first again for only those who answered "yes".
"""
import math
import random
import time
from dataclasses import dataclass

from sqlalchemy import func, select, text, update

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
from engagement.touchpoints.links import new_code
from engagement.touchpoints.models import Touchpoint, TouchpointKind
from extensions import db, utcnow
from surveys.crosstabs import crosstab
from surveys.models import Answer, Response
from surveys.results import Filters

ANSWERS = 870_000
TARGET = 1.0  # seconds for one cross-tab at ANSWERS answer rows (issue 15)
ROWS_PER_RESPONSE = 9.8  # about, in this survey (15 % stop early)
# Positions in BENCH_SURVEY: age (single choice), where friends meet (multiple choice), the place question,
# how often (single choice), feeling welcome (scale 1–5), places to avoid (yes/no).
AGE, MEET, PLACE, OFTEN, WELCOME, AVOID = 0, 1, 2, 3, 4, 6


@dataclass
class CrosstabRun:
    name: str
    version: str
    responses: int
    answers: int
    seed_seconds: float
    timings: dict  # label -> best seconds
    load: str


def run_database(name: str, url: str, log=print, answers: int = ANSWERS) -> CrosstabRun:
    """A fresh database with at least `answers` answer rows; the timings of this section."""
    if url.startswith("postgresql"):
        ensure_postgres_database(url)
    with bench_app(url).app_context():
        fresh_schema()
        survey = create_bench_survey()
        started = time.perf_counter()
        have = seed(survey, answers)
        touchpoints = spread_over_touchpoints(survey)
        settle()
        seeded = time.perf_counter() - started
        version = db.session.scalar(text("SHOW server_version" if name == "PostgreSQL"
                                         else "SELECT sqlite_version()")).split()[0]
        responses = db.session.scalar(select(func.count()).select_from(Response))
        log(f"  {name}: {have:,} answer rows in {responses:,} responses, seeded in {seconds(seeded)}")
        q = survey.questions
        yes = Filters(answered=(q[AVOID].choices[0].id,))
        cases = {
            "single × single": lambda: crosstab(db.session, survey, q[OFTEN], Filters(), q[AGE]),
            "multiple × single": lambda: crosstab(db.session, survey, q[MEET], Filters(), q[AGE]),
            "place areas × single": lambda: crosstab(db.session, survey, q[PLACE], Filters(), q[AGE]),
            "scale × yes/no": lambda: crosstab(db.session, survey, q[WELCOME], Filters(), q[AVOID]),
            "single by touchpoint": lambda: crosstab(db.session, survey, q[AGE], Filters(), by="touchpoint",
                                                     names=touchpoints),
            "single × single, answered “yes”": lambda: crosstab(db.session, survey, q[OFTEN], yes, q[AGE]),
        }
        timings = {}
        for label, call in cases.items():
            call()
            timings[label] = min(clock(call) for _ in range(REPEAT))
        log(f"  {name}: " + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items()))
        run = CrosstabRun(name, version, responses, have, seeded, timings, load_average())
        db.session.remove()
        db.engine.dispose()
    return run


def seed(survey, answers: int) -> int:
    """Responses until the survey holds at least `answers` answer rows; the rows it holds then."""
    rng = random.Random(15)
    now = utcnow()
    have = 0
    while have < answers:
        batch = min(BATCH, max(500, math.ceil((answers - have) / ROWS_PER_RESPONSE)))
        add_responses(db.session, survey, BENCH_SURVEY["questions"], batch, rng, now)
        db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(Answer))
    return have


def spread_over_touchpoints(survey) -> dict[int, str]:
    """Three touchpoints of the survey, a quarter of the responses through each; their names by id."""
    names = {}
    for n, name in enumerate(("Skateparken", "Biblioteket", "Havnen")):
        touchpoint = Touchpoint(organisation_id=survey.organisation_id, survey_id=survey.id, code=new_code(),
                                name=name, kind=TouchpointKind.other)
        db.session.add(touchpoint)
        db.session.flush()
        db.session.execute(update(Response).where(Response.survey_id == survey.id, Response.id % 4 == n)
                           .values(touchpoint_id=touchpoint.id))
        names[touchpoint.id] = name
    db.session.commit()
    return names


def worst(run: CrosstabRun) -> float:
    return max(run.timings.values())


def section(runs: list[CrosstabRun], target: float = TARGET) -> str:
    answers = runs[0].answers if runs else ANSWERS
    out = ["## Cross-tabs at scale", "",
           f"The survey of section 1 filled by `engagement.demo.seed.add_responses` to {answers:,} answer rows, "
           "the responses spread over three touchpoints (a quarter each; the last quarter by the plain link). "
           f"`surveys.crosstabs.crosstab` timed: one warm-up call, then best of {REPEAT}. A multiple choice or "
           "a place question counts people once per option (a distinct count); the others count rows.", ""]
    out += [table(["Target", "Measured", ""],
                  [[f"A cross-tab at {run.answers:,} answer rows under {target:g} s, {run.name} (slowest case)",
                    seconds(worst(run)), "met" if worst(run) < target else "**missed**"] for run in runs]), ""]
    labels = list(runs[0].timings) if runs else []
    out += [table(["Database", "Responses", "Answer rows", "Seeding", "Load average", *labels],
                  [[f"{run.name} {run.version}", f"{run.responses:,}", f"{run.answers:,}", seconds(run.seed_seconds),
                    run.load, *[f"**{seconds(run.timings[k])}**" for k in labels]] for run in runs]), ""]
    return "\n".join(out)
