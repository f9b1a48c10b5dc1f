"""Cross-tabs: one closed question's answers broken down by another closed question, or by where the
responses came from (a touchpoint, a class session), as counts and row percentages.

A closed question is one whose kind says `closed`: its answers fall into a fixed
list of options (choices, yes/no, pictures, a place question's named areas) or
values (a scale's points). The rows of a table are the groups (the options of
the question it is broken down by, or the touchpoints or class sessions); its
columns are the options of the question itself. Each cell counts people, from
one grouped query over the answers (a self-join on the response for a question
by a question), within the results' filters (`matching_responses`).

A person who picked several options (multiple choice, several places) counts
once in each option they picked, so a row's cells can add up to more than its
total and its percentages to more than 100 %.

The engine does not know touchpoints or class sessions by name: the caller
passes their names by id. `suppressed(table, min_size)` hides the groups of
fewer than `min_size` people, for results that leave the staff pages.
"""
from collections import Counter
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from surveys.kinds import KINDS
from surveys.models import Answer, Question, Response, Survey
from surveys.results import Filters, matching_responses

# What a table can be broken down by, besides another question: the attribution columns of Response.
ATTRIBUTIONS = {"touchpoint": "touchpoint_id", "class_session": "class_session_id"}
NONE = "none"  # the row of the responses that came through no touchpoint (no class session)
OTHER = "other"  # the row of those whose touchpoint (class session) the caller gave no name for


class CrossTabError(ValueError):
    """The breakdown asked for cannot be made; str(error) is the translated message."""


@dataclass
class Row:
    key: object  # an option's key (choice id or scale value), an attribution id, NONE or OTHER
    label: str
    counts: list  # people per column option, in the order of `CrossTab.columns`; None when suppressed
    total: int | None  # people in the group who answered the question; None when suppressed
    suppressed: bool = False

    @property
    def percents(self) -> list:
        """Each cell as a share of the row's total, in percent (unrounded); None when suppressed."""
        return [None if n is None or self.total is None else (100 * n / self.total if self.total else 0.0)
                for n in self.counts]


@dataclass
class CrossTab:
    question: Question
    by: str  # "question", "touchpoint", "class_session" or "round"
    by_question: Question | None
    columns: list[tuple[object, str]]  # the question's options: (key, label)
    rows: list[Row] = field(default_factory=list)
    several_in_columns: bool = False  # a person may count in several columns of a row
    several_in_rows: bool = False  # a person may count in several rows

    @property
    def empty(self) -> bool:
        return not any(row.total for row in self.rows)


def closed_questions(survey: Survey) -> list[Question]:
    """The questions a cross-tab can show or break down by."""
    return [q for q in survey.questions if KINDS[q.kind].closed]


def options(question: Question) -> list[tuple[object, str]]:
    """A closed question's options as (key, label): choices by id, a scale's points by value."""
    kind = KINDS[question.kind]
    if kind.has_choices:
        return [(choice.id, choice.label) for choice in question.choices]
    # The tally of no answers lists every point of the scale (1–5, 0–10), each with 0 people.
    return [(float(value), str(value)) for value, _n in kind.tally(question, Counter())["values"]]


def answer_key(answers, question: Question):
    """The column of `answers` (Answer or an alias of it) that holds the option: its choice or its number."""
    return answers.choice_id if KINDS[question.kind].has_choices else answers.number


def crosstab(session, survey: Survey, question: Question, filters: Filters, by_question: Question | None = None,
             by: str = "question", names: dict[int, str] | None = None) -> CrossTab:
    """`question` broken down by `by_question` (by="question") or by an attribution ("touchpoint",
    "class_session", with their `names` by id: groups the caller has no name for are added up in one
    OTHER row, responses with none in a NONE row).

    :raise CrossTabError: when a question is not closed, is not in `survey`, or is broken down by itself.
    """
    check(survey, question, by_question, by)
    several_rows = by == "question" and KINDS[by_question.kind].several_per_response
    table = CrossTab(question, by, by_question, options(question),
                     several_in_columns=KINDS[question.kind].several_per_response, several_in_rows=several_rows)
    ids = matching_responses(survey, filters).subquery()
    cells, totals = grouped_counts(session, question, ids, by_question, by, table.several_in_columns, several_rows)
    if by == "question":
        groups = options(by_question)
    else:
        groups = attribution_groups(cells, totals, names or {}, by)
        cells, totals = fold_unnamed(cells, totals, names or {})
    table.rows = [Row(key, label, [cells.get((key, column), 0) for column, _label in table.columns],
                      totals.get(key, 0)) for key, label in groups]
    return table


