"""The personal link: `/i/<token>` (the QR code and the e-mail), or `/i/<first 12 characters>` typed
from a letter.

The first opening is recorded; the person goes on with their own response (its key is made from the
token, so a second opening, tab or phone continues it) where they left it. After they answered the
link only thanks them and stores nothing. An unknown token is a 404 that counts towards a rate limit
per address (SHARE_GUESS_RATE_LIMIT, as share links), so tokens cannot be tried in bulk; people
opening their own link are never counted. The token is the key: no Referer, no copy kept, no index.
"""
from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from engagement.invitations import services
from extensions import db, limiter, utcnow

bp = Blueprint("invitation", __name__)

PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def guess_limit() -> str:
    return current_app.config["SHARE_GUESS_RATE_LIMIT"]


def unknown(response) -> bool:
    return response.status_code == 404


@bp.get("/i/<token>", endpoint="open")
@limiter.limit(guess_limit, deduct_when=unknown)
def open_invitation(token):
    """:return 404: for a link we never made (or one whose list was deleted)."""
    invitation = services.find(db.session, token)
    if invitation is None:
        return render_template("engagement/invitations/public/unknown.html"), 404, PRIVATE
    survey = invitation.survey
    g.content_language = survey.language
    if request.method == "HEAD":  # a link checker looks; the person has not opened it
        return "", 200, PRIVATE
    opening = services.open_link(db.session, invitation, survey, current_app.config["SECRET_KEY"], utcnow())
    db.session.commit()
    if opening.outcome is services.Opened.answered:
        return render_template("engagement/invitations/public/answered.html", survey=survey), 200, PRIVATE
    if opening.outcome is services.Opened.not_open:
        return render_template("engagement/invitations/public/not_open.html", survey=survey,
                               state=survey.state), 200, PRIVATE
    return redirect(url_for("answer.screen", slug=survey.slug, key=opening.key, question_id=opening.question_id,
                            via=opening.via), 303), PRIVATE
