"""Answers side by side: the same questions compared across columns (the rounds of a series here; a
period comparison can build its columns its own way and reuse `build_comparison`).

Questions and options are matched by their `lineage` key (surveys.rounds copies it), never by position
or wording. A question that a column did not ask, an option it did not offer, or a question asked there
as another kind is marked so in that column, never merged with something else.

The counting is SQL: one grouped query over every answer of the rounds' compared questions (grouped by
question, option and value: one ordered pass over the tally index), one for the people behind the
questions where one person picks several options, one for the completed responses per column. The grouped
rows (a few hundred) are then keyed by question and option lineage, which is where the rounds meet:
`build_comparison` takes rows (column, question lineage, option lineage, value, count), so a period
comparison feeds it the same shape. Python never loops over responses or answers.
"""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from surveys.kinds import KINDS, median
from surveys.models import Answer, Question, Response, Survey

# How each comparable kind is drawn across columns (the kind says: `compared_as`): its options side by side,
# or its median as a line.
BARS = tuple(key for key, kind in KINDS.items() if kind.compared_as == "bars")
LINE = tuple(key for key, kind in KINDS.items() if kind.compared_as == "line")
COMPARED_KINDS = BARS + LINE


@dataclass
class Column:
    key: int  # the round's number (or a period's)
    label: str
    completed: int = 0  # completed responses


@dataclass
class Option:
    lineage: str
    label: str


@dataclass
class Cell:
    """One question in one column. `asked` False: the column did not ask it (or asked it as another kind,
    `other_kind`). `counts`: picks per option lineage; None for an option the column did not offer."""
    asked: bool
    other_kind: bool = False
    respondents: int = 0
    counts: dict[str, int | None] = field(default_factory=dict)
    values: list[tuple[float, int]] = field(default_factory=list)
    median: float | None = None
    top_share: float | None = None  # a scale: percent of respondents who gave 4 or 5

    def share(self, lineage: str) -> float | None:
        """Percent of the question's respondents in this column who picked the option; None if not offered
        or nobody answered."""
        count = self.counts.get(lineage)
        return None if count is None or not self.respondents else 100 * count / self.respondents


@dataclass
class ComparedQuestion:
    lineage: str
    prompt: str
    kind: str
    chart: str  # "bars" or "line"
    options: list[Option]
    cells: dict[int, Cell]  # by column key

    @property
    def multiple(self) -> bool:
        return KINDS[self.kind].several_per_response


@dataclass
class Comparison:
    columns: list[Column]
    questions: list[ComparedQuestion]
    not_compared: list[str]  # prompts of the questions whose answers are text (or places): not compared


def compare_rounds(session, rounds: list[Survey], labels: dict[int, str]) -> Comparison:
    """The rounds (surveys of one series, first round first) side by side, completed responses only.
    `labels` names each round's column by its number."""
    by_survey = {survey.id: survey.round for survey in rounds}
    compared = [q for survey in rounds for q in survey.questions if q.kind in COMPARED_KINDS]
    # Ids to (round, lineage) for the grouped rows: a few hundred at most, never one per answer.
    where = {q.id: (by_survey[q.survey_id], q.lineage) for q in compared}
    option = {c.id: c.lineage for q in compared for c in q.choices}
    completed = select(Response.id).where(Response.survey_id.in_(by_survey), Response.completed_at.is_not(None))
    # Grouped by ids in the order of the ix_answers_tally index, so the database reads it in one ordered pass
    # with no sort; `+ 0` keeps SQLite from looking answers up response by response (as in surveys.results).
    tallies = session.execute(
        select(Answer.question_id, Answer.choice_id, Answer.number, func.count())
        .where(Answer.question_id.in_(where), (Answer.response_id + 0).in_(completed))
        .group_by(Answer.question_id, Answer.choice_id, Answer.number))
    several = [q.id for q in compared if KINDS[q.kind].several_per_response]
    people = session.execute(
        select(Answer.question_id, func.count(func.distinct(Answer.response_id)))
        .where(Answer.question_id.in_(several), (Answer.response_id + 0).in_(completed))
        .group_by(Answer.question_id)) if several else []
    finished = dict(session.execute(select(Response.survey_id, func.count()).where(
        Response.survey_id.in_(by_survey), Response.completed_at.is_not(None)).group_by(Response.survey_id)).all())
    columns = [Column(survey.round, labels.get(survey.round, str(survey.round)), finished.get(survey.id, 0))
               for survey in rounds]
    return build_comparison(
        columns, {survey.round: list(survey.questions) for survey in rounds},
        [(*where[qid], option.get(cid), number, n) for qid, cid, number, n in tallies],
        [(*where[qid], n) for qid, n in people])