def by_round(session, question: Question, rounds: list[Survey], labels: dict[int, str]) -> CrossTab:
    """`question` in each round of its series (`rounds`, first round first, the question found in each by
    its lineage key): one row per round, finished responses of the whole round (the results' filters are
    for one survey and do not apply). A round that did not ask the question, or did not offer an option,
    counts 0 there; `Row.key` is the round's number.

    :raise CrossTabError: for a question that is not closed or cannot be compared across rounds (places).
    """
    from surveys.comparison import compare_rounds

    if not KINDS[question.kind].closed:
        raise CrossTabError(_("Only questions with fixed options (choices, yes/no, scales, places) can be "
                              "broken down."))
    compared = compare_rounds(session, rounds, labels)
    found = next((q for q in compared.questions if q.lineage == question.lineage), None)
    if found is None:
        raise CrossTabError(_("This question cannot be compared across rounds: places are not compared."))
    table = CrossTab(question, "round", None, [], several_in_columns=KINDS[question.kind].several_per_response)
    if found.chart == "bars":
        table.columns = [(option.lineage, option.label) for option in found.options]
    else:
        table.columns = options(question)
    for column in compared.columns:
        cell = found.cells[column.key]
        picked = (cell.counts if found.chart == "bars" else dict(cell.values)) if cell.asked else {}
        table.rows.append(Row(column.key, column.label, [picked.get(key) or 0 for key, _label in table.columns],
                              cell.respondents if cell.asked else 0))
    return table


def check(survey: Survey, question: Question, by_question: Question | None, by: str) -> None:
    mine = {q.id for q in survey.questions}
    if question.id not in mine or (by_question is not None and by_question.id not in mine):
        raise CrossTabError(_("That question is not in this survey."))
    if not KINDS[question.kind].closed or (by_question is not None and not KINDS[by_question.kind].closed):
        raise CrossTabError(_("Only questions with fixed options (choices, yes/no, scales, places) can be "
                              "broken down."))
    if (by == "question" and by_question is None) or (by != "question" and by not in ATTRIBUTIONS):
        raise CrossTabError(_("Pick what to break the question down by."))
    if by_question is not None and by_question.id == question.id:
        raise CrossTabError(_("A question cannot be broken down by itself: pick another question, a touchpoint "
                              "or a class session."))


def grouped_counts(session, question: Question, ids, by_question: Question | None, by: str,
                   several_columns: bool, several_rows: bool) -> tuple[dict, dict]:
    """({(group, option): people}, {group: people who answered the question}), from one grouped query for
    the cells and, when a person can count in several cells of a row, one more for the rows' totals."""
    if by == "question":
        return question_counts(session, question, ids, by_question, several_columns, several_rows)
    return attribution_counts(session, question, ids, ATTRIBUTIONS[by], several_columns)


