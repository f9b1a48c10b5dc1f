"""Staff pages for competitions: `/staff/competitions/...`.

This module holds the list, the competition page, its settings, its
categories and the quick changes of phase. The moderation queue and the audit
log are in `staff_moderation`, results, exports and the PDF in
`staff_results`; all register on this blueprint. Access rules and loaders
are in `access`.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from engagement.common.access import reader_required
from engagement.competitions import editing
from engagement.competitions.access import (
    can_moderate,
    can_read_audit_log,
    load_category,
    load_competition,
    moderator_required,
)
from engagement.competitions.editing import CompetitionRefused
from engagement.competitions.forms import PHOTO_RULE_LABELS, VOTING_MODE_LABELS, CompetitionForm
from engagement.competitions.models import Competition, IdeaStatus
from extensions import db, utcnow

bp = Blueprint("competitions", __name__, url_prefix="/staff/competitions")

PHASE_DONE = {"publish": _l("The competition is open."), "reopen": _l("The competition is open again."),
              "start_voting": _l("Voting is open from now on."), "close": _l("The competition is closed.")}


@bp.app_context_processor
def competition_helpers():
    return {"can_moderate": lambda: can_moderate(current_user),
            "can_read_audit_log": lambda: can_read_audit_log(current_user),
            "idea_statuses": list(IdeaStatus)}


def public_address(competition: Competition) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/c/{competition.slug}"


@bp.get("/")
@reader_required
def index():
    competitions = db.session.scalars(select(Competition).where(
        Competition.organisation_id == current_user.organisation_id).order_by(Competition.created_at.desc())).all()
    counts = editing.status_counts(db.session, [c.id for c in competitions])
    return render_template("engagement/competitions/staff/index.html", competitions=competitions, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@moderator_required
def new():
    form = CompetitionForm()
    if form.validate_on_submit():
        competition = editing.create_competition(db.session, current_user.organisation_id, form.values())
        db.session.commit()
        flash(_("The competition is created as a draft. Add categories if you want them, then publish it."))
        return redirect(url_for("competitions.show", competition_id=competition.id), 303)
    return render_template("engagement/competitions/staff/form.html", form=form, competition=None,
                           slug_locked=False), 422 if form.errors else 200


@bp.get("/<int:competition_id>")
@reader_required
def show(competition_id):
    return render_show(load_competition(competition_id))


def render_show(competition: Competition, category_problem: tuple | None = None):
    """The competition page; `category_problem` is (category id or "new", typed name, message)
    after a refused category change, shown at that category's form with what was typed."""
    return render_template("engagement/competitions/staff/show.html", competition=competition,
                           counts=editing.status_counts(db.session, [competition.id])[competition.id],
                           address=public_address(competition), photo_rules=PHOTO_RULE_LABELS,
                           voting_modes=VOTING_MODE_LABELS, now=utcnow(),
                           category_problem=category_problem), 422 if category_problem else 200


@bp.route("/<int:competition_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit(competition_id):
    competition = load_competition(competition_id)
    slug_locked = editing.idea_count(db.session, competition) > 0
    form = CompetitionForm(obj=competition)
    if request.method == "GET":
        form.fill_from(competition)
    if form.validate_on_submit():
        values = form.values()
        if slug_locked:
            values.slug = competition.slug  # the field is not shown; a forged one changes nothing
        try:
            editing.update_competition(db.session, competition, values)
        except CompetitionRefused as refusal:
            db.session.rollback()
            form.slug.errors = [str(refusal)]
        else:
            moved = editing.keep_contacts_no_longer(db.session, competition)
            db.session.commit()
            flash(_("The settings are saved."))
            if moved:
                flash(ngettext("%(num)d e-mail address left with an idea is now deleted on %(date)s.",
                               "%(num)d e-mail addresses left with ideas are now deleted on %(date)s.", moved,
                               date=format_date(competition.fixed_contact_deadline(), "long")))
            return redirect(url_for("competitions.show", competition_id=competition.id), 303)
    return render_template("engagement/competitions/staff/form.html", form=form, competition=competition,
                           slug_locked=slug_locked), 422 if form.errors else 200


@bp.post("/<int:competition_id>/phase")
@moderator_required
def phase(competition_id):
    competition = load_competition(competition_id)
    action = request.form.get("action", "")
    try:
        editing.change_phase(competition, action, utcnow())
    except CompetitionRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(str(PHASE_DONE[action]))
    return redirect(url_for("competitions.show", competition_id=competition.id), 303)


@bp.post("/<int:competition_id>/categories")
@moderator_required
def add_category(competition_id):
    competition = load_competition(competition_id)
    return category_change(competition, "new", lambda: editing.add_category(
        db.session, competition, request.form.get("name", "")), _("The category is added."))


@bp.post("/<int:competition_id>/categories/<int:category_id>")
@moderator_required
def change_category(competition_id, category_id):
    """One form per category: its buttons rename, move up or down, or remove it."""
    competition = load_competition(competition_id)
    category = load_category(competition, category_id)
    action = request.form.get("action", "")
    if action in ("up", "down"):
        return category_change(competition, category.id, lambda: editing.move_category(
            db.session, competition, category, -1 if action == "up" else 1), None)
    if action == "remove":
        return category_change(competition, category.id,
                               lambda: editing.remove_category(db.session, competition, category),
                               _("The category is removed."))
    return category_change(competition, category.id, lambda: editing.rename_category(
        db.session, competition, category, request.form.get("name", "")), _("The category is renamed."))


def category_change(competition: Competition, where, change, done: str | None):
    """Run `change`, commit, and go back to the categories. A refusal saves nothing and shows the
    page again with the message at the category's form (`where`) and the name as typed."""
    try:
        change()
    except CompetitionRefused as refusal:
        db.session.rollback()
        return render_show(competition, (where, request.form.get("name", ""), str(refusal)))
    else:
        db.session.commit()
        if done:
            flash(done)
    return redirect(url_for("competitions.show", competition_id=competition.id, _anchor="categories"), 303)
