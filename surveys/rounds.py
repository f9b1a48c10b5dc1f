"""Rounds: the same survey asked again (every school year, before and during a trial), so that the
answers can be compared over time (surveys.comparison).

`start_round` copies a survey into the next round of its series: its texts, its questions and their
options with their pictures and areas. Every copied question and option keeps its `lineage` key, which
is what makes a question in round 3 "the same question" as in round 1, whatever its wording or place.
The first new round of a survey makes the series: the survey becomes round 1.

What keeps rounds comparable (the editor enforces the first, surveys.editing): a copied question keeps
its kind; its wording may change as long as it means the same; options may be added; an option removed
from a later round is shown as "not asked" there.

Services take plain values, flush, and never commit.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from surveys.editing import unique_slug
from surveys.forms import is_slug
from surveys.models import Choice, Question, Survey, SurveyImage, SurveySeries, SurveyStatus

SLUG_MAX = 80


class RoundProblem(ValueError):
    """The round cannot be started as asked; str(error) says why, translated."""


@dataclass(frozen=True)
class NewRound:
    """What staff chose. `move_address`: the new round takes the survey's public address (posters lead
    to it) and the old round gets `<slug>-runde-<n>`; otherwise the new round gets `slug` (typed; empty
    means the old slug with the next free -2, -3 …)."""
    move_address: bool = False
    slug: str = ""


def start_round(session, survey: Survey, choice: NewRound) -> Survey:
    """Make the next round of `survey`'s series (making the series first if the survey is in none), as a
    draft with copies of the survey's texts, questions, options and pictures.

    :raise RoundProblem: for a typed address that is not a valid slug or is taken by another survey.
    """
    wanted = choice.slug.strip().lower()
    if not choice.move_address and wanted and not (len(wanted) <= SLUG_MAX and is_slug(wanted)):
        raise RoundProblem(_("The address can only have small letters a–z, digits and hyphens, "
                             "at most %(max)s characters.", max=SLUG_MAX))
    if not choice.move_address and wanted and session.scalar(select(Survey.id).where(Survey.slug == wanted)):
        raise RoundProblem(_("The address “%(slug)s” is taken by another survey. Choose another one.", slug=wanted))
    number = next_round_number(session, survey)
    series = series_of(session, survey)
    if choice.move_address:
        slug = survey.slug
        # Flushed first: the new round may only take the address once the old round has let go of it.
        survey.slug = unique_slug(session, f"{survey.slug[:SLUG_MAX - 12]}-runde-{survey.round}", survey.id)
        session.flush()
    else:
        slug = wanted or default_slug(session, survey, number)
    new = Survey(organisation_id=survey.organisation_id, slug=slug, title=survey.title, intro=survey.intro,
                 thanks=survey.thanks, language=survey.language, status=SurveyStatus.draft,
                 series_id=series.id, round=number)
    session.add(new)
    session.flush()
    copy_questions(session, survey, new)
    return new


def next_round_number(session, survey: Survey) -> int:
    if survey.series_id is None:
        return 2
    return (session.scalar(select(func.max(Survey.round)).where(Survey.series_id == survey.series_id)) or 1) + 1


def default_slug(session, survey: Survey, number: int) -> str:
    """The survey's address with the round's number: bymidten → bymidten-2, bymidten-2 → bymidten-3 (or the
    next free one)."""
    base = survey.slug
    if survey.round and base.endswith(f"-{survey.round}"):
        base = base[:-len(f"-{survey.round}")]
    return unique_slug(session, f"{base[:SLUG_MAX - 4]}-{number}")


def series_of(session, survey: Survey) -> SurveySeries:
    """The survey's series; a survey in none starts one named after it, as its round 1."""
    if survey.series_id is not None:
        return session.get(SurveySeries, survey.series_id)
    series = SurveySeries(organisation_id=survey.organisation_id, name=survey.title[:200])
    session.add(series)
    session.flush()
    survey.series_id, survey.round = series.id, 1
    session.flush()
    return series


def copy_questions(session, source: Survey, target: Survey) -> None:
    """Copy every question of `source` into `target` with its options, pictures, areas and lineage keys;
    show-if rules point at the copied options."""
    pictures = copy_pictures(session, source, target)
    copied: dict[int, Choice] = {}  # the source option's id -> its copy
    conditions: list[tuple[Question, int]] = []
    for question in list(source.questions):
        twin = Question(survey_id=target.id, position=question.position, kind=question.kind, prompt=question.prompt,
                        help=question.help, required=question.required, settings=dict(question.settings or {}),
                        lineage=question.lineage)
        session.add(twin)
        for choice in list(question.choices):
            option = Choice(position=choice.position, label=choice.label, image_id=pictures.get(choice.image_id),
                            shape=[list(corner) for corner in choice.shape] if choice.shape else None,
                            lineage=choice.lineage)
            twin.choices.append(option)
            copied[choice.id] = option
        if question.show_if_choice_id is not None:
            conditions.append((twin, question.show_if_choice_id))
    session.flush()  # the copies get their ids, which show-if needs
    for twin, choice_id in conditions:
        twin.show_if_choice_id = copied[choice_id].id if choice_id in copied else None
    session.flush()
    session.expire(target, ["questions"])  # made by id, not through the collection: load them afresh


def copy_pictures(session, source: Survey, target: Survey) -> dict[int, int]:
    """Copies of the option pictures of `source` for `target`: {old picture id: new picture id}."""
    made = {}
    for picture in session.scalars(select(SurveyImage).where(SurveyImage.survey_id == source.id)):
        twin = SurveyImage(survey_id=target.id, content_type=picture.content_type, width=picture.width,
                           height=picture.height, data=picture.data)
        session.add(twin)
        made[picture.id] = twin
    session.flush()
    return {old: twin.id for old, twin in made.items()}


def rounds_of(session, survey: Survey) -> list[Survey]:
    """Every round of the survey's series (in the survey's organisation), first round first; [] if the
    survey is in no series."""
    if survey.series_id is None:
        return []
    return list(session.scalars(select(Survey).where(
        Survey.series_id == survey.series_id, Survey.organisation_id == survey.organisation_id)
        .order_by(Survey.round, Survey.id)))

