"""The page a share link opens: `/del/<token>`, for partners without an account.

It shows what the link was made for and nothing else of the organisation: no
staff navigation, no links onwards. An open link counts the view; a revoked or
expired one gets a friendly 410 page that says to ask the sender for a new
link; an unknown token the 404 page. Those two refusals count towards a rate
limit per address (SHARE_GUESS_RATE_LIMIT), so tokens cannot be tried in bulk;
partners opening their link are never counted. The token is the key, and it is
in the address: the pages tell browsers to send no Referer anywhere, to keep no
copy and search engines not to index them.
"""
from flask import Blueprint, current_app, g, render_template, request

from engagement.reports import sharing
from engagement.reports.content import competition_document, report_document, survey_document
from engagement.reports.document import Document
from engagement.reports.models import ShareLink
from extensions import db, limiter, utcnow

bp_shared = Blueprint("shared", __name__)

PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def guess_limit() -> str:
    return current_app.config["SHARE_GUESS_RATE_LIMIT"]


def refused(response) -> bool:
    return response.status_code in (404, 410)


@bp_shared.get("/del/<token>")
@limiter.limit(guess_limit, deduct_when=refused)
def page(token):
    """The shared results, counted as a view; a HEAD request (a link checker) looks without counting.

    :return 404: for a token we never made. :return 410: for a revoked or expired link.
    """
    link = sharing.find(db.session, token)
    if link is None:
        return closed_page("unknown", None, 404)
    state = sharing.state_of(link, sharing.danish_today())
    if state is not sharing.LinkState.open:
        return closed_page(state.value, link, 410)
    link_id, expires_on = link.id, link.expires_on
    html = render_template("engagement/reports/links/page.html", doc=document_for(link), expires_on=expires_on)
    if request.method != "HEAD":
        sharing.count_view(db.session, link_id, utcnow())
        db.session.commit()
    return html, 200, PRIVATE


def document_for(link: ShareLink) -> Document:
    """What the link was made for, with the minimum group size, and free text only if staff ticked it."""
    min_group = current_app.config["MIN_GROUP_SIZE"]
    if link.kind == "survey":
        g.content_language = link.survey.language  # the labels in the survey's own language
        return survey_document(db.session, link.survey, min_group, link.show_texts)
    if link.kind == "competition":
        g.content_language = link.competition.language
        return competition_document(db.session, link.competition, min_group)
    return report_document(db.session, link.report, min_group, link.show_texts)


def closed_page(reason: str, link: ShareLink | None, status: int):
    """The page for a link that does not open: `reason` is "unknown", "expired" or "revoked"."""
    return render_template("engagement/reports/links/closed.html", reason=reason,
                           expires_on=link.expires_on if link else None), status, PRIVATE
