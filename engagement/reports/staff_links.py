"""Staff make, list and revoke share links: `/staff/links/survey/<id>`, `/staff/links/competition/<id>`,
`/staff/links/report/<id>` and `/staff/links/<link id>/revoke`.

Admins, editors and viewers see the links of a target; admins and editors make and revoke them.
Targets and links are loaded by id AND the signed-in user's organisation (`extensions.owned_or_404`),
so another organisation's id is a 404 at every address here.
"""
from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import InputRequired, ValidationError

from engagement.common.access import builder_required, can_build, reader_required
from engagement.common.forms import too_long
from engagement.competitions.access import load_competition
from engagement.competitions.text import TEXT_FILTERS
from engagement.mail.links import public_url
from engagement.reports import sharing
from engagement.reports.models import Report, ShareLink
from engagement.reports.sharing import Target
from extensions import db, owned_or_404, utcnow
from surveys.forms import plausible_year
from surveys.staff import load_survey
from surveys.timezone import plausible

bp_links_staff = Blueprint("share_links", __name__, url_prefix="/staff/links")

# The page each kind of link is listed on, and the results page (or report) staff come from.
LIST_PAGES = {"survey": "share_links.survey_links", "competition": "share_links.competition_links",
              "report": "share_links.report_links"}
BACK_PAGES = {"survey": "dashboard.results_page", "competition": "competitions.results_page",
              "report": "reports.show"}


class ShareLinkForm(FlaskForm):
    """`today` (the Danish date) is set by the view before validating."""
    label = StringField(_l("Who is it for?"), filters=TEXT_FILTERS, validators=[too_long(sharing.LABEL_MAX)],
                        description=_l("E.g. »The merchants' association«. Only staff see it, in the list below."))
    expires_on = DateField(
        _l("Open until"), validators=[InputRequired(message=_l("Choose the last day the link works.")), plausible_year],
        invalid_value_message=_l("This is not a date. Choose the last day the link works."),
        description=_l("The link works to the end of this day. At most two years ahead."))
    show_texts = BooleanField(_l("Show free-text answers (read them first: nobody may be named)"))
    today: date | None = None

    def validate_expires_on(self, field):
        if field.data and plausible(field.data):  # else plausible_year has said why
            problem = sharing.expiry_problem(field.data, self.today)
            if problem:
                raise ValidationError(problem)


def report_target(report_id: int) -> Target:
    """:raise 404: unless the report belongs to the signed-in user's organisation."""
    return Target("report", owned_or_404(Report, report_id))


@bp_links_staff.get("/survey/<int:survey_id>")
@reader_required
def survey_links(survey_id):
    return links_page(Target("survey", load_survey(survey_id)))


@bp_links_staff.post("/survey/<int:survey_id>")
@builder_required
def make_survey_link(survey_id):
    return make_link(Target("survey", load_survey(survey_id)))


@bp_links_staff.get("/competition/<int:competition_id>")
@reader_required
def competition_links(competition_id):
    return links_page(Target("competition", load_competition(competition_id)))


@bp_links_staff.post("/competition/<int:competition_id>")
@builder_required
def make_competition_link(competition_id):
    return make_link(Target("competition", load_competition(competition_id)))


@bp_links_staff.get("/report/<int:report_id>")
@reader_required
def report_links(report_id):
    return links_page(report_target(report_id))


@bp_links_staff.post("/report/<int:report_id>")
@builder_required
def make_report_link(report_id):
    return make_link(report_target(report_id))


def make_link(target: Target):
    """Make the link and show it in the list (303), or the form again with what was typed and why (422)."""
    form = ShareLinkForm()
    form.today = sharing.danish_today()
    if form.validate_on_submit():
        try:
            link = sharing.make_link(db.session, current_user.organisation_id, target, form.label.data or "",
                                     form.expires_on.data, form.show_texts.data and texts_possible(target),
                                     current_user.id, form.today)
        except sharing.ShareProblem as problem:
            db.session.rollback()
            form.expires_on.errors.append(str(problem))
        else:
            db.session.commit()
            flash(_("The link is made. Copy its address and send it to the people it is for."))
            return redirect(list_url(link), 303)
    return links_page(target, form)


def links_page(target: Target, form: ShareLinkForm | None = None):
    """The links of `target`, with the form to make one for admins and editors (422 with its errors)."""
    today = sharing.danish_today()
    builds = can_build(current_user)
    if form is None and builds:
        form = ShareLinkForm(formdata=None, expires_on=sharing.default_expiry(today))
    rows = [{"link": link, "state": sharing.state_of(link, today), "url": public_url("shared.page", token=link.token)}
            for link in sharing.links_to(db.session, target)]
    return render_template(
        "engagement/reports/links/staff.html", target=target, item=target.item, rows=rows,
        form=form if builds else None, can_build=builds, texts_possible=texts_possible(target),
        back=back_url(target), min_group=current_app.config["MIN_GROUP_SIZE"]), 422 if form and form.errors else 200


def texts_possible(target: Target) -> bool:
    """A competition's results are its published ideas and their votes: there are no free-text answers."""
    return target.kind != "competition"


def back_url(target: Target) -> str:
    return url_for(BACK_PAGES[target.kind], **{target.column: target.item.id})


def list_url(link: ShareLink) -> str:
    """The link's place in the list of its target's links."""
    column = f"{link.kind}_id"
    return url_for(LIST_PAGES[link.kind], **{column: getattr(link, column)}, _anchor=f"link-{link.id}")


@bp_links_staff.post("/<int:link_id>/revoke")
@builder_required
def revoke(link_id):
    """Revoke the link at once; revoking one that is already revoked only says so.

    :raise 404: for another organisation's link.
    """
    link = owned_or_404(ShareLink, link_id)
    if sharing.revoke(db.session, link, utcnow()):
        db.session.commit()
        flash(_("The link is revoked: it no longer opens."))
    else:
        flash(_("The link was already revoked."))
    return redirect(list_url(link), 303)
