"""Teacher pages for class sessions: `/staff/classes/...` (the projector view is in `projector`).

Admins, editors and teachers start sessions; viewers see every session of the
organisation, read-only. A teacher sees and acts on their own sessions only.
Every session is loaded through `load_session`, which filters by the user's
organisation (and, for a teacher, by the teacher), so any other session is a
404 by any address.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from slugify import slugify

from engagement.classes import report, services
from engagement.classes.forms import ClassSessionForm
from engagement.classes.models import ClassSession
from engagement.common.access import can_build, roles_required
from engagement.common.spreadsheets import XLSX_MIMETYPE
from engagement.competitions import exports as competition_exports
from engagement.competitions import report as competition_report
from engagement.downloads import download
from extensions import db
from surveys import results
from surveys.timezone import to_local

bp = Blueprint("classes", __name__, url_prefix="/staff/classes")


def can_run_sessions(user) -> bool:
    return user.role in services.STARTING_ROLES


# Signed in as an admin, editor or teacher; else 403 (a visitor who is not signed in goes to the login).
teacher_required = roles_required(*services.STARTING_ROLES)


def load_session(class_session_id: int) -> ClassSession:
    """:raise 404: unless the user may see the session (their organisation's; a teacher's own)."""
    class_session = services.load_session(db.session, current_user, class_session_id)
    if class_session is None:
        abort(404)
    return class_session


def join_url(class_session: ClassSession | None = None) -> str:
    """What the projector's QR code holds: the public join address, with the code when given."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/join/{class_session.code}" if class_session else f"{base}/join"


@bp.app_context_processor
def class_helpers():
    return {"grouped_code": services.grouped, "class_join_url": join_url,
            "can_run_sessions": lambda: current_user.is_authenticated and can_run_sessions(current_user)}


@bp.get("/")
@login_required
def index():
    return render_template("engagement/classes/staff/index.html",
                           sessions=services.list_sessions(db.session, current_user))


@bp.route("/new", methods=["GET", "POST"])
@teacher_required
def new():
    form = ClassSessionForm()
    form.set_targets(services.target_options(db.session, current_user.organisation_id))
    if form.validate_on_submit():
        try:
            class_session = services.start_session(db.session, current_user, form.values())
        except services.InvalidTarget:
            db.session.rollback()
            form.target.errors = [_("Choose an open survey or competition from the list.")]
        else:
            db.session.commit()
            flash(_("The session is started. Show the projector view to the class."))
            return redirect(url_for("classes.projector", class_session_id=class_session.id), 303)
    return render_template("engagement/classes/staff/form.html", form=form), 422 if form.errors else 200


@bp.get("/<int:class_session_id>")
@login_required
def show(class_session_id):
    class_session = load_session(class_session_id)
    if class_session.survey_id:
        completed, started = services.survey_counts(db.session, class_session)
        figures = {"completed": completed, "started": started}
    else:
        figures = services.competition_counts(db.session, class_session)
    return render_template("engagement/classes/staff/show.html", class_session=class_session, figures=figures)


@bp.post("/<int:class_session_id>/end")
@teacher_required
def end(class_session_id):
    class_session = load_session(class_session_id)
    if services.end_session(db.session, class_session):
        db.session.commit()
        flash(_("The session has ended. The code no longer works; the class's work is kept."))
    return redirect(url_for("classes.show", class_session_id=class_session.id), 303)


@bp.get("/<int:class_session_id>/report.pdf")
@login_required
def report_pdf(class_session_id):
    """The class's work as a PDF: the survey's charts, or the ideas with photos and votes."""
    class_session = load_session(class_session_id)
    body = survey_report(class_session) if class_session.survey_id else ideas_report(class_session)
    return download(body, "application/pdf", f"{file_stem(class_session)}.pdf")


def session_filters(class_session: ClassSession) -> results.Filters:
    return results.Filters(attribution=(("class_session_id", class_session.id),))


def survey_report(class_session: ClassSession) -> bytes:
    survey, filters = class_session.survey, session_filters(class_session)
    summary = results.summarise(db.session, survey, filters)
    texts = {r["question"].id: results.text_answers(db.session, survey, r["question"], filters).items[:5]
             for r in summary.questions if r.get("chart") == "text" and r["respondents"]}
    text = report.ReportText(
        heading=f"{class_session.name}: {survey.title}",
        subheading=_("Class session %(code)s, %(when)s", code=services.grouped(class_session.code),
                     when=to_local(class_session.created_at).strftime("%d.%m.%Y")),
        figures=ngettext("%(num)d pupil finished the survey", "%(num)d pupils finished the survey",
                         summary.completed),
        no_answers=_("No answers yet."), latest=_("Latest answers"))
    return report.survey_pdf(text, summary.questions, texts,
                             lambda n: ngettext("%(num)s answered", "%(num)s answered", n))


def ideas_report(class_session: ClassSession) -> bytes:
    """Every idea the class sent and nobody hid, most class dots first, with the dots each got."""
    ideas = services.projector_ideas(db.session, class_session, limit=None)
    ranked = services.ranking(db.session, class_session, ideas[::-1])
    return competition_report.ideas_pdf(class_session.competition, [idea for idea, _dots in ranked],
                                        {idea.id: dots for idea, dots in ranked}, class_session.name)


@bp.get("/<int:class_session_id>/ideas.<any(csv, xlsx):extension>")
@login_required
def ideas_export(class_session_id, extension):
    """The class's ideas as a spreadsheet (h2's columns); contact e-mails only for those who moderate."""
    class_session = load_session(class_session_id)
    if not class_session.competition_id:
        abort(404)
    headers, rows = competition_exports.idea_rows(db.session, class_session.competition, class_session.id,
                                                  with_contact=can_build(current_user))
    if extension == "csv":
        body, mimetype = competition_exports.csv_bytes(headers, rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = competition_exports.xlsx_bytes(headers, rows), XLSX_MIMETYPE
    return download(body, mimetype, f"{file_stem(class_session)}-ideer.{extension}")


def file_stem(class_session: ClassSession) -> str:
    return f"{slugify(class_session.name, max_length=50) or 'klasse'}-{class_session.code}"
