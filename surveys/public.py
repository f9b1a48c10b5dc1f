"""Public answering pages: `/s/<slug>` is printed on posters and must work for ever.

One question per screen, each screen a plain form post followed by a redirect,
so the flow works without JavaScript, survives reloads and keeps every answer
already sent if the signal drops between screens. A refused answer is a redirect
too, back to the screen, which then shows why and what was typed: the phone's
Back button never asks to send a form again. What a screen shows and what
comes after it is decided by `surveys.answering` (`open_screen`, `save_screen`);
the views here turn its `Next` into a page or a redirect.

A screen's form carries a token made from the response key in its address (`form_token`), not from a
session: a respondent gets no cookie at all unless they switch language or an answer is refused, and a
screen left open for days still sends. Another site cannot make the token without the app's secret key.
"""
import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import replace

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from extensions import csrf, db, hooks, limiter, reads_only, utcnow
from surveys import answering, maps, structure
from surveys.answering import Next, Step
from surveys.kinds import KINDS
from surveys.models import Question, Survey, SurveyImage, SurveyState

bp = Blueprint("answer", __name__, url_prefix="/s")


def load_survey(slug: str) -> Survey:
    """The survey and its structure, shared by the worker's requests: read it, never change it.

    :raise 404: if no survey has this slug, or it is still a draft (but for a later round of a series)."""
    return shown_survey(structure.survey_by_slug(db.session, slug))


def shown_survey(survey: Survey | None) -> Survey:
    """:raise 404: as load_survey."""
    # A draft is nobody's business, except a later round that took over a printed address (surveys.rounds):
    # people who scan the poster then learn that the next round is coming, not that nothing is there.
    if survey is None or (survey.state is SurveyState.draft and not (survey.round or 0) > 1):
        abort(404)
    g.content_language = survey.language
    return survey


def not_open_page(survey: Survey):
    return render_template("surveys/public/not_open.html", survey=survey, state=survey.state)


def screen_url(survey: Survey, key: str, question_id: int, via: str | None = None) -> str:
    return url_for("answer.screen", slug=survey.slug, key=key, question_id=question_id, via=via)


def valid_via() -> str | None:
    """The attribution token (`?via=` in the address, or the form's hidden field), if well-formed."""
    via = request.values.get("via", "")
    return via if re.fullmatch(answering.VIA_PATTERN, via) else None


@bp.get("/<slug>")
def start(slug):
    reads_only(db.session)
    survey = load_survey(slug)
    if survey.state is not SurveyState.open:
        return not_open_page(survey)
    shown = answering.visible_questions(survey, set())
    if not shown:
        abort(404)
    # The key goes into the address, so Back after sending returns to the same run, and a
    # resend is recognised as one, not counted as a second person.
    return redirect(screen_url(survey, answering.new_key(), shown[0].id, via=valid_via()), 303)


@bp.route("/<slug>/<key>/<int:question_id>", methods=["GET", "POST"])
@csrf.exempt  # the form's own token is checked below (form_token)
def screen(slug, key, question_id):
    if request.method == "GET":
        reads_only(db.session)
        # The survey's stamp and the response come in one query: the screen most often opened of all.
        found, stored = answering.survey_and_stored(db.session, slug, key) if _valid_key(key) else (None, None)
        survey, question = screen_question(shown_survey(found), key, question_id)
        next_ = answering.open_screen(db.session, survey, key, question, utcnow(), stored=stored)
        refused = refusal_to_show(key, question)
        if refused and next_.step is Step.show:
            return render_screen(survey, key, question, next_.shown, refused["raw"], error=refused["error"])
        return page_for(survey, key, question, next_)
    # As for the GET: the survey's stamp and the response in one query. A first answer then needs two more.
    found, stored = answering.survey_and_stored(db.session, slug, key) if _valid_key(key) else (None, None)
    survey, question = screen_question(shown_survey(found), key, question_id)
    if not valid_form_token(survey, key):
        return keep_typed_answer()
    kind = KINDS[question.kind]
    raw = kind.raw_from_form(question, request.form)
    via = valid_via()
    action = kind.screen_action(question, request.form, raw)
    if action is not None:  # a button on the screen (a tap on a map), not Next: nothing is stored
        return stay_on_screen(survey, key, question, via, *action)
    # Read before the write starts, to keep the write short (only a first screen's address has `via`).
    attribution = answering.attribution_for(survey, via, hooks("survey_attribution"))
    try:
        next_ = answering.save_screen(db.session, survey, key, question, raw, lambda: attribution, utcnow(),
                                      stored=stored)
    except answering.AlreadySubmitted:
        db.session.rollback()
        return render_template("surveys/public/already_sent.html", survey=survey,
                               thanks_url=url_for("answer.thanks", slug=survey.slug, key=key)), 409
    if next_.step is Step.done:  # e.g. a personal invitation is answered now (the "response_completed" hooks)
        for completed in hooks("response_completed"):
            completed(db.session, survey, key, utcnow())
    # The write ends here: the page is made after it, so other writers need not wait for it. Should making
    # it fail, sending the screen again finds the answer stored and goes on.
    db.session.commit()
    if request.headers.get(INLINE) == "1":
        return inline_page(survey, key, question, next_)
    if next_.step is Step.invalid and keep_refusal(key, question, next_):
        return redirect(screen_url(survey, key, question.id, via=via), 303)
    return page_for(survey, key, question, next_)


