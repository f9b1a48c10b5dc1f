"""A survey's personal invitations for staff: `/staff/surveys/<survey_id>/invitations`.

Admins and editors see the list (names, e-mails, addresses), change its settings, upload it, send the
invitations and reminders and print the letters. Viewers see how many were invited, opened and
answered, never who: the list is personal data. Teachers get a 403. The survey is loaded through the
user's organisation, so another organisation's survey is a 404 at every address here.
"""
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from engagement.common.access import builder_required, can_build, reader_required
from engagement.downloads import download
from engagement.invitations import letters, lists, mailing, services, wording
from engagement.invitations.forms import SettingsForm, UploadForm
from engagement.models import Organisation
from engagement.prepared import Description
from engagement.prepared.staff import prepare
from extensions import db, owned_or_404, utcnow
from surveys.models import Survey
from surveys.timezone import to_local

bp = Blueprint("invitations", __name__, url_prefix="/staff/surveys/<int:survey_id>/invitations")
SHOWN_PROBLEMS = 200  # rows with a problem listed on the page; the rest are counted
# Each letter draws its QR code as vector squares (two thirds of its time): 500 letters took 2.5 minutes and
# the largest list, 5,000 people, 12 minutes on a busy two-core server. More letters than this are made in
# the background (engagement.prepared).
LETTERS_AT_ONCE = 100
LETTERS_MAKER = "invitation_letters"  # stored with each background download: never rename it


def load_survey(survey_id: int) -> Survey:
    """:raise 404: unless the survey belongs to the signed-in user's organisation."""
    return owned_or_404(Survey, survey_id)


def today():
    return to_local(utcnow()).date()


def back(survey: Survey, anchor: str = ""):
    return redirect(url_for("invitations.page", survey_id=survey.id) + anchor, 303)


@bp.get("")
@reader_required
def page(survey_id):
    return render_page(load_survey(survey_id))


def render_page(survey: Survey, settings_form=None, upload_form=None, problems=(), status=200):
    """The page, with a form that was sent and refused (`settings_form`, `upload_form` with the rows'
    `problems`) in place of a fresh one."""
    settings = services.settings_of(db.session, survey.id)
    builder = can_build(current_user)
    listed = services.has_list(db.session, survey.id)
    if settings_form is None:
        settings_form = SettingsForm(formdata=None, data={"named": settings.named, "keep_until": settings.keep_until}
                                     if settings else {})
    people = services.invitations_of(db.session, survey.id) if builder and listed else []
    counts = services.counts(db.session, survey.id)
    return render_template(
        "engagement/invitations/staff/page.html", survey=survey, settings=settings, builder=builder,
        counts=counts, people=people, mail_states=mailing.mail_states(db.session, [p.id for p in people]),
        listed=listed, deleted=counts.invited > 0 and not listed, expired=services.expired(settings, today()),
        settings_form=settings_form,
        upload_form=upload_form or UploadForm(formdata=None), problems=problems[:SHOWN_PROBLEMS],
        more_problems=max(0, len(problems) - SHOWN_PROBLEMS), shown_at=utcnow().isoformat()), status


@bp.post("/settings")
@builder_required
def save_settings(survey_id):
    survey = load_survey(survey_id)
    form = SettingsForm()
    if not form.validate_on_submit():
        return render_page(survey, settings_form=form, status=422)
    settings = services.settings_of(db.session, survey.id)
    # Once people are on the list the box is shown but not sent (it cannot change): keep what it was.
    named = settings.named if settings and services.has_list(db.session, survey.id) else form.named.data
    try:
        services.save_settings(db.session, survey, named, form.keep_until.data, today())
    except services.SettingsRefused as refusal:
        db.session.rollback()
        form.keep_until.errors = [str(refusal)]
        return render_page(survey, settings_form=form, status=422)
    db.session.commit()
    flash(_("The settings are saved."))
    return back(survey, "#settings")


