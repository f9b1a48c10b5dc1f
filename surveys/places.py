"""What place questions found: where on the map people marked places, per named area, and their comments.

The points are counted in SQL, never loaded one by one for the results page:
the map is cut into a grid of square cells (`BINS` across) and one grouped
query counts the points per cell, whatever their number. Only when there are
few points (`FEW_POINTS`) are they read themselves, to be drawn on top.
A comment belongs to its point, so comments are grouped by the area that
holds the point, and read a page at a time.

Every function takes plain values (a session, a survey, a question, the
results' filters or the SELECT of matching response ids) and returns plain values.
"""
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Integer, case, cast, func, select

from extensions import Page
from surveys.maps import SurveyMap, map_of
from surveys.models import Answer, Question, Response, Survey
from surveys.results import Filters, matching_responses

BINS = 50  # cells across the map; as many down as make them square
FEW_POINTS = 300  # up to this many points are drawn themselves, on top of the density
COMMENT_PAGE_SIZE = 20
OUTSIDE = "none"  # the `area` of comments on points outside every named area
MOST_ROWS = 200  # cells down, for a very tall map


@dataclass
class AreaComments:
    """How many comments there are on points in one area (`choice_id` None: outside every named area)."""
    choice_id: int | None
    label: str | None
    total: int


@dataclass
class PlaceResults:
    survey_map: SurveyMap | None
    columns: int  # the grid: cells across and down
    rows: int
    cells: list[tuple[int, int, int]]  # (column, row, points) of every cell with a point, columns from the left
    marked: int  # points marked on the map
    outside: int  # of those, outside every named area
    listed: int  # places picked from the list instead
    points: list[tuple[float, float, int | None]] = field(default_factory=list)  # (x, y, area) when few
    comments: list[AreaComments] = field(default_factory=list)

    def busiest(self, count: int = 10) -> list[tuple[int, int, int]]:
        """The cells with the most points, most first."""
        return sorted(self.cells, key=lambda cell: (-cell[2], cell[1], cell[0]))[:count]


def grid(survey_map: SurveyMap | None) -> tuple[int, int]:
    """Cells across and down: BINS across, and down as many as keep the cells square on this map."""
    if survey_map is None:
        return BINS, BINS
    return BINS, min(max(1, round(BINS * survey_map.aspect)), MOST_ROWS)


def place_results(session, survey: Survey, question: Question, filters: Filters) -> PlaceResults:
    """The place question's points as counts per cell of the grid, how many were marked on the map (and
    outside every area) or picked from the list, and the number of comments per area, for the responses
    that `filters` lets through: one grouped query over the question's answers, whatever their number;
    one more for the points themselves when there are at most FEW_POINTS."""
    ids = matching_responses(survey, filters).subquery()
    survey_map = map_of(session, question)
    if survey_map is not None and survey_map.organisation_id != survey.organisation_id:
        survey_map = None  # never another organisation's map, whatever the question's settings say
    columns, rows = grid(survey_map)
    cells: Counter = Counter()
    comments: Counter = Counter()
    marked = outside = listed = 0
    for column, row, choice_id, count, commented in grouped_places(session, question, ids, columns, rows):
        if column is None:  # no point: a place picked from the list
            listed += count if choice_id is not None else 0
            continue
        cells[(int(column), int(row))] += count
        marked += count
        outside += count if choice_id is None else 0
        comments[choice_id] += commented
    results = PlaceResults(survey_map, columns, rows, [(c, r, n) for (c, r), n in cells.items()],
                           marked, outside, listed)
    if marked <= FEW_POINTS:
        results.points = few_points(session, question, ids)
    areas = [(c.id, c.label) for c in question.choices] + [(None, None)]
    results.comments = [AreaComments(choice_id, label, comments[choice_id])
                        for choice_id, label in areas if comments[choice_id]]
    return results


def answers_of(question: Question, ids):
    """The question's answer rows of the matching responses (`ids`: a subquery of response ids)."""
    # `+ 0`, as in surveys.results: SQLite reads the question's part of an index, not response by response.
    return (Answer.question_id == question.id, (Answer.response_id + 0).in_(select(ids.c.id)))


