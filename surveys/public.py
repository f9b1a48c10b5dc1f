"""Public answering pages: `/s/<slug>` is printed on posters and must work for ever.

One question per screen, each screen a plain form post followed by a redirect,
so the flow works without JavaScript, survives reloads and keeps every answer
already sent if the signal drops between screens.
"""
import re

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from extensions import db
from surveys import answering
from surveys.kinds import KINDS, AnswerError
from surveys.models import Question, Survey, SurveyImage, SurveyState

bp = Blueprint("answer", __name__, url_prefix="/s")


def load_survey(slug: str) -> Survey:
    """:raise 404: if no survey has this slug, or it is still a draft."""
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None or survey.state is SurveyState.draft:
        abort(404)
    g.content_language = survey.language
    return survey


def not_open_page(survey: Survey):
    return render_template("surveys/not_open.html", survey=survey, state=survey.state)


def screen_url(survey: Survey, key: str, question: Question, via: str | None = None) -> str:
    return url_for("answer.screen", slug=survey.slug, key=key, question_id=question.id, via=via)


def valid_via() -> str | None:
    """The attribution token (`?via=` in the address, or the form's hidden field), if well-formed."""
    via = request.values.get("via", "")
    return via if re.fullmatch(answering.VIA_PATTERN, via) else None


@bp.get("/<slug>")
def start(slug):
    survey = load_survey(slug)
    if survey.state is not SurveyState.open:
        return not_open_page(survey)
    shown = answering.visible_questions(survey, set())
    if not shown:
        abort(404)
    # The key goes into the address, so Back after sending returns to the same run, and a
    # resend is recognised as one, not counted as a second person.
    return redirect(screen_url(survey, answering.new_key(), shown[0], via=valid_via()), 303)


@bp.route("/<slug>/<key>/<int:question_id>", methods=["GET", "POST"])
def screen(slug, key, question_id):
    survey = load_survey(slug)
    if not _valid_key(key):
        abort(404)
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    response = answering.find_response(db.session, survey, key)
    answers = answering.stored_answers(db.session, response)
    shown = answering.visible_questions(survey, answering.picked_choices(answers))
    if question not in shown:
        # A question that does not apply (any more): go on where this person really is.
        return redirect(next_url(survey, key, answers), 303)
    if survey.state is not SurveyState.open and not (response and response.completed):
        return not_open_page(survey)
    if request.method == "GET":
        return render_screen(survey, key, question, answers, raw=None)
    return save_screen(survey, key, question, answers)


def save_screen(survey, key, question, answers):
    raw = request.form.getlist(KINDS[question.kind].field(question))
    try:
        value = KINDS[question.kind].parse(question, raw)
    except AnswerError as error:
        return render_screen(survey, key, question, answers, raw=raw, error=str(error)), 422
    try:
        response = answering.record_answer(db.session, survey, key, question, value,
                                           answering.attribution_for(survey, valid_via()))
    except answering.AlreadySubmitted:
        db.session.rollback()
        return render_template("surveys/already_sent.html", survey=survey,
                               thanks_url=url_for("answer.thanks", slug=survey.slug, key=key)), 409
    target = after_saving(survey, key, question, response)
    # The address is built before the commit, which would expire the survey and reload it.
    db.session.commit()
    return redirect(target, 303)


def after_saving(survey, key, question, response) -> str:
    """Where to go once `question` is saved: the next question shown, the first required gap,
    or (completing the response now) the thank-you page."""
    answers = answering.stored_answers(db.session, response)
    shown = answering.visible_questions(survey, answering.picked_choices(answers))
    later = shown[shown.index(question) + 1:]
    if later:
        return screen_url(survey, key, later[0])
    if response.completed:
        return next_url(survey, key, answers)
    gap = answering.first_gap(survey, answers)
    if gap is not None:
        return screen_url(survey, key, gap)
    answering.complete(db.session, survey, response)
    return url_for("answer.thanks", slug=survey.slug, key=key)


def next_url(survey, key, answers) -> str:
    """Where a person with these stored answers goes on: the first gap, or the thank-you page."""
    gap = answering.first_gap(survey, answers)
    if answers and gap is None:
        return url_for("answer.thanks", slug=survey.slug, key=key)
    return screen_url(survey, key, gap or answering.visible_questions(survey, set())[0])


@bp.errorhandler(CSRFError)
def expired_screen(error):
    """A lost session (browser restarted, cookies cleared) must not lose the typed answer.

    The screen comes back with what was sent and a fresh token; nothing is stored.
    """
    try:
        return keep_typed_answer()
    except HTTPException as problem:
        # An abort inside an error handler is not handled again (Flask would answer 500): hand it on.
        return current_app.handle_http_exception(problem)


def keep_typed_answer():
    args = request.view_args or {}
    if request.endpoint != "answer.screen" or not _valid_key(args.get("key", "")):
        abort(400)
    survey = load_survey(args["slug"])
    question = next((q for q in survey.questions if q.id == args["question_id"]), None)
    if question is None:
        abort(404)
    answers = answering.stored_answers(db.session, answering.find_response(db.session, survey, args["key"]))
    if question not in answering.visible_questions(survey, answering.picked_choices(answers)):
        return redirect(next_url(survey, args["key"], answers), 303)
    raw = request.form.getlist(KINDS[question.kind].field(question))
    message = _("The page had expired. Check your answer and press the button again.")
    return render_screen(survey, args["key"], question, answers, raw=raw, error=message, answer_invalid=False), 400


@bp.get("/<slug>/<key>/tak")
def thanks(slug, key):
    survey = load_survey(slug)
    response = answering.find_response(db.session, survey, key) if _valid_key(key) else None
    if response is None or not response.completed:
        return redirect(url_for("answer.start", slug=slug), 303)
    return render_template("surveys/thanks.html", survey=survey)


@bp.get("/<slug>/billede/<int:image_id>")
def image(slug, image_id):
    # Drafts too: staff preview their option pictures before the survey opens.
    picture = db.session.scalar(select(SurveyImage).join(Survey, Survey.id == SurveyImage.survey_id).where(
        SurveyImage.id == image_id, Survey.slug == slug))
    if picture is None:
        abort(404)
    response = make_response(picture.data)
    response.content_type = picture.content_type
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


def render_screen(survey, key, question, answers, raw, error=None, answer_invalid=True):
    """`answer_invalid` False: the error is not about the answer (an expired page), so the
    field is not marked invalid."""
    kind = KINDS[question.kind]
    if raw is None:
        raw = kind.raw_from_answers(question, answers.get(question.id, []))
    shown = answering.visible_questions(survey, answering.picked_choices(answers))
    index = shown.index(question)
    return render_template(
        "surveys/screen.html", survey=survey, question=question, kind=kind, raw=raw, error=error,
        invalid=bool(error) and answer_invalid,
        key=key, number=index + 1, total=len(shown), is_last=index == len(shown) - 1, via=valid_via(),
        back_url=screen_url(survey, key, shown[index - 1]) if index else None,
    )


def _valid_key(key: str) -> bool:
    return re.fullmatch(answering.KEY_PATTERN, key) is not None
