"""A competition's results page, its idea exports (CSV, Excel) and the PDF of approved ideas.

Any staff role but teachers reads them; contact e-mails are only in the
exports of those who moderate (admins and editors), never a viewer's.
"""
from flask import abort, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engagement.common.access import reader_required
from engagement.common.spreadsheets import XLSX_MIMETYPE
from engagement.competitions import exports, results
from engagement.competitions.access import can_moderate, load_competition
from engagement.competitions.models import Competition, Idea
from engagement.competitions.report import ideas_pdf
from engagement.competitions.services import PUBLISHED, vote_counts
from engagement.competitions.staff import bp
from engagement.competitions.text import parse_id
from engagement.downloads import download  # no cache keeps a copy: contact e-mails, unpublished ideas
from extensions import db, utcnow
from surveys.timezone import to_local


@bp.get("/<int:competition_id>/results")
@reader_required
def results_page(competition_id):
    competition = load_competition(competition_id)
    ideas = results.idea_results(db.session, competition)
    categories = results.category_counts(db.session, competition)
    figures = {}
    if any(r.total for r in ideas):
        figures["votes"] = results.votes_figure(ideas)
    if categories and any(n for _name, n in categories):
        figures["categories"] = results.categories_figure(categories)
    return render_template("engagement/competitions/staff/results.html", competition=competition, ideas=ideas,
                           categories=categories, figures=figures, chart_limit=results.CHART_LIMIT,
                           has_class_votes=any(r.classes for r in ideas))


@bp.get("/<int:competition_id>/ideas.csv")
@reader_required
def export_csv(competition_id):
    """:raise 404: for another organisation's competition or class session."""
    competition, headers, rows = export_table(competition_id)
    return download(exports.csv_bytes(headers, rows), "text/csv; charset=utf-8", export_name(competition, "csv"))


@bp.get("/<int:competition_id>/ideas.xlsx")
@reader_required
def export_xlsx(competition_id):
    """:raise 404: for another organisation's competition or class session."""
    competition, headers, rows = export_table(competition_id)
    return download(exports.xlsx_bytes(headers, rows), XLSX_MIMETYPE, export_name(competition, "xlsx"))


def export_table(competition_id: int) -> tuple[Competition, list[str], list[list]]:
    competition = load_competition(competition_id)
    class_session_id = class_session_filter(competition)
    headers, rows = exports.idea_rows(db.session, competition, class_session_id,
                                      with_contact=can_moderate(current_user))
    return competition, headers, rows


def class_session_filter(competition: Competition) -> int | None:
    """The `?class_session=<id>` argument, if any.

    :raise 404: unless it names a class session of the user's organisation run with this competition.
    """
    raw = request.args.get("class_session")
    if raw is None or raw == "":
        return None
    class_session_id = parse_id(raw)  # None also for one too big to be an id
    if class_session_id is None:
        abort(404)
    # By table name: class sessions build on competitions, so this package does not import them.
    sessions = db.metadata.tables["class_sessions"]
    found = db.session.scalar(select(sessions.c.id).where(
        sessions.c.id == class_session_id, sessions.c.organisation_id == current_user.organisation_id,
        sessions.c.competition_id == competition.id))
    if found is None:
        abort(404)
    return found


@bp.get("/<int:competition_id>/ideas.pdf")
@reader_required
def report_pdf(competition_id):
    """The published ideas (approved and winners, winners first) with photos, for printing."""
    competition = load_competition(competition_id)
    ideas = db.session.scalars(select(Idea).where(Idea.competition_id == competition.id, Idea.status.in_(PUBLISHED))
                               .order_by(Idea.submitted_at, Idea.id)).all()
    votes = vote_counts(db.session, [idea.id for idea in ideas])
    ideas = sorted(ideas, key=lambda i: (i.status.value != "winner", -votes.get(i.id, 0)))
    with force_locale(competition.language):
        heading = _("Approved ideas")
    pdf = ideas_pdf(competition, ideas, {idea.id: votes.get(idea.id, 0) for idea in ideas}, heading)
    return download(pdf, "application/pdf", export_name(competition, "pdf"), inline=True)


def export_name(competition: Competition, extension: str) -> str:
    return f"{competition.slug}-ideer-{to_local(utcnow()).date().isoformat()}.{extension}"
