"""Changing survey definitions without corrupting answers already collected.

Services take plain values, flush, and never commit. Each refusal is an
`EditRefused` whose message explains to staff why, in their language.
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from surveys.forms import slugify_title
from surveys.kinds import KINDS
from surveys.models import Answer, Choice, Question, Survey, SurveyStatus


class EditRefused(Exception):
    """The change would lose or corrupt collected answers; str(error) says why."""


@dataclass
class ChoiceEdit:
    choice_id: int | None  # None for a new option
    label: str
    remove: bool = False
    image_id: int | None = None
    shape: list | None = None  # a kind with areas: the option's polygon on the map (surveys.maps)


@dataclass
class QuestionEdit:
    kind: str
    prompt: str
    help: str = ""
    required: bool = True
    settings: dict = field(default_factory=dict)
    show_if_choice_id: int | None = None
    choices: list[ChoiceEdit] = field(default_factory=list)


def unique_slug(session, wanted: str, survey_id: int | None = None) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... whichever no other survey has."""
    base = wanted or "survey"
    candidate, n = base, 1
    while session.scalar(select(Survey.id).where(Survey.slug == candidate, Survey.id != (survey_id or 0))):
        n += 1
        candidate = f"{base[:75]}-{n}"
    return candidate


def create_survey(session, organisation_id: int, **values) -> Survey:
    values["slug"] = unique_slug(session, values.get("slug") or slugify_title(values["title"]))
    survey = Survey(organisation_id=organisation_id, **values)
    session.add(survey)
    session.flush()
    return survey


def answer_count(session, question: Question) -> int:
    return session.scalar(select(func.count(Answer.id)).where(Answer.question_id == question.id))


def choice_answer_counts(session, question: Question) -> dict[int, int]:
    rows = session.execute(select(Answer.choice_id, func.count()).where(Answer.question_id == question.id)
                           .group_by(Answer.choice_id))
    return {choice_id: n for choice_id, n in rows if choice_id is not None}


def condition_options(survey: Survey, question: Question | None) -> list[tuple[int, str]]:
    """Choices of earlier questions that can switch this one on, as (choice id, text)."""
    options = []
    for earlier in survey.questions:
        if question is not None and earlier.position >= question.position:
            break
        if KINDS[earlier.kind].usable_in_show_if:
            options += [(c.id, f"{earlier.position}. {earlier.prompt[:60]} → {c.label}") for c in earlier.choices]
    return options


def save_question(session, survey: Survey, question: Question | None, edit: QuestionEdit) -> Question:
    """Create a question (when `question` is None) or change one.

    :raise EditRefused: if the kind changes after answers came in, an option with
        answers or a show-if rule depending on it would be removed, the show-if
        choice is not an option of an earlier question, or the settings leave no
        answer that can be sent (a number out of bounds, the smallest above the largest).
    """
    problem = KINDS[edit.kind].settings_problem(edit.settings)
    if problem:
        raise EditRefused(problem)
    if question is None:
        question = Question(survey=survey, position=len(survey.questions) + 1, kind=edit.kind, prompt="")
        session.add(question)
    elif edit.kind != question.kind:
        _check_kind_change_in_series(session, survey, question)
        _check_kind_change(session, survey, question)
    allowed = {cid for cid, _label in condition_options(survey, question if question.id else None)}
    if edit.show_if_choice_id is not None and edit.show_if_choice_id not in allowed:
        raise EditRefused(_("Show-if must point at an option of an earlier question."))
    question.kind = edit.kind
    question.prompt = edit.prompt.strip()
    question.help = edit.help.strip()
    question.required = edit.required
    known = {setting.name for setting in KINDS[edit.kind].settings}
    question.settings = {k: v for k, v in edit.settings.items() if k in known and v not in (None, "")}
    question.show_if_choice_id = edit.show_if_choice_id
    _save_choices(session, survey, question, edit.choices)
    session.flush()
    return question


# --- Rounds (surveys.rounds): what keeps a copied question comparable with the other rounds -------------

def asked_in_other_rounds(session, survey: Survey, question: Question) -> bool:
    """Whether another round of the survey's series asks this question (it shares the lineage key)."""
    if survey.series_id is None or question.id is None:
        return False
    return bool(session.scalar(select(func.count(Question.id)).join(Survey, Survey.id == Question.survey_id).where(
        Survey.series_id == survey.series_id, Question.lineage == question.lineage, Question.id != question.id)))


def _check_kind_change_in_series(session, survey, question):
    """Answers of another kind cannot be set beside the other rounds' answers; rewording is allowed."""
    if asked_in_other_rounds(session, survey, question):
        raise EditRefused(_("The kind cannot change: this question is asked in other rounds of the series too, "
                            "and its answers could no longer be compared with theirs. Add a new question instead."))


