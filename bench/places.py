"""Place question results at scale: 100,000 points on SQLite and PostgreSQL (section `places`).

A survey of two questions, the demo's place question ("where do you meet your
friends": up to two places on the demo map of Vordingborg, with comments and
named areas) and its yes/no question, is filled by the demo seed's own
`add_responses` (every answer through the kind's `parse` and `rows`; the points
drawn around the demo's meeting places, some picked from the list) until it
holds at least `POINTS` points. Three of the demo's touchpoints are placed on
the same map, and the responses are spread over them (a quarter came by the
plain link). Then, each time one warm-up call and the best of `REPEAT`:

- **results**: what the results page computes for the survey: `summarise` and
  the place question's figures (`place_figures`: counts per cell of the grid in
  SQL, places per area, comments by area, the touchpoints on the map), without
  a filter, through one touchpoint, and for those who answered "yes";
- **page**: the whole results page, GET in-process through Flask's test client
  as a signed-in viewer (the same work plus the template and the figures' JSON);
- **GeoJSON**: every point as a GeoJSON FeatureCollection, streamed as the
  download route streams it.
"""
import math
import random
import re
import time
from dataclasses import dataclass

from sqlalchemy import func, select, text, update

from bench.report import load_average, seconds, table
from bench.scale import BATCH, REPEAT, bench_app, clock, ensure_postgres_database, fresh_schema, settle
from engagement.dashboard import geojson
from engagement.dashboard.staff_places import place_figures
from engagement.demo import town_map
from engagement.demo.seed import YOUNG_PEOPLE, add_responses, build_survey
from engagement.models import Organisation, Role, User
from engagement.touchpoints.models import TouchpointKind
from engagement.touchpoints.services import TouchpointValues, create_touchpoint
from engagement.touchpoints.services import survey_touchpoint_names as touchpoint_names
from extensions import db, utcnow
from surveys import places
from surveys.kinds import KINDS
from surveys.maps import map_of
from surveys.models import Answer, Response
from surveys.results import Filters, summarise

POINTS = 100_000
TARGET = 1.0  # seconds for the results of POINTS points (issue 14)
PASSWORD = "bench-only-password"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The place question and the yes/no question of the demo's young-people survey.
PLACE_SURVEY = dict(YOUNG_PEOPLE, slug="bench-places", title="Bench: place question results", questions=[
    next(spec for spec in YOUNG_PEOPLE["questions"] if KINDS[spec.kind].has_map),
    next(spec for spec in YOUNG_PEOPLE["questions"] if KINDS[spec.kind].fixed_choices)])


@dataclass
class PlacesRun:
    name: str
    version: str
    points: int
    responses: int
    answers: int
    cells: int
    seed_seconds: float
    results: dict  # filter label -> best seconds of the place question's results (place_figures)
    whole: dict  # filter label -> best seconds of the survey's results (summarise and place_figures)
    page: float
    page_bytes: int
    geojson: float
    geojson_bytes: int
    load: str


def run_database(name: str, url: str, log=print, points: int = POINTS) -> PlacesRun:
    """A fresh database with `points` points (or a few more); the figures of this section."""
    if url.startswith("postgresql"):
        ensure_postgres_database(url)
    app = bench_app(url)
    with app.app_context():
        fresh_schema()
        survey, touchpoint_ids = create_place_survey()
        started = time.perf_counter()
        counted = seed(survey, points)
        settle()
        seeded = time.perf_counter() - started
        version = db.session.scalar(text("SHOW server_version" if name == "PostgreSQL"
                                         else "SELECT sqlite_version()")).split()[0]
        responses = db.session.scalar(select(func.count()).select_from(Response))
        answers = db.session.scalar(select(func.count()).select_from(Answer))
        log(f"  {name}: {counted:,} points in {responses:,} responses, seeded in {seconds(seeded)}")
        question = survey.questions[0]
        yes = survey.questions[1].choices[0].id
        filters = {"no filter": Filters(),
                   "one touchpoint": Filters(attribution=(("touchpoint_id", touchpoint_ids[0]),)),
                   "answered “yes”": Filters(answered=(yes,))}
        with app.test_request_context():
            result = next(r for r in summarise(db.session, survey, Filters()).questions
                          if r["question"].id == question.id)
            best = {label: best_of(lambda f=f: place_figures(survey, question, f, dict(result)))
                    for label, f in filters.items()}
            whole = {label: best_of(lambda f=f: results_page_computation(survey, question, f))
                     for label, f in filters.items()}
            cells = len(places.place_results(db.session, survey, question, Filters()).cells)
            geojson_best, geojson_size = best_of_sized(lambda: geojson_bytes(survey, question))
        page_best, page_size = best_of_sized(page_fetcher(app, survey))
        log(f"  {name}: place results {', '.join(f'{k} {v * 1000:.0f} ms' for k, v in best.items())}; "
            f"with summarise {', '.join(f'{k} {v * 1000:.0f} ms' for k, v in whole.items())}; "
            f"page {page_best * 1000:.0f} ms; GeoJSON {geojson_best:.2f} s")
        run = PlacesRun(name, version, counted, responses, answers, cells, seeded, best, whole, page_best,
                        page_size, geojson_best, geojson_size, load_average())
        db.session.remove()
        db.engine.dispose()
    return run


