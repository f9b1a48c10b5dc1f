"""Two periods of one survey side by side (before and during a trial, say): per closed question the
count per option in each period, medians per period and how many answered.

Each period is the results' own computation (`results.question_results`, grouped SQL) over the
responses the other filters let through and that started within the period, so a period's column
equals the results page filtered to those dates. Periods may overlap: a response from days in
both counts in both columns.
"""
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select

from surveys.results import Filters, matching_responses, question_results

COMPARED_CHARTS = ("bars", "diverging", "histogram")  # closed questions; text and place answers are not compared


@dataclass(frozen=True)
class Period:
    """Danish calendar days, both ends included; None is open-ended."""
    since: date | None = None
    until: date | None = None

    def problem(self) -> str | None:
        """"backwards" when it ends before it starts, "empty" when it has neither end, else None."""
        if self.since is None and self.until is None:
            return "empty"
        if self.since and self.until and self.until < self.since:
            return "backwards"
        return None


def overlap(first: Period, second: Period) -> tuple[date | None, date | None] | None:
    """The days two periods share, as (first, last) with None for open-ended, or None if they share none."""
    starts = [p.since for p in (first, second) if p.since]
    ends = [p.until for p in (first, second) if p.until]
    start, end = max(starts, default=None), min(ends, default=None)
    if start and end and start > end:
        return None
    return start, end


def compare_periods(session, survey, filters: Filters, periods: list[Period]) -> dict:
    """`{"responses": [n per period], "questions": [...]}`: one dict per closed question, in order:
    `question_id`, `position`, `prompt`, `kind` (its key), `kind_label`, `multiple`, `n` (respondents
    per period), `rows` (`{"label", "counts": [per period]}`; none for a number question, whose bins
    would differ per period) and `medians` (per period, None without answers; None for choices).

    The filters' own dates are replaced by each period's. :raise ValueError: for a period with a `problem`.
    """
    if any(p.problem() for p in periods):
        raise ValueError("a period is empty or ends before it starts")
    responses, columns = [], []
    for period in periods:
        ids = matching_responses(survey, replace(filters, since=period.since, until=period.until)).subquery()
        responses.append(session.scalar(select(func.count()).select_from(ids)))
        columns.append(question_results(session, survey, ids))
    questions = []
    for results in zip(*columns, strict=True):
        first = results[0]
        question, kind = first["question"], first["kind"]
        if first["chart"] not in COMPARED_CHARTS or kind.has_map:
            continue
        questions.append({
            "question_id": question.id, "position": question.position, "prompt": question.prompt,
            "kind": kind.key, "kind_label": str(kind.label), "multiple": bool(first.get("multiple")),
            "n": [r["respondents"] for r in results], "rows": _rows(kind, results),
            "medians": [r.get("median") for r in results] if "median" in first else None})
    return {"responses": responses, "questions": questions}


def _rows(kind, results) -> list[dict]:
    if not kind.closed:  # a number's values are grouped differently in each period: medians only
        return []
    pairs = [r["rows"] if "rows" in r else r["values"] for r in results]
    return [{"label": str(items[0][0]), "counts": [n for _label, n in items]}
            for items in zip(*pairs, strict=True)]