def _check_kind_change(session, survey, question):
    if answer_count(session, question):
        raise EditRefused(_("The kind cannot change: this question already has answers, "
                            "and they would no longer make sense. Add a new question instead."))
    if _dependants(survey, [c.id for c in question.choices]):
        raise EditRefused(_("The kind cannot change: another question is shown only when one of "
                            "these options is picked. Change that question first."))


def _save_choices(session, survey, question, edits: list[ChoiceEdit]):
    kind = KINDS[question.kind]
    if not kind.has_choices:
        for choice in list(question.choices):
            _remove_choice(session, survey, question, choice)
        return
    if kind.fixed_choices:
        edits = _fixed_choice_edits(question, kind)
    existing = {c.id: c for c in question.choices}
    for edit in edits:
        choice = existing.get(edit.choice_id) if edit.choice_id else None
        if edit.choice_id and choice is None:
            raise EditRefused(_("An option does not belong to this question. Reload the page and try again."))
        if choice is not None and (edit.remove or not edit.label.strip()):
            _remove_choice(session, survey, question, choice)
        elif choice is not None:
            choice.label = edit.label.strip()
            # Only a kind with pictures shows them; a picture left from another kind would be stale.
            choice.image_id = (edit.image_id or choice.image_id) if kind.has_pictures else None
            choice.shape = edit.shape if kind.has_areas else None
        elif edit.label.strip():
            question.choices.append(Choice(label=edit.label.strip(), position=0,
                                           image_id=edit.image_id if kind.has_pictures else None,
                                           shape=edit.shape if kind.has_areas else None))
    for position, choice in enumerate(question.choices, start=1):
        choice.position = position
    if len(question.choices) < kind.fewest_choices:
        raise EditRefused(_("A choice question needs at least two options."))


def _fixed_choice_edits(question, kind) -> list[ChoiceEdit]:
    """A kind with fixed options (yes/no) keeps its own; their wording follows the survey's language when
    created."""
    if len(question.choices) == len(kind.fixed_choices):
        return [ChoiceEdit(c.id, c.label) for c in question.choices]
    from flask_babel import force_locale

    with force_locale(question.survey.language):
        labels = [str(label) for label in kind.fixed_choices]
    return [ChoiceEdit(None, label) for label in labels]


def _remove_choice(session, survey, question, choice):
    picked = choice_answer_counts(session, question).get(choice.id, 0) if choice.id else 0
    if picked:
        raise EditRefused(ngettext("The option “%(label)s” cannot be removed: %(num)d answer picked it. "
                                   "You can still change its wording.",
                                   "The option “%(label)s” cannot be removed: %(num)d answers picked it. "
                                   "You can still change its wording.", picked, label=choice.label))
    if choice.id and _dependants(survey, [choice.id]):
        raise EditRefused(_("The option “%(label)s” cannot be removed: another question is shown "
                            "only when it is picked.", label=choice.label))
    question.choices.remove(choice)


def _dependants(survey, choice_ids) -> list[Question]:
    return [q for q in survey.questions if q.show_if_choice_id in choice_ids]


def move_question(survey: Survey, question: Question, step: int) -> None:
    """Swap the question with its neighbour (`step` is -1 for up, 1 for down).

    :raise EditRefused: if a show-if rule would point at a later question.
    """
    questions = list(survey.questions)
    index = questions.index(question)
    other_index = index + step
    if not 0 <= other_index < len(questions):
        return
    first, second = sorted([question, questions[other_index]], key=lambda q: q.position)
    if second.show_if_choice_id in {c.id for c in first.choices}:
        raise EditRefused(_("“%(question)s” depends on the question above it and must stay below it.",
                            question=second.prompt[:60]))
    first.position, second.position = second.position, first.position
    survey.questions.sort(key=lambda q: q.position)


def delete_question(session, survey: Survey, question: Question) -> None:
    """:raise EditRefused: if people answered it, or another question depends on it."""
    if answer_count(session, question):
        raise EditRefused(_("This question cannot be deleted: it already has answers."))
    if _dependants(survey, [c.id for c in question.choices]):
        raise EditRefused(_("This question cannot be deleted: another question is shown only "
                            "when one of its options is picked."))
    survey.questions.remove(question)
    for position, remaining in enumerate(survey.questions, start=1):
        remaining.position = position
    session.flush()


def change_status(survey: Survey, action: str) -> None:
    """:raise EditRefused: when opening a survey without questions."""
    if action == "open":
        if not survey.questions:
            raise EditRefused(_("Add at least one question before you open the survey."))
        survey.status = SurveyStatus.open
    elif action == "close":
        survey.status = SurveyStatus.closed
