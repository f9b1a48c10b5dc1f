"""Pupils' pages: `/join`, where a class session's code leads. No accounts, no names.

A pupil types the code the teacher reads out (or scans the projector's QR
code, which opens `/join/<CODE>`). A survey session sends them on to the
survey with `?via=class-<CODE>`, which tags the response with the session; a
competition session shows the class page, which offers only what the class's
phase allows (services.ClassPhase): sending an idea, the class vote once the
teacher opens it, or thanks and what happens next. The page follows the phase by
itself: `static/js/class-page.js` asks `/join/<CODE>/state` now and then, and
without JavaScript the page refreshes itself while it waits for a change.
Wrong codes count towards a rate limit per address (JOIN_RATE_LIMIT), right
ones do not, so a class sharing one address is never locked out by its own
traffic.
"""
from flask import Blueprint, abort, current_app, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engagement.classes import services
from engagement.classes.models import ClassSession
from engagement.competitions import device
from engagement.competitions import services as competitions
from engagement.competitions.models import Phase
from extensions import db, limiter

bp = Blueprint("join", __name__)

# Without JavaScript, a class page waiting for the teacher (or for the first ideas) reloads itself this
# often; a page with vote buttons never does, so a reload cannot move a button under a thumb.
NO_JS_REFRESH_SECONDS = 20


def join_limit() -> str:
    return current_app.config.get("JOIN_RATE_LIMIT", "60 per minute;300 per hour")


def wrong_code(response) -> bool:
    return response.status_code == 404


guarded = limiter.limit(join_limit, deduct_when=wrong_code)


@bp.get("/join")
def form():
    return render_template("engagement/classes/public/join.html", code=request.args.get("code", "")[:20], error=None)


@bp.post("/join")
@guarded
def join():
    typed = request.form.get("code", "")[:40]
    class_session = services.find_by_code(db.session, typed)
    if class_session is None:
        return unknown_code(typed)
    return redirect(url_for("join.session_page", code=class_session.code), 303)


def unknown_code(typed: str):
    if not typed.strip():
        message = _("Type the code from the board.")
    else:
        message = _("We do not know that code. Check it on the board and try again.")
    return render_template("engagement/classes/public/join.html", code=typed, error=message), 404


@bp.get("/join/<code>")
@guarded
def session_page(code):
    """Where the code leads: the survey (303), the class page of a competition, or "it has ended"."""
    class_session = services.find_by_code(db.session, code)
    if class_session is None:
        return unknown_code(code[:40])
    if not class_session.live:
        return render_template("engagement/classes/public/ended.html", class_session=class_session), 410
    if class_session.code != code:  # typed in lower case or with a space: show the address as printed
        return redirect(url_for("join.session_page", code=class_session.code), 303)
    via = services.via_token(class_session.code)
    if class_session.survey_id:
        return redirect(url_for("answer.start", slug=class_session.survey.slug, via=via), 303)
    return class_page(class_session)


def class_page(class_session: ClassSession, error: str | None = None, status: int = 200):
    """The class page in the class's phase: only what the phase allows, and a refresh while it waits."""
    competition = class_session.competition
    g.content_language = competition.language
    phase = services.class_phase(class_session)
    ballot = competitions.class_ballot(class_session.id)
    ideas = services.class_ideas(db.session, class_session) if phase is services.ClassPhase.voting else []
    mine = competitions.device_votes(db.session, competition, device.current_device(), ballot)
    budget = services.class_budget(class_session)
    waits = phase in (services.ClassPhase.collecting, services.ClassPhase.waiting) or (
        phase is services.ClassPhase.voting and not ideas)
    return render_template("engagement/classes/public/class.html", class_session=class_session, competition=competition,
                           phase=phase.value, ideas=ideas, mine=mine, budget=budget, left=budget - sum(mine.values()),
                           error=error, idea_url=idea_form_url(class_session),
                           can_send=competition.phase is Phase.submitting,
                           refresh=NO_JS_REFRESH_SECONDS if waits and status == 200 else None), status


@bp.get("/join/<code>/state")
@guarded
def state(code):
    """The class page's phase as JSON ({"phase": "voting", "ideas": 3}), for class-page.js; never cached.

    :raise 404: (the join page) for an unknown code or a survey session's.
    :return 410: (the "it has ended" page) once the session has ended.
    """
    class_session, refusal = live_competition_session(code)
    if refusal:
        return refusal
    response = jsonify(services.pupil_state(db.session, class_session))
    response.headers["Cache-Control"] = "no-store"
    return response


def idea_form_url(class_session: ClassSession) -> str:
    """The competition's idea form, carrying the session so the idea is tagged with it."""
    return url_for("competition.show", slug=class_session.competition.slug,
                   via=services.via_token(class_session.code))


def live_competition_session(code: str) -> tuple[ClassSession | None, tuple | None]:
    """(the live competition session with `code`, None), or (None, the page saying why not: 404, 410)."""
    class_session = services.find_by_code(db.session, code)
    if class_session is None or not class_session.competition_id:
        return None, unknown_code(code[:40])
    if not class_session.live:
        return None, (render_template("engagement/classes/public/ended.html", class_session=class_session), 410)
    return class_session, None


@bp.post("/join/<code>/vote")
@guarded
def vote(code):
    """Give an idea of the class this device's `dots` (0 takes them back), within the session's dots."""
    class_session, refusal = live_competition_session(code)
    if refusal:
        return refusal
    phase = services.class_phase(class_session)
    if phase is services.ClassPhase.closed:
        return class_page(class_session, _("The competition has closed, so your dot was not counted."), 409)
    if phase is not services.ClassPhase.voting:
        return class_page(class_session, _("Voting has not started yet. Wait for your teacher."), 409)
    idea = next((i for i in services.class_ideas(db.session, class_session)
                 if str(i.id) == request.form.get("idea", "")), None)
    raw = request.form.get("dots", "")
    if idea is None or not (raw.isascii() and raw.isdigit()):
        return class_page(class_session, _("That idea cannot be voted on. Choose one from the list."), 422)
    try:
        competitions.set_vote(db.session, class_session.competition, idea, device.current_device(create=True),
                              min(int(raw), 99), ballot=competitions.class_ballot(class_session.id),
                              budget=services.class_budget(class_session))
    except competitions.VoteRefused:
        db.session.rollback()
        return class_page(class_session, _("You have used all your dots. Take one back from another idea first."),
                          409)
    db.session.commit()
    return redirect(url_for("join.session_page", code=class_session.code, _anchor=f"idea-{idea.id}"), 303)


@bp.errorhandler(CSRFError)
def expired_form(error):
    """A lost session (browser restarted, cookies cleared, a phone left in a bag for hours): the join form
    comes back with the typed code, a vote goes back to the class page; nothing is stored either way."""
    try:
        return expired_page()
    except HTTPException as problem:
        # An abort inside an error handler is not handled again (Flask would answer 500): hand it on.
        return current_app.handle_http_exception(problem)


def expired_page():
    if request.endpoint == "join.join":
        return render_template("engagement/classes/public/join.html", code=request.form.get("code", "")[:40],
                               error=_("The page had expired. Please try again.")), 400
    if request.endpoint != "join.vote":
        abort(400)
    class_session, refusal = live_competition_session((request.view_args or {}).get("code", ""))
    if refusal:
        return refusal
    return class_page(class_session, _("The page had expired. Tap the button again."), 400)