def stay_on_screen(survey: Survey, key: str, question: Question, via: str | None, raw: list[str],
                   message: str | None):
    """The same screen again, holding `raw` (and `message`, translated, if any): like a refused answer,
    carried to the screen's own address for one view, so Back and reload stay plain pages."""
    next_ = answering.open_screen(db.session, survey, key, question, utcnow())
    if next_.step is not Step.show:
        return page_for(survey, key, question, next_)
    shown = replace(next_, step=Step.invalid, raw=tuple(raw), error=message)
    if request.headers.get(INLINE) != "1" and keep_refusal(key, question, shown):
        return redirect(screen_url(survey, key, question.id, via=via), 303)
    return render_screen(survey, key, question, next_.shown, raw, error=message)


# With JavaScript (static/js/survey.js) a screen is sent with this header, and the answer to the post is
# the next page itself, not a redirect to it: one request per screen instead of two on a slow phone.
# Its address comes in LOCATION, for the page's history (Back). Without the header nothing changes.
INLINE = "X-Bypuls-Inline"
LOCATION = "X-Bypuls-Location"


def inline_page(survey: Survey, key: str, question: Question, next_: Next):
    """The page that `next_` leads to, as the post's own answer: the next screen (from the answers in
    hand, no second read), the thank-you page, or this screen again with why its answer was refused
    (422, the address unchanged)."""
    if next_.step is Step.question:
        onward = next(q for q in survey.questions if q.id == next_.question_id)
        shown = answering.show_next(survey, onward, next_)
        page = render_screen(survey, key, onward, shown.shown, shown.raw)
        url = screen_url(survey, key, onward.id)
    elif next_.step is Step.done:
        page, url = thanks_page(survey), url_for("answer.thanks", slug=survey.slug, key=key)
    else:
        page, url = page_for(survey, key, question, next_), screen_url(survey, key, question.id)
    response = make_response(page)
    response.headers[LOCATION] = url
    return response