def build_comparison(columns: list[Column], asked: dict[int, list[Question]], tallies, people) -> Comparison:
    """Fold grouped rows into the comparison.

    `asked`: each column's questions, in order. `tallies`: rows (column key, question lineage, option
    lineage or None, number or None, count). `people`: rows (column key, question lineage, respondents) for
    the kinds where one person picks several options (for the others the picks are the people).
    """
    picks: dict[tuple[int, str], dict] = defaultdict(lambda: defaultdict(int))
    for key, lineage, option, number, count in tallies:
        picks[key, lineage][option if option is not None else number] += count
    respondents = {(key, lineage): n for key, lineage, n in people}
    order, not_compared, latest = lineages_in_order(columns, asked)
    questions = []
    for lineage in order:
        question = latest[lineage]
        cells = {}
        for column in columns:
            here = next((q for q in asked.get(column.key, ()) if q.lineage == lineage), None)
            cells[column.key] = cell(question.kind, here, picks.get((column.key, lineage), {}),
                                     respondents.get((column.key, lineage)))
        questions.append(ComparedQuestion(lineage, question.prompt, question.kind,
                                          "bars" if question.kind in BARS else "line",
                                          options_in_order(columns, asked, lineage), cells))
    return Comparison(columns, questions, not_compared)


def lineages_in_order(columns, asked) -> tuple[list[str], list[str], dict[str, Question]]:
    """The compared questions' lineages (the latest column's order first, then those only earlier columns
    asked), the prompts of questions not compared, and each lineage's latest question."""
    latest: dict[str, Question] = {}
    order, not_compared, seen = [], [], set()
    for column in reversed(columns):
        for question in asked.get(column.key, ()):
            if question.lineage in seen:
                continue
            seen.add(question.lineage)
            if question.kind not in COMPARED_KINDS:
                not_compared.append(question.prompt)
                continue
            latest[question.lineage] = question
            order.append(question.lineage)
    return order, not_compared, latest


def options_in_order(columns, asked, lineage: str) -> list[Option]:
    """Every option any column offered for the question, labelled as the latest column words it."""
    seen: dict[str, Option] = {}
    for column in reversed(columns):
        for question in asked.get(column.key, ()):
            if question.lineage == lineage:
                for choice in question.choices:
                    seen.setdefault(choice.lineage, Option(choice.lineage, choice.label))
    return list(seen.values())


def cell(kind: str, question: Question | None, picks: dict, people: int | None) -> Cell:
    """One column's figures for a question, from its grouped picks ({option lineage or number: count})."""
    if question is None:
        return Cell(asked=False)
    if question.kind != kind:
        return Cell(asked=False, other_kind=True)
    if kind in BARS:
        offered = {c.lineage for c in question.choices}
        counts = {lineage: picks.get(lineage, 0) for lineage in offered}
        total = people if people is not None else sum(counts.values())
        return Cell(asked=True, respondents=total, counts=counts)
    values = sorted((float(v), n) for v, n in picks.items() if v is not None and not isinstance(v, str))
    total = sum(n for _v, n in values)
    top = None
    top_box = KINDS[kind].top_box
    if top_box is not None and total:
        top = 100 * sum(n for v, n in values if v >= top_box) / total
    return Cell(asked=True, respondents=total, values=values, median=median(values), top_share=top)
