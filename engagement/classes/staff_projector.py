"""The projector view: join code and QR code for the class, then live results, on the teacher's screen.

`/staff/classes/<id>/projector` renders the whole state on the server (it works
without JavaScript and has a refresh link); `static/js/projector.js` then asks
`/live` every few seconds for the same state as JSON and updates the page in
place. Once the session has ended, `/live` also sends the panel that says so,
which takes the join code's place, and the projector stops asking. `/live` is
cheap: a few aggregate queries, and for a competition the newest ideas (at most
services.PROJECTOR_IDEAS) rendered by the same partials as the page. The page
shows no staff menu: the whole class sees it.
"""
from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from engagement.classes import services
from engagement.classes.models import ClassSession
from engagement.classes.staff import bp, join_url, load_session, session_filters, teacher_required
from engagement.common import charts
from engagement.competitions import moderation
from engagement.competitions.models import IdeaStatus
from engagement.touchpoints import qr
from extensions import db
from surveys import results

QR_SIZE = 1024  # the projector scales it down; pixels to spare for a big screen
REFRESH_SECONDS = 3
# A teacher only decides on ideas nobody has decided on yet: what a moderator rejected, approved or made
# a winner stays as it is (that is the moderation queue's business).
IDEA_ACTIONS = {"approve": "approved", "hide": "rejected"}


@bp.get("/<int:class_session_id>/projector")
@login_required
def projector(class_session_id):
    return render_projector(load_session(class_session_id))


def render_projector(class_session: ClassSession) -> str:
    return render_template("engagement/classes/staff/projector.html", class_session=class_session,
                           state=live_state(class_session), refresh_seconds=REFRESH_SECONDS,
                           join_address=join_url())


@bp.get("/<int:class_session_id>/live")
@login_required
def live(class_session_id):
    """The projector's state as JSON; never cached, since it changes every few seconds."""
    class_session = load_session(class_session_id)
    state = live_state(class_session)
    if class_session.competition_id:
        state["ideas_html"] = render_template("engagement/classes/staff/_ideas.html", class_session=class_session,
                                              state=state)
        state["ranking_html"] = render_template("engagement/classes/staff/_ranking.html", class_session=class_session,
                                                state=state)
        state["controls_html"] = render_template("engagement/classes/staff/_controls.html",
                                                 class_session=class_session, state=state)
        del state["ideas"], state["ranking"]
    else:
        del state["questions"]
    if not state["live"]:  # the projector takes down the code and the QR code and says so
        state["join_html"] = render_template("engagement/classes/staff/_join.html", class_session=class_session,
                                             state=state)
    response = jsonify(state)
    response.headers["Cache-Control"] = "no-store"
    return response


def live_state(class_session: ClassSession) -> dict:
    state = {"live": class_session.live, "voting_open": class_session.voting_open,
             "publish_at_once": class_session.publish_at_once}
    if class_session.survey_id:
        summary = results.summarise(db.session, class_session.survey, session_filters(class_session))
        figures = {f"q{r['question'].id}": readable(charts.question_figure(r)) for r in summary.questions}
        state.update(count=summary.completed, started=summary.started, questions=summary.questions,
                     figures={key: figure for key, figure in figures.items() if figure},
                     answered={f"q{r['question'].id}": r["respondents"] for r in summary.questions})
    else:
        counts = services.competition_counts(db.session, class_session)
        ideas = services.projector_ideas(db.session, class_session)
        shown = services.class_statuses(class_session)
        state.update(count=counts["ideas"], waiting=counts["waiting"], voters=counts["voters"], ideas=ideas,
                     ranking=services.ranking(db.session, class_session, [i for i in ideas if i.status in shown]))
    return state


def readable(figure: dict | None) -> dict | None:
    """The results page's figure in type that reads from the back of a classroom."""
    if figure is None:
        return None
    # No axis steps here: counting axes step in whole pupils already (charts.count_axis), and a 1–5 scale
    # is drawn in per cent, where a step of 1 gave a hundred labels once all answers were low.
    layout = {**figure["layout"], "font": {**figure["layout"]["font"], "size": 22},
              "height": round(figure["layout"]["height"] * 1.4)}
    return {**figure, "layout": layout}


@bp.get("/<int:class_session_id>/qr.png")
@login_required
def qr_png(class_session_id):
    class_session = load_session(class_session_id)
    response = make_response(qr.png(join_url(class_session), QR_SIZE))
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/<int:class_session_id>/ideas/<int:idea_id>/thumbnail")
@login_required
def thumbnail(class_session_id, idea_id):
    """The small photo of an idea sent in this session; staff only, so pending ideas' photos stay private."""
    class_session = load_session(class_session_id)
    idea = services.session_of_idea(db.session, class_session, idea_id)
    photo = idea.photo if idea else None
    if photo is None:
        abort(404)
    response = make_response(photo.thumbnail)
    response.mimetype = photo.content_type
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.post("/<int:class_session_id>/ideas/<int:idea_id>")
@teacher_required
def idea_action(class_session_id, idea_id):
    """Approve a waiting idea for the class (and the public gallery), or hide it; logged with the session's name.

    :raise 404: for an idea of another session or an unknown action.
    :return 409: (nothing changed) for an idea that is no longer waiting, e.g. one a moderator rejected,
        or when the session has ended.
    """
    class_session = load_session(class_session_id)
    idea = services.session_of_idea(db.session, class_session, idea_id)
    action = IDEA_ACTIONS.get(request.form.get("action", ""))
    if idea is None or action is None:
        abort(404)
    if not class_session.live:  # a projector left open after the end: its buttons no longer count
        return refuse(class_session, _("The session has ended, so nothing can be changed."))
    if idea.status is not IdeaStatus.pending:
        return refuse(class_session, _("Someone has already decided on this idea, so it was not changed."))
    reason = _("Hidden by the teacher in the class session") if action == "rejected" else ""
    moderation.set_status(db.session, idea, current_user, action, reason=reason, where=class_session.name)
    db.session.commit()
    return back_to_projector(class_session)


@bp.post("/<int:class_session_id>/settings")
@teacher_required
def settings(class_session_id):
    """Switch "show ideas in the class at once" or class voting on or off (only while the session is live)."""
    class_session = load_session(class_session_id)
    if not class_session.competition_id:
        abort(404)
    if not class_session.live:
        return refuse(class_session, _("The session has ended, so nothing can be changed."))
    setting, value = request.form.get("setting"), request.form.get("value") == "on"
    if setting == "voting":
        class_session.voting_open = value
    elif setting == "publish_at_once":
        class_session.publish_at_once = value
    else:
        abort(400)
    db.session.commit()
    return back_to_projector(class_session)


def back_to_projector(class_session: ClassSession):
    # projector.js posts these forms with fetch and only needs to know it worked.
    if request.headers.get("X-Requested-With") == "fetch":
        return "", 204
    return redirect(url_for("classes.projector", class_session_id=class_session.id, _anchor="ideas"), 303)


def refuse(class_session: ClassSession, message: str):
    """409 and nothing changed: JSON {"error": message} for projector.js, else the projector with the message."""
    if request.headers.get("X-Requested-With") == "fetch":
        return jsonify(error=message), 409
    flash(message, "error")
    return render_projector(class_session), 409


@bp.app_template_global()
def idea_thumbnail_url(class_session: ClassSession, idea) -> str | None:
    if idea.photo is None:
        return None
    return url_for("classes.thumbnail", class_session_id=class_session.id, idea_id=idea.id)