def form_token(slug: str, key: str, secret: str | bytes | None = None) -> str:
    """The token of the answer form of response `key`: a signature of the survey's address and the key with
    the app's secret key (`secret`, by default the app's), so only a page of ours can hold it. It stands in
    for a session's CSRF token: the key in the address is what a response is, so that is what it signs."""
    secret = current_app.secret_key if secret is None else secret
    secret = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(secret, f"answer-form:{slug}:{key}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode()


def valid_form_token(survey: Survey, key: str) -> bool:
    """Whether the posted form carries `form_token`, with the app's secret key or one it is leaving
    (SECRET_KEY_FALLBACKS: a screen opened before the key was changed still sends)."""
    sent = request.form.get("csrf_token", "")
    secrets_ = [current_app.secret_key, *(current_app.config.get("SECRET_KEY_FALLBACKS") or ())]
    return any(hmac.compare_digest(sent, form_token(survey.slug, key, secret)) for secret in secrets_ if secret)


# A refused answer travels to the screen that shows it in the signed session cookie, never in the
# database, and for one page view only. Its size is bounded so that the cookie stays within the 4 KB
# that browsers keep: at most this many characters of JSON (non-ASCII escaped, as the session stores
# it), which is at most about 3.5 KB once base64-encoded, signed and joined by the CSRF token. A long
# text just over the default limit of 2,000 characters still fits.
REFUSAL = "refused_answer"
REFUSAL_LIMIT = 2600


def keep_refusal(key: str, question: Question, next_: Next) -> bool:
    """Keep what was sent on `question`'s screen and why it was refused (`next_`, Step.invalid) for the
    next view of that screen. False, keeping nothing, when it is too long for the cookie: the post's
    own answer must show it then, so that nothing typed is lost."""
    refused = {"screen": f"{key}/{question.id}", "raw": list(next_.raw), "error": next_.error}
    if len(json.dumps(refused)) > REFUSAL_LIMIT:
        return False
    session[REFUSAL] = refused
    return True


def refusal_to_show(key: str, question: Question) -> dict | None:
    """What keep_refusal kept for this screen, once: any kept refusal is gone from the session after
    this, also one for another screen (the person went elsewhere: it is stale)."""
    if REFUSAL not in session:
        return None  # popping a missing key would still mark the session changed and re-send its cookie
    refused = session.pop(REFUSAL)
    return refused if refused and refused.get("screen") == f"{key}/{question.id}" else None


def load_screen(slug: str, key: str, question_id: int) -> tuple[Survey, Question]:
    """:raise 404: as load_survey, and for a key of the wrong shape or a question not in the survey."""
    return screen_question(load_survey(slug), key, question_id)


def screen_question(survey: Survey, key: str, question_id: int) -> tuple[Survey, Question]:
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None or not _valid_key(key):
        abort(404)
    return survey, question


def page_for(survey: Survey, key: str, question: Question, next_: Next):
    """What the person on `question`'s screen gets for `next_`: a redirect, or a page."""
    if next_.step is Step.question:
        return redirect(screen_url(survey, key, next_.question_id), 303)
    if next_.step is Step.done:
        return redirect(url_for("answer.thanks", slug=survey.slug, key=key), 303)
    if next_.step is Step.closed:
        return not_open_page(survey)
    page = render_screen(survey, key, question, next_.shown, next_.raw, error=next_.error)
    # Step.invalid here only when the refusal was too long to carry to a page of its own.
    return (page, 422) if next_.step is Step.invalid else page


def keep_typed_answer():
    """A screen sent without its form token (form_token) must not lose the typed answer: the screen comes back
    with what was sent and its token; nothing is stored."""
    args = request.view_args
    survey, question = load_screen(args["slug"], args["key"], args["question_id"])
    next_ = answering.open_screen(db.session, survey, args["key"], question, utcnow())
    if next_.step in (Step.question, Step.done):
        return page_for(survey, args["key"], question, next_)
    # Also when the survey closed meanwhile: sending the screen again says so.
    raw = KINDS[question.kind].raw_from_form(question, request.form)
    message = _("The page had expired. Check your answer and press the button again.")
    return render_screen(survey, args["key"], question, next_.shown, raw, error=message, answer_invalid=False), 400


@bp.get("/<slug>/<key>/tak")
def thanks(slug, key):
    reads_only(db.session)
    survey = load_survey(slug)
    response = answering.find_stored(db.session, survey, key) if _valid_key(key) else None
    if response is None or not response.completed:
        return redirect(url_for("answer.start", slug=slug), 303)
    return thanks_page(survey)


def thanks_page(survey: Survey) -> str:
    links = [link for hook in hooks("thanks_links") for link in hook(survey)]
    return render_template("surveys/public/thanks.html", survey=survey, links=links)


@bp.get("/<slug>/billede/<int:image_id>")
def image(slug, image_id):
    # Drafts too: staff preview their option pictures before the survey opens.
    picture = db.session.scalar(select(SurveyImage).join(Survey, Survey.id == SurveyImage.survey_id).where(
        SurveyImage.id == image_id, Survey.slug == slug))
    if picture is None:
        abort(404)
    return _picture(picture.data, picture.content_type)


@bp.get("/<slug>/kort/<int:question_id>")
def place_map(slug, question_id):
    """The whole map of a place question, for the screen with JavaScript (and staff's previews)."""
    survey_map = _question_map(slug, question_id)
    return _picture(survey_map.data, survey_map.content_type)


def map_view_limit() -> str:
    return current_app.config["MAP_VIEW_RATE_LIMIT"]


@bp.get("/<slug>/kort/<int:question_id>/visning")
@limiter.limit(map_view_limit)
def place_view(slug, question_id):
    """The part of a place question's map that a screen without JavaScript shows (`?v=x y size`), with
    the points marked so far (`?p=x,y;x,y`) drawn as numbered pins: the person sees where they landed."""
    survey_map = _question_map(slug, question_id)
    picture = maps.view_picture(survey_map, maps.View.parse(request.args.get("v", "")),
                                maps.parse_pins(request.args.get("p", "")))
    return _picture(picture, "image/webp")


def _question_map(slug: str, question_id: int):
    """:raise 404: unless the question is a place question with a map. Drafts too, for staff's preview."""
    survey = structure.survey_by_slug(db.session, slug)
    if survey is None:
        abort(404)
    question = next((q for q in survey.questions if q.id == question_id), None)
    survey_map = maps.map_of(db.session, question) if question is not None else None
    if survey_map is None or survey_map.organisation_id != survey.organisation_id:
        abort(404)
    return survey_map


def _picture(data: bytes, content_type: str):
    response = make_response(data)
    response.content_type = content_type
    response.cache_control.public = True
    response.cache_control.max_age = 86400  # the map's addresses carry its version stamp
    return response


def render_screen(survey, key, question, shown, raw, error=None, answer_invalid=True):
    """The screen of `question`, one of the questions `shown` to this person, with `raw` in its field.
    `answer_invalid` False: the error is not about the answer (an expired page), so the field is not
    marked invalid.

    A blank screen (nothing in the field, no error), which is what almost every view is, differs between
    people only in the response key, the form's CSRF token and the poster's `via`: it is rendered once
    per worker with stand-ins for those three and then filled in (`blank_screen`)."""
    if raw or error:
        return _render_screen(survey, key, question, shown, raw, error, answer_invalid, valid_via())
    return blank_screen(survey, key, question, shown, valid_via())


# Stand-ins for what differs between people on a blank screen: random per worker, so no survey text can
# contain them, and made of the characters a response key may have, so url_for writes them unchanged.
KEY_STAND_IN = "k" + secrets.token_hex(12)
TOKEN_STAND_IN = "t" + secrets.token_hex(12)
VIA_STAND_IN = "v" + secrets.token_hex(12)


def blank_screen(survey, key, question, shown, via) -> str:
    pages = structure.kept().pages
    cache_key = (survey.id, survey.version, question.id, tuple(q.id for q in shown), str(get_locale()), bool(via))
    page = pages.get(cache_key)
    if page is None:
        page = _render_screen(survey, KEY_STAND_IN, question, shown, (), None, True, via and VIA_STAND_IN,
                              csrf_token=lambda: TOKEN_STAND_IN)
        pages.put(cache_key, page)
    page = page.replace(KEY_STAND_IN, key).replace(TOKEN_STAND_IN, form_token(survey.slug, key))
    return page.replace(VIA_STAND_IN, via) if via else page


def _render_screen(survey, key, question, shown, raw, error, answer_invalid, via, **extra):
    extra.setdefault("csrf_token", lambda: form_token(survey.slug, key))
    index = shown.index(question)
    if KINDS[question.kind].has_map:
        extra["place"] = maps.place_screen(db.session, question, raw)
    return render_template(
        "surveys/public/screen.html", survey=survey, question=question, kind=KINDS[question.kind], raw=list(raw),
        error=error, invalid=bool(error) and answer_invalid,
        key=key, number=index + 1, total=len(shown), is_last=index == len(shown) - 1, via=via,
        back_url=screen_url(survey, key, shown[index - 1].id) if index else None, **extra,
    )


def _valid_key(key: str) -> bool:
    return re.fullmatch(answering.KEY_PATTERN, key) is not None
