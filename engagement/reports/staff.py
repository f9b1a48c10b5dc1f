"""Staff pages for reports (board packs): `/staff/reports/...`.

Any staff reader sees the organisation's reports and downloads them; admins
and editors make, edit and delete them. Every report is loaded through the
organisation (`owned_or_404`), so another organisation's report is a 404.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from slugify import slugify
from sqlalchemy import func, select

from engagement.common.access import builder_required, can_build, reader_required
from engagement.competitions.models import Competition
from engagement.downloads import download
from engagement.prepared.staff import prepare
from engagement.reports import background, standalone
from engagement.reports.content import report_document
from engagement.reports.forms import ReportForm, SectionForm, SectionTextForm
from engagement.reports.models import Report, ReportSection
from extensions import db, owned_or_404, utcnow
from surveys.crosstabs import closed_questions
from surveys.models import Survey
from surveys.timezone import to_local

bp = Blueprint("reports", __name__, url_prefix="/staff/reports")

MAX_SECTIONS = 30
MAX_CROSSTABS = 3


@bp.app_context_processor
def report_helpers():
    return {"can_edit_reports": lambda: current_user.is_authenticated and can_build(current_user)}


def load_report(report_id: int) -> Report:
    return owned_or_404(Report, report_id)


def min_group() -> int:
    return current_app.config["MIN_GROUP_SIZE"]


@bp.get("/")
@login_required
@reader_required
def index():
    reports = db.session.scalars(select(Report).where(Report.organisation_id == current_user.organisation_id)
                                 .order_by(Report.updated_at.desc(), Report.id.desc())).all()
    return render_template("engagement/reports/staff/index.html", reports=reports)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@builder_required
def new():
    form = ReportForm()
    if form.validate_on_submit():
        report = Report(organisation_id=current_user.organisation_id, created_by_id=current_user.id)
        apply(form, report)
        db.session.add(report)
        db.session.commit()
        flash(_("The report is made. Add its sections below."), "success")
        return redirect(url_for("reports.edit", report_id=report.id))
    return render_template("engagement/reports/staff/form.html", form=form, report=None), 400 if form.errors else 200


def apply(form: ReportForm, report: Report) -> None:
    report.title = form.title.data.strip()
    report.introduction = (form.introduction.data or "").strip()
    report.since, report.until = form.since.data, form.until.data


@bp.get("/<int:report_id>")
@login_required
@reader_required
def show(report_id):
    report = load_report(report_id)
    document = report_document(db.session, report, min_group())
    return render_template("engagement/reports/staff/show.html", report=report, doc=document,
                           share_links_url=url_for("share_links.report_links", report_id=report.id))


@bp.route("/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
@builder_required
def edit(report_id):
    report = load_report(report_id)
    form = ReportForm(obj=report)
    if form.validate_on_submit():
        apply(form, report)
        db.session.commit()
        flash(_("The report is saved."), "success")
        return redirect(url_for("reports.edit", report_id=report.id))
    return edit_page(report, form, SectionForm(), 400 if form.errors else 200)


def edit_page(report: Report, form: ReportForm, section_form: SectionForm, status: int = 200):
    section_form.target.choices = [("", _("Choose…")), *target_options(report.organisation_id)]
    surveys = {part.survey_id: part.survey for part in report.sections if part.survey is not None}
    questions = {survey_id: closed_questions(survey) for survey_id, survey in surveys.items()}
    return render_template("engagement/reports/staff/edit.html", report=report, form=form,
                           section_form=section_form, text_form=SectionTextForm(), questions=questions,
                           max_crosstabs=MAX_CROSSTABS), status


def target_options(organisation_id: int) -> list[tuple[str, str]]:
    surveys = db.session.execute(select(Survey.id, Survey.title).where(Survey.organisation_id == organisation_id)
                                 .order_by(func.lower(Survey.title), Survey.id)).all()
    competitions = db.session.execute(select(Competition.id, Competition.title).where(
        Competition.organisation_id == organisation_id).order_by(func.lower(Competition.title), Competition.id)).all()
    return ([(f"survey:{sid}", _("Survey: %(title)s", title=title)) for sid, title in surveys]
            + [(f"places:{sid}", _("Places (scan → answer): %(title)s", title=title)) for sid, title in surveys]
            + [(f"competition:{cid}", _("Idea competition: %(title)s", title=title)) for cid, title in competitions]
            + [("classes", _("Class sessions in the period"))])


@bp.post("/<int:report_id>/sections")
@login_required
@builder_required
def add_section(report_id):
    report = load_report(report_id)
    section_form = SectionForm()
    section_form.target.choices = target_options(report.organisation_id)
    if len(report.sections) >= MAX_SECTIONS:
        section_form.target.errors = [_("A report has at most %(num)d sections.", num=MAX_SECTIONS)]
    elif section_form.validate_on_submit():
        kind, _sep, target = section_form.target.data.partition(":")
        part = ReportSection(kind=kind, position=len(report.sections) + 1, text="", options={})
        if kind in ("survey", "places"):
            part.survey_id = int(target)
        elif kind == "competition":
            part.competition_id = int(target)
        report.sections.append(part)
        report.updated_at = utcnow()
        db.session.commit()
        flash(_("The section is added."), "success")
        return redirect(url_for("reports.edit", report_id=report.id, _anchor=f"section-{part.id}"))
    return edit_page(report, ReportForm(obj=report, formdata=None), section_form, 400)


def load_section(report: Report, section_id: int) -> ReportSection:
    part = next((p for p in report.sections if p.id == section_id), None)
    if part is None:
        abort(404)
    return part


@bp.post("/<int:report_id>/sections/<int:section_id>")
@login_required
@builder_required
def save_section(report_id, section_id):
    report = load_report(report_id)
    part = load_section(report, section_id)
    text_form = SectionTextForm()
    if not text_form.validate_on_submit():
        flash(" ".join(error for errors in text_form.errors.values() for error in errors), "error")
        return redirect(url_for("reports.edit", report_id=report.id, _anchor=f"section-{part.id}"))
    part.text = (text_form.text.data or "").strip()
    if part.kind == "survey" and part.survey is not None:
        part.options = survey_options(part.survey, request.form)
    report.updated_at = utcnow()
    db.session.commit()
    flash(_("The section is saved."), "success")
    return redirect(url_for("reports.edit", report_id=report.id, _anchor=f"section-{part.id}"))


def survey_options(survey: Survey, form) -> dict:
    """A survey section's options from its form: the questions ticked (all when all are), quotes, rounds and
    the cross-tabs picked (a pair left empty, or a question by itself, is skipped)."""
    known = {q.id for q in survey.questions}
    ticked = [int(v) for v in form.getlist("questions") if v.isdigit() and int(v) in known]
    closed = {q.id for q in closed_questions(survey)}
    options: dict = {"quotes": form.get("quotes") == "1", "rounds": form.get("rounds") == "1"}
    if set(ticked) != known:
        options["questions"] = ticked
    crosstabs = []
    for index in range(MAX_CROSSTABS):
        question, by = form.get(f"crosstab_{index}", ""), form.get(f"crosstab_by_{index}", "")
        if not question.isdigit() or int(question) not in closed or not by:
            continue
        if by.startswith("question:") and (not by[9:].isdigit() or int(by[9:]) not in closed
                                           or int(by[9:]) == int(question)):
            continue
        if not by.startswith("question:") and by not in ("touchpoint", "class_session", "round"):
            continue
        crosstabs.append([int(question), by])
    options["crosstabs"] = crosstabs
    return options


@bp.post("/<int:report_id>/sections/<int:section_id>/move")
@login_required
@builder_required
def move_section(report_id, section_id):
    report = load_report(report_id)
    part = load_section(report, section_id)
    parts = list(report.sections)
    index = parts.index(part)
    other = index - 1 if request.form.get("direction") == "up" else index + 1
    if 0 <= other < len(parts):
        parts[index], parts[other] = parts[other], parts[index]
        for position, each in enumerate(parts, start=1):
            each.position = position
        report.updated_at = utcnow()
        db.session.commit()
    return redirect(url_for("reports.edit", report_id=report.id, _anchor=f"section-{part.id}"))


@bp.post("/<int:report_id>/sections/<int:section_id>/delete")
@login_required
@builder_required
def delete_section(report_id, section_id):
    report = load_report(report_id)
    report.sections.remove(load_section(report, section_id))
    for position, each in enumerate(report.sections, start=1):
        each.position = position
    report.updated_at = utcnow()
    db.session.commit()
    flash(_("The section is removed."), "success")
    return redirect(url_for("reports.edit", report_id=report.id, _anchor="sections"))


@bp.post("/<int:report_id>/delete")
@login_required
@builder_required
def delete(report_id):
    report = load_report(report_id)
    db.session.delete(report)
    db.session.commit()
    flash(_("The report »%(title)s« is deleted.", title=report.title), "success")
    return redirect(url_for("reports.index"))


def file_name(report: Report, extension: str) -> str:
    return f"{slugify(report.title) or 'rapport'}-{to_local(utcnow()).date().isoformat()}.{extension}"


@bp.get("/<int:report_id>/report.html")
@login_required
@reader_required
def html_file(report_id):
    """The report as one self-contained HTML file: opens from an e-mail attachment with no network."""
    report = load_report(report_id)
    body = standalone.html(report_document(db.session, report, min_group()))
    return download(body.encode("utf-8"), "text/html", file_name(report, "html"))


@bp.get("/<int:report_id>/report.pdf")
@login_required
@reader_required
def pdf_file(report_id):
    """The A4 PDF; one with more charts than REPORT_PDF_DIRECT_CHARTS is made in the background
    (engagement.reports.background), and this sends the person to the page that shows its progress."""
    from engagement.common.chart_images import ChartImagesUnavailable
    from engagement.reports.pdf import report_pdf

    report = load_report(report_id)
    if background.too_big_for_now(db.session, report):
        return prepare(background.PDF_MAKER, {"report_id": report.id}, file_name(report, "pdf"), "application/pdf",
                       unit="read")
    try:
        body = report_pdf(report_document(db.session, report, min_group()))
    except ChartImagesUnavailable as error:
        flash(str(error), "error")
        return redirect(url_for("reports.show", report_id=report.id))
    return download(body, "application/pdf", file_name(report, "pdf"))
