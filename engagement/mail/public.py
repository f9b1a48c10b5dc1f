"""The unsubscribe page every mail links to: `/afmeld/<token>`.

GET only asks (mail programs and virus scanners open links by themselves); the button POSTs and the
address is deleted at once. The POST needs no CSRF token: the token in the address is the secret,
and mail programs that offer "unsubscribe" themselves (List-Unsubscribe-Post, RFC 8058) post there
without any page.
"""
from flask import Blueprint, g, redirect, render_template, url_for

from engagement.mail import services
from extensions import csrf, db

bp = Blueprint("mail", __name__)


@bp.get("/afmeld/<token>")
def unsubscribe(token):
    """The question with its button; for a token that is used up or unknown, that no mails will come."""
    subscription = services.find(db.session, token)
    if subscription is not None:
        g.content_language = subscription.language
    response = render_template("engagement/mail/public/unsubscribe.html", subscription=subscription)
    return response, 200, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@bp.post("/afmeld/<token>")
@csrf.exempt
def confirm_unsubscribe(token):
    subscription = services.find(db.session, token)
    language = subscription.language if subscription is not None else None
    services.unsubscribe(db.session, token)
    db.session.commit()
    return redirect(url_for("mail.unsubscribe", token=token, lang=language if language != "da" else None), 303)