def question_counts(session, question: Question, ids, by_question: Question, several_columns: bool,
                    several_rows: bool) -> tuple[dict, dict]:
    column, row = aliased(Answer), aliased(Answer)
    column_key, group = answer_key(column, question), answer_key(row, by_question)
    # The join reads one side's answers from the tally index and looks each person's answer to the other
    # up by response: the side with one answer per person is read, as it has fewer to look up. Without
    # statistics SQLite would read the other side from the tally index again for every answer (n² rows);
    # `+ 0` on its question keeps it to the lookup by response.
    outer, inner = (row, column) if several_columns and not several_rows else (column, row)
    outer_id, inner_id = (by_question.id, question.id) if outer is row else (question.id, by_question.id)
    inner_question = inner.question_id + 0 if session.get_bind().dialect.name == "sqlite" else inner.question_id
    # A kind with several rows per person may store the same option twice (two places in one area).
    people = func.count(func.distinct(column.response_id)) if several_columns or several_rows else func.count()
    cells = {(key, option): n for key, option, n in session.execute(
        select(group, column_key, people).select_from(outer)
        .join(inner, and_(inner.response_id == outer.response_id, inner_question == inner_id))
        .where(outer.question_id == outer_id, group.is_not(None), column_key.is_not(None),
               (outer.response_id + 0).in_(select(ids.c.id)))
        .group_by(group, column_key))}
    if not several_columns:  # one option per person: the row's cells add up to its people
        return cells, sum_rows(cells)
    # The group's people who answered the question: the group's answers, each looked up in the list of those
    # who answered, which the database builds once.
    answered = select(column.response_id).where(column.question_id == question.id, column_key.is_not(None))
    people = func.count(func.distinct(row.response_id)) if several_rows else func.count()
    totals = dict(session.execute(
        select(group, people)
        .where(row.question_id == by_question.id, group.is_not(None), (row.response_id + 0).in_(select(ids.c.id)),
               row.response_id.in_(answered))
        .group_by(group)).all())
    return cells, totals


def attribution_counts(session, question: Question, ids, attribution: str, several: bool) -> tuple[dict, dict]:
    """By a column of Response; responses that came through no touchpoint (class session) make one row."""
    column = aliased(Answer)
    column_key, group = answer_key(column, question), getattr(Response, attribution)
    # `+ 0`, as in surveys.results: SQLite then reads the question's part of the tally index once instead of
    # looking the answers up response by response.
    base = (select().select_from(column).join(Response, Response.id == column.response_id)
            .where(column.question_id == question.id, column_key.is_not(None),
                   (column.response_id + 0).in_(select(ids.c.id))))
    people = func.count(func.distinct(column.response_id)) if several else func.count()
    cells = {(NONE if key is None else key, option): n for key, option, n in session.execute(
        base.add_columns(group, column_key, people).group_by(group, column_key))}
    if not several:
        return cells, sum_rows(cells)
    totals = session.execute(base.add_columns(group, people).group_by(group)).all()
    return cells, {NONE if key is None else key: n for key, n in totals}


def sum_rows(cells: dict) -> dict:
    totals = Counter()
    for (key, _option), n in cells.items():
        totals[key] += n
    return dict(totals)


def attribution_groups(cells: dict, totals: dict, names: dict[int, str], by: str) -> list[tuple[object, str]]:
    """The rows of a breakdown by touchpoint or class session: the named groups that have answers, in the
    order of `names`, then the responses through an unnamed one, then those through none."""
    present = set(totals)
    groups = [(key, name) for key, name in names.items() if key in present]
    if any(key not in names and key != NONE for key in present):
        groups.append((OTHER, _("Other touchpoints") if by == "touchpoint" else _("Other class sessions")))
    if NONE in present:
        groups.append((NONE, _("No touchpoint") if by == "touchpoint" else _("Not in a class session")))
    return groups


def fold_unnamed(cells: dict, totals: dict, names: dict[int, str]) -> tuple[dict, dict]:
    """Cells and totals with the groups that have no name added up under OTHER (each response has one
    touchpoint and one class session at most, so the sums count people)."""
    folded_cells, folded_totals = Counter(), Counter()
    for (key, option), n in cells.items():
        folded_cells[(key if key in names or key == NONE else OTHER, option)] += n
    for key, n in totals.items():
        folded_totals[key if key in names or key == NONE else OTHER] += n
    return dict(folded_cells), dict(folded_totals)


def suppressed(table: CrossTab, min_size: int) -> CrossTab:
    """A copy of `table` in which each group of fewer than `min_size` people shows no numbers: its counts
    and total are None and it is flagged `suppressed` (shown as "fewer than 5"). For results that leave
    the staff pages (share links, published results); staff see every number."""
    rows = [row if (row.total or 0) >= min_size else
            replace(row, counts=[None] * len(row.counts), total=None, suppressed=True) for row in table.rows]
    return replace(table, rows=rows)