def create_place_survey():
    """The organisation, its demo map, the two-question survey on it and three touchpoints placed on the
    map; (survey, touchpoint ids)."""
    org = Organisation(slug="bench", name="Bench")
    db.session.add(org)
    db.session.flush()
    survey_map = town_map.seed_map(db.session, org.id)
    survey = build_survey(db.session, org, PLACE_SURVEY, utcnow(), survey_map)
    ids = []
    for name in list(town_map.TOUCHPOINT_SPOTS)[:3]:
        touchpoint = create_touchpoint(db.session, org.id, TouchpointValues(
            name=name, kind=TouchpointKind.other, target=f"survey:{survey.id}", **town_map.place_of(name, survey_map)))
        ids.append(touchpoint.id)
    user = User(organisation=org, role=Role.viewer, email="bench@example.org")
    user.set_password(PASSWORD)
    db.session.add(user)
    db.session.commit()
    return survey, ids


def seed(survey, points: int) -> int:
    """Responses until the place question holds at least `points` points; the points it holds then."""
    rng = random.Random(2026)
    now = utcnow()
    question = survey.questions[0]
    have = 0
    while have < points:
        # About 1.2 points per response: the last batches aim at the target instead of overshooting it.
        batch = min(BATCH, max(500, math.ceil((points - have) / 1.2)))
        add_responses(db.session, survey, PLACE_SURVEY["questions"], batch, rng, now)
        db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(Answer).where(
            Answer.question_id == question.id, Answer.x.is_not(None)))
    spread_over_touchpoints(survey)
    return have


def spread_over_touchpoints(survey) -> None:
    """A quarter of the responses to each of the survey's touchpoints, the last quarter by the plain link."""
    from engagement.touchpoints.models import Touchpoint

    ids = db.session.scalars(select(Touchpoint.id).where(Touchpoint.survey_id == survey.id)
                             .order_by(Touchpoint.id)).all()
    for n, touchpoint_id in enumerate(ids):
        db.session.execute(update(Response).where(Response.survey_id == survey.id, Response.id % 4 == n)
                           .values(touchpoint_id=touchpoint_id))
    db.session.commit()


def results_page_computation(survey, question, filters: Filters) -> None:
    """What the results page computes for the survey (engagement.dashboard.staff.results_page)."""
    summary = summarise(db.session, survey, filters)
    result = next(r for r in summary.questions if r["question"].id == question.id)
    place_figures(survey, question, filters, result)


def geojson_bytes(survey, question) -> int:
    """Every point as the GeoJSON download streams it; its size."""
    survey_map = map_of(db.session, question)
    rows = places.points_of(db.session, survey, question, Filters())
    features = geojson.point_features(rows, survey_map.georeference, {c.id: c.label for c in question.choices},
                                      touchpoint_names(db.session, survey))
    return sum(len(piece) for piece in geojson.collection("bench", features))


def page_fetcher(app, survey):
    """A call that GETs the results page as a signed-in viewer and returns its size."""
    client = app.test_client()
    token = CSRF.search(client.get("/staff/login").get_data(as_text=True)).group(1)
    signed_in = client.post("/staff/login", data={"csrf_token": token, "email": "bench@example.org",
                                                  "password": PASSWORD})
    if signed_in.status_code != 302:
        raise RuntimeError(f"The bench viewer's login gave {signed_in.status_code}")

    def fetch() -> int:
        response = client.get(f"/staff/surveys/{survey.id}/results")
        if response.status_code != 200:
            raise RuntimeError(f"The results page gave {response.status_code}")
        return len(response.data)
    return fetch


def best_of(call) -> float:
    call()
    best = min(clock(call) for _ in range(REPEAT))
    db.session.rollback()  # end the read transaction, as the end of a request would
    return best


def best_of_sized(call) -> tuple[float, int]:
    size = call()
    best = min(clock(call) for _ in range(REPEAT))
    db.session.rollback()
    return best, size


def section(runs: list[PlacesRun], target: float = TARGET) -> str:
    points = runs[0].points if runs else POINTS
    out = ["## Place question results at scale", "",
           "The demo's place question (up to two places on the demo map, comments, named areas) and its yes/no "
           "question, filled by `engagement.demo.seed.add_responses` until the place question holds "
           f"{points:,} points or a few more; the responses spread over three touchpoints placed on the same map. "
           f"Each figure: one warm-up call, then best of {REPEAT}. *Place results* is what the results page "
           "computes for the place question (`place_figures`: one grouped query counts the points per cell of "
           "the 50-across grid, per area and their comments; one counts the responses per touchpoint on the map; "
           "the figures and tables are built from those); *with summarise* adds the whole survey's results "
           "(`summarise`: headline figures, timeline, median time, tallies, respondents per question); *page* is "
           "the whole results page GET in-process as a signed-in viewer; *GeoJSON* streams every point.", ""]
    out += [table(["Target", "Measured", ""],
                  [[f"Place results of {run.points:,} points under {target:g} s, {run.name} (slowest filter)",
                    seconds(max(run.results.values())), "met" if max(run.results.values()) < target else "**missed**"]
                   for run in runs]), ""]
    labels = list(runs[0].results) if runs else []
    out += [table(["Database", "Points", "Responses", "Answer rows", "Cells with points", "Seeding", "Load average"],
                  [[f"{run.name} {run.version}", f"{run.points:,}", f"{run.responses:,}", f"{run.answers:,}",
                    f"{run.cells:,}", seconds(run.seed_seconds), run.load] for run in runs]), ""]
    out += [table(["Database", *[f"Place results: {label}" for label in labels],
                   *[f"With summarise: {label}" for label in labels], "Results page GET", "Page size",
                   "GeoJSON of every point"],
                  [[run.name, *[f"**{seconds(run.results[k])}**" for k in labels],
                    *[seconds(run.whole[k]) for k in labels], seconds(run.page), f"{run.page_bytes / 1024:.0f} KiB",
                    f"{seconds(run.geojson)} ({run.geojson_bytes / 1e6:.1f} MB)"] for run in runs]), ""]
    return "\n".join(out)