@bp.post("/upload")
@builder_required
def upload(survey_id):
    """Everyone in the file goes on the list, or nobody: each wrong row is listed with what is wrong."""
    survey = load_survey(survey_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return render_page(survey, upload_form=form, status=422)
    data = form.file.data.read() if form.file.data else b""
    if not data:
        form.file.errors = [_("Choose the file with the list.")]
        return render_page(survey, upload_form=form, status=422)
    try:
        result = services.import_list(db.session, survey, lists.read_list(data), today(), utcnow())
    except lists.ListProblem as problem:
        db.session.rollback()
        form.file.errors = [str(problem)]
        return render_page(survey, upload_form=form, status=422)
    if result.outcome is services.Imported.imported:
        db.session.commit()
        flash(ngettext("%(num)d person is on the list now.", "%(num)d people are on the list now.", result.count))
        return back(survey, "#people")
    db.session.rollback()
    if result.outcome is services.Imported.nothing_new:
        flash(_("Everyone in this file is on the list already: nothing new was added."))
        return back(survey, "#people")
    if result.outcome is services.Imported.no_settings:
        form.file.errors = [_("Save the settings first: whether answers are tied to people, and when the list is "
                              "deleted.")]
        return render_page(survey, upload_form=form, status=422)
    form.file.errors = [ngettext("%(num)d row is not right, so nobody was added. Correct the file and upload it "
                                 "again.", "%(num)d rows are not right, so nobody was added. Correct the file and "
                                 "upload it again.", len(result.problems))]
    return render_page(survey, upload_form=form, problems=result.problems, status=422)


@bp.post("/send")
@builder_required
def send(survey_id):
    """The invitation mail to everyone with an e-mail who has not had one: a double click sends nothing twice."""
    survey = load_survey(survey_id)
    try:
        sent = mailing.queue_invitations(db.session, survey, current_user.organisation.name, utcnow())
    except mailing.SendRefused as refusal:
        db.session.rollback()
        flash(str(refusal))
        return back(survey, "#reach")
    db.session.commit()
    flash(ngettext("%(num)d invitation is on its way: it goes out within a minute.",
                   "%(num)d invitations are on their way: they go out within a minute.", sent) if sent else
          _("Everyone with an e-mail has had their invitation: nothing more was sent."))
    return back(survey, "#reach")


@bp.post("/remind")
@builder_required
def remind(survey_id):
    """One reminder to each who was mailed and has not answered, as the page showed them: a double click
    sends one. :raise 400: without the time the page was shown."""
    survey = load_survey(survey_id)
    try:
        shown_at = datetime.fromisoformat(request.form.get("shown_at", ""))
    except ValueError:
        abort(400)
    try:
        sent = mailing.queue_reminders(db.session, survey, current_user.organisation.name, shown_at, utcnow())
    except mailing.SendRefused as refusal:
        db.session.rollback()
        flash(str(refusal))
        return back(survey, "#reach")
    db.session.commit()
    flash(ngettext("%(num)d reminder is on its way.", "%(num)d reminders are on their way.", sent) if sent else
          _("Nobody is waiting for a reminder: nothing was sent."))
    return back(survey, "#reach")


@bp.get("/letters.pdf")
@builder_required
def letters_pdf(survey_id):
    """The letters, one page each: to everyone with a postal address (`?who=post`) or to everyone (`all`).
    Personal data: saved, never kept in a cache. :raise 404: for another `who`."""
    survey = load_survey(survey_id)
    who = request.args.get("who", "post")
    if who not in ("post", "all"):
        abort(404)
    settings = services.settings_of(db.session, survey.id)
    people = services.invitations_of(db.session, survey.id, with_address_only=who == "post")
    if settings is None or not people or services.expired(settings, today()):
        flash(_("Nobody on the list has a postal address.") if who == "post" else _("The list is empty."))
        return back(survey, "#reach")
    if len(people) > LETTERS_AT_ONCE:
        return prepare(LETTERS_MAKER, {"survey_id": survey.id, "who": who}, f"breve-{survey.slug}.pdf",
                       "application/pdf", unit="letters")
    organisation = current_user.organisation.name
    pdf = letters.render([wording.letter(survey, organisation, settings, person, today()) for person in people],
                         [(person.name, person.postal_address) for person in people],
                         title=survey.title, author=organisation)
    return download(pdf, "application/pdf", f"breve-{survey.slug}.pdf")


def make_letters(session, download, progress, file) -> None:
    """The letters as the download asked for them, in a thread (a maker of engagement.prepared): the survey
    is loaded through the download's organisation. :raise NotFound: if the survey or its list is gone."""
    survey = session.scalar(select(Survey).where(Survey.id == download.params["survey_id"],
                                                 Survey.organisation_id == download.organisation_id))
    settings = services.settings_of(session, survey.id) if survey else None
    people = services.invitations_of(session, survey.id, with_address_only=download.params["who"] == "post") \
        if settings and not services.expired(settings, today()) else []
    if not people:
        raise NotFound(_("The list is empty."))
    organisation = session.get(Organisation, download.organisation_id).name
    progress.start(len(people), "letters")
    file.write(letters.render([wording.letter(survey, organisation, settings, person, today()) for person in people],
                              [(person.name, person.postal_address) for person in people],
                              title=survey.title, author=organisation, drawn=progress.advance))


def describe_letters(download) -> Description:
    survey = db.session.scalar(select(Survey).where(Survey.id == download.params["survey_id"],
                                                    Survey.organisation_id == download.organisation_id))
    if survey is None:
        return Description(_("Letters for a deleted survey"), url_for("editor.index"), _("Surveys"))
    return Description(_("The letters for »%(title)s« (PDF)", title=survey.title),
                       url_for("invitations.page", survey_id=survey.id, _anchor="reach"),
                       _("Back to the invitations"))