def cell_of(column, count: int, dialect: str):
    """The cell (0 … count - 1) that a share 0–1 falls in; 1 itself (the far edge) in the last cell; NULL
    for NULL (no point).

    SQLite has no floor() for floats, but its CAST to INTEGER cuts the fraction off, which is the same
    for numbers that are not negative; PostgreSQL's CAST rounds, so it gets floor() first."""
    scaled = column * count
    cut = cast(func.floor(scaled), Integer) if dialect == "postgresql" else cast(scaled, Integer)
    return case((column >= 1.0, count - 1), else_=cut)


def grouped_places(session, question: Question, ids, columns: int, rows: int):
    """The question's answers counted per (cell column, cell row, area): rows of (column, row, option id,
    answers, comments); column and row are None for places picked from the list."""
    dialect = session.get_bind().dialect.name
    across, down = cell_of(Answer.x, columns, dialect), cell_of(Answer.y, rows, dialect)
    return session.execute(select(across, down, Answer.choice_id, func.count(), func.count(Answer.text))
                           .where(*answers_of(question, ids)).group_by(across, down, Answer.choice_id))


def few_points(session, question: Question, ids, limit: int = FEW_POINTS) -> list[tuple[float, float, int | None]]:
    """The points themselves, (x, y, area), at most `limit` of them."""
    return [tuple(row) for row in session.execute(
        select(Answer.x, Answer.y, Answer.choice_id).where(*answers_of(question, ids), Answer.x.is_not(None))
        .order_by(Answer.id).limit(limit))]


def area_comments(session, survey: Survey, question: Question, filters: Filters, area: int | str | None = None,
                  page: int = 1, search: str = "") -> Page:
    """One page of the comments on the question's points, newest first, as (comment, area id) rows: all of
    them (`area` None), those in one area (its option id) or those outside every area (OUTSIDE)."""
    ids = matching_responses(survey, filters).subquery()
    query = select(Answer.text, Answer.choice_id).where(*answers_of(question, ids), Answer.x.is_not(None),
                                                        Answer.text.is_not(None))
    if area == OUTSIDE:
        query = query.where(Answer.choice_id.is_(None))
    elif area is not None:
        query = query.where(Answer.choice_id == area)
    if search.strip():
        query = query.where(func.lower(Answer.text).contains(search.strip().lower(), autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // COMMENT_PAGE_SIZE))
    page = min(max(page, 1), pages)
    items = session.execute(query.order_by(Answer.id.desc()).limit(COMMENT_PAGE_SIZE)
                            .offset((page - 1) * COMMENT_PAGE_SIZE)).all()
    return Page([tuple(row) for row in items], page, pages, total)


def responses_by_touchpoint(session, survey: Survey, filters: Filters, touchpoint_ids: list[int]) -> dict[int, int]:
    """How many of the matching responses came through each of these touchpoints."""
    query = matching_responses(survey, filters).with_only_columns(Response.touchpoint_id, func.count())
    return dict(session.execute(query.where(Response.touchpoint_id.in_(touchpoint_ids))
                                .group_by(Response.touchpoint_id)).all())


def points_of(session, survey: Survey, question: Question, filters: Filters, chunk: int = 2000) -> Iterator:
    """Every point of the matching responses, oldest response first, streamed `chunk` rows at a time:
    rows of (answer id, response id, x, y, area id, comment, touchpoint id, completed at)."""
    ids = matching_responses(survey, filters).subquery()
    query = (select(Answer.id, Answer.response_id, Answer.x, Answer.y, Answer.choice_id, Answer.text,
                    Response.touchpoint_id, Response.completed_at)
             .join(Response, Response.id == Answer.response_id)
             .where(*answers_of(question, ids), Answer.x.is_not(None))
             .order_by(Response.started_at, Response.id, Answer.id))
    result = session.execute(query.execution_options(yield_per=chunk))
    try:
        yield from result
    finally:
        result.close()


def area_counts(session, survey: Survey, question: Question, filters: Filters) -> dict[int, int]:
    """Places marked in or picked from each area, by option id."""
    ids = matching_responses(survey, filters).subquery()
    return dict(session.execute(select(Answer.choice_id, func.count()).where(
        *answers_of(question, ids), Answer.choice_id.is_not(None)).group_by(Answer.choice_id)).all())

