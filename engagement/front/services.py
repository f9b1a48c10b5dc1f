"""What the front page lists and what a published results page shows. Plain arguments, flush only."""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, lazyload

from engagement.competitions.models import Competition, CompetitionStatus, Phase
from engagement.front import notices
from engagement.front.models import PublishedSurvey
from surveys.models import Survey, SurveyState, SurveyStatus
from surveys.results import Filters, summarise, text_answers

DOING_NOW_MAX = 2000
TEXTS_SHOWN = 20  # the newest free-text answers on a public page; the rest stay with staff


def open_surveys(session, organisation_id: int, now: datetime) -> list[Survey]:
    """The organisation's surveys open right now, closing soonest first (no closing date last)."""
    surveys = session.scalars(select(Survey).options(lazyload(Survey.questions)).where(
        Survey.organisation_id == organisation_id, Survey.status == SurveyStatus.open))
    found = [s for s in surveys if s.state_at(now) is SurveyState.open]
    return sorted(found, key=lambda s: (s.closes_at is None, s.closes_at or now, s.title))


def open_competitions(session, organisation_id: int, now: datetime) -> list[Competition]:
    """The organisation's competitions that take ideas or votes right now, closing soonest first."""
    competitions = session.scalars(select(Competition).where(
        Competition.organisation_id == organisation_id, Competition.status == CompetitionStatus.open))
    found = [c for c in competitions if c.phase_at(now) in (Phase.submitting, Phase.voting)]
    return sorted(found, key=lambda c: (c.closes_at is None, c.closes_at or now, c.title))


def published_surveys(session, organisation_id: int) -> list[PublishedSurvey]:
    """The organisation's published results, newest first."""
    return list(session.scalars(select(PublishedSurvey).join(Survey)
                                .options(contains_eager(PublishedSurvey.survey).lazyload(Survey.questions))
                                .where(Survey.organisation_id == organisation_id)
                                .order_by(PublishedSurvey.published_at.desc())))


def published_for(session, survey: Survey) -> PublishedSurvey | None:
    return session.scalar(select(PublishedSurvey).where(PublishedSurvey.survey_id == survey.id))


def publish(session, survey: Survey, question_ids: list[int], show_texts: bool, doing_now: str,
            now: datetime) -> PublishedSurvey:
    """Publish (or update) the survey's public results with these questions, in the survey's order.
    Publishing (not updating) queues the mail to those who asked to be told (`notices`).

    :raise ValueError: if none of `question_ids` is a question of the survey.
    """
    chosen = [q.id for q in survey.questions if q.id in set(question_ids)]
    if not chosen:
        raise ValueError("no question of the survey was chosen")
    published = published_for(session, survey)
    first = published is None
    published = published or PublishedSurvey(survey_id=survey.id, published_at=now)
    published.question_ids, published.show_texts = chosen, show_texts
    published.doing_now, published.updated_at = doing_now.strip()[:DOING_NOW_MAX], now
    session.add(published)
    session.flush()
    if first:
        notices.tell_subscribers(session, survey, now)
    return published


def unpublish(session, survey: Survey) -> bool:
    """Take the results page down; False if it was not published."""
    published = published_for(session, survey)
    if published is not None:
        session.delete(published)
        session.flush()
    return published is not None


@dataclass
class PublicResult:
    """One question on the public page. `hidden` when fewer than the minimum group answered."""
    question: object
    respondents: int
    hidden: bool
    rows: list = field(default_factory=list)      # (label, count, percent) for options and scale points
    median: float | None = None                    # for numbers and scales
    texts: list = field(default_factory=list)      # newest free-text answers, only when shown
    several: bool = False                          # people could pick more than one option


def public_results(session, published: PublishedSurvey, min_group: int) -> list[PublicResult]:
    """The chosen questions' results for everyone to read: no numbers for a group smaller than
    `min_group`, free text only when the page shows it (and then only from a large enough group)."""
    survey = published.survey
    summary = summarise(session, survey, Filters())
    by_id = {result["question"].id: result for result in summary.questions}
    return [public_result(session, survey, by_id[qid], published.show_texts, min_group)
            for qid in published.question_ids if qid in by_id]


def public_result(session, survey: Survey, result: dict, show_texts: bool, min_group: int) -> PublicResult:
    respondents = result["respondents"]
    shown = PublicResult(result["question"], respondents, hidden=respondents < min_group,
                         several=bool(result.get("multiple")))
    if shown.hidden:
        return shown
    # Options, or the points of a scale, or a number's values (binned by its kind when there are many).
    points = [(str(label), n) for label, n in result.get("rows") or result.get("values") or []]
    if points and (result.get("low_label") or result.get("high_label")):  # a scale: say what its ends mean
        ends = {0: result.get("low_label"), len(points) - 1: result.get("high_label")}
        points = [(f"{label} – {ends[i]}" if ends.get(i) else label, n) for i, (label, n) in enumerate(points)]
    shown.rows = [(label, n, round(100 * n / respondents)) for label, n in points]
    shown.median = result.get("median")
    if result["chart"] == "text" and show_texts:
        shown.texts = text_answers(session, survey, result["question"], Filters()).items[:TEXTS_SHOWN]
    return shown
