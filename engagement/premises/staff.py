"""Staff pages for the register of premises and places: `/staff/premises/...`.

Admins, editors and viewers read the register, a premises' page and the owner's summary; admins and
editors add, change and delete premises. Only admins and editors see the owner's contact, on any page
or export; teachers have no access (403). Every premises is loaded through the user's organisation, so
another organisation's premises is a 404 at every address.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from slugify import slugify

from engagement.common.access import builder_required, can_build, reader_required
from engagement.common.spreadsheets import XLSX_MIMETYPE, xlsx_bytes
from engagement.competitions.exports import csv_bytes
from engagement.downloads import download
from engagement.premises import register
from engagement.premises.forms import PremisesForm, StatusForm
from engagement.premises.linked import linked
from engagement.premises.models import Premises, PremisesStatus
from engagement.premises.summary import owner_summary
from engagement.touchpoints.services import InvalidMapPlace
from engagement.touchpoints.staff import map_data, percent_text
from extensions import db, owned_or_404, utcnow
from surveys import map_editing
from surveys.maps import SurveyMap
from surveys.timezone import to_local

bp = Blueprint("premises", __name__, url_prefix="/staff/premises")

SHOW_MAP = "show_map"  # the form's button that shows the chosen map instead of saving (without JavaScript)


def load_premises(premises_id: int) -> Premises:
    """:raise 404: unless the premises belongs to the signed-in user's organisation."""
    return owned_or_404(Premises, premises_id)


def min_group() -> int:
    return current_app.config["MIN_GROUP_SIZE"]


def danish_today():
    return to_local(utcnow()).date()


def builds() -> bool:
    return current_user.is_authenticated and can_build(current_user)


@bp.app_context_processor
def premises_helpers():
    # Two names for one rule today: who changes the register, and who sees the owners' contacts.
    return {"can_change_premises": builds, "sees_owner_contact": builds,
            "long_date": lambda day: format_date(day, "long") if day else ""}


@bp.get("/")
@reader_required
def index():
    premises = register.list_premises(db.session, current_user.organisation_id)
    return render_template("engagement/premises/index.html", premises=premises,
                           links=register.link_counts(db.session, [p.id for p in premises]))


@bp.get("/premises.<any(csv, xlsx):extension>")
@reader_required
def export(extension):
    """The register as a spreadsheet; the owner's contact only for admins and editors."""
    premises = register.list_premises(db.session, current_user.organisation_id)
    links = register.link_counts(db.session, [p.id for p in premises])
    headers, rows = export_rows(premises, links, with_contact=can_build(current_user))
    if extension == "csv":
        body, mimetype = csv_bytes(headers, rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = xlsx_bytes(_("Premises"), headers, rows), XLSX_MIMETYPE
    return download(body, mimetype, f"lokaler-og-steder-{danish_today().isoformat()}.{extension}")


def export_rows(premises: list[Premises], links: dict, with_contact: bool) -> tuple[list[str], list[list]]:
    headers = [_("Address"), _("Kind of place"), _("Status"), _("Touchpoints"), _("Idea competitions"), _("Trials"),
               _("Notes")]
    if with_contact:
        headers += [_("Owner’s name"), _("Owner’s e-mail"), _("Owner’s phone"), _("What the contact is kept for"),
                    _("Delete the contact on")]
    rows = []
    for each in premises:
        found = links[each.id]
        row = [each.address, each.kind.label, each.status.label, found.touchpoints, found.competitions,
               found.trials, each.notes]
        if with_contact:
            row += [each.owner_name, each.owner_email, each.owner_phone, each.contact_purpose,
                    each.contact_delete_on.isoformat() if each.contact_delete_on else ""]
        rows.append(row)
    return headers, rows


@bp.route("/new", methods=["GET", "POST"])
@builder_required
def new():
    form, maps = premises_form(PremisesForm())
    if SHOW_MAP not in request.form and form.validate_on_submit():
        premises = save(form, None)
        if premises is not None:
            flash(_("»%(address)s« is in the register.", address=premises.address), "success")
            return redirect(url_for("premises.show", premises_id=premises.id), 303)
    return form_page(form, None, maps)


@bp.route("/<int:premises_id>/edit", methods=["GET", "POST"])
@builder_required
def edit(premises_id):
    premises = load_premises(premises_id)
    form, maps = premises_form(PremisesForm(data=form_values(premises)))
    if SHOW_MAP not in request.form and form.validate_on_submit() and save(form, premises) is not None:
        flash(_("The premises is saved."), "success")
        return redirect(url_for("premises.show", premises_id=premises.id), 303)
    return form_page(form, premises, maps)


def premises_form(form: PremisesForm) -> tuple[PremisesForm, list[SurveyMap]]:
    maps = map_editing.maps_of(db.session, current_user.organisation_id)
    form.set_maps(maps)
    form.today = danish_today()
    return form, maps


def form_page(form: PremisesForm, premises: Premises | None, maps: list[SurveyMap]):
    survey_map = next((m for m in maps if m.id == form.chosen_map_id()), None)
    return render_template("engagement/premises/form.html", form=form, premises=premises, maps=maps,
                           map_data=map_data(maps), survey_map=survey_map, place=form.map_place()), \
        422 if form.errors else 200


def save(form: PremisesForm, premises: Premises | None) -> Premises | None:
    """Create or update from a valid form and commit; None (with the error on the form) if refused."""
    try:
        if premises is None:
            premises = register.register(db.session, current_user.organisation_id, form.values(), current_user.id,
                                         utcnow())
        else:
            register.change(db.session, premises, form.values(), current_user.id, utcnow())
    except register.AlreadyRegistered as taken:
        db.session.rollback()
        form.address.errors = [_("»%(address)s« is already in the register as »%(kind)s«. Open it from the list "
                                 "of premises.", address=taken.existing.address, kind=taken.existing.kind.label)]
        return None
    except InvalidMapPlace:
        db.session.rollback()
        form.map_id.errors = [_("Choose one of your organisation’s maps from the list.")]
        return None
    db.session.commit()
    return premises


def form_values(premises: Premises) -> dict:
    """The form's fields as stored (choices as the form's values, the place in percent with a Danish comma)."""
    placed = premises.map_id is not None and premises.map_x is not None and premises.map_y is not None
    return {"address": premises.address, "kind": premises.kind.value, "status": premises.status.value,
            "map_id": str(premises.map_id) if placed else "",
            "map_x": percent_text(premises.map_x) if placed else "",
            "map_y": percent_text(premises.map_y) if placed else "",
            "owner_name": premises.owner_name, "owner_email": premises.owner_email,
            "owner_phone": premises.owner_phone, "contact_purpose": premises.contact_purpose,
            "contact_delete_on": premises.contact_delete_on, "notes": premises.notes}


@bp.get("/<int:premises_id>")
@reader_required
def show(premises_id):
    premises = load_premises(premises_id)
    return show_page(premises, StatusForm(data={"status": premises.status.value}))


def show_page(premises: Premises, status_form: StatusForm):
    survey_map = None
    if premises.map_id is not None and premises.map_x is not None:
        survey_map = db.session.get(SurveyMap, premises.map_id)
        if survey_map is not None and survey_map.organisation_id != premises.organisation_id:
            survey_map = None
    found = linked(db.session, premises, min_group())
    return render_template("engagement/premises/show.html", premises=premises, found=found, survey_map=survey_map,
                           links=register.link_counts(db.session, [premises.id])[premises.id],
                           status_form=status_form, trial_pages="trials.show" in current_app.view_functions), \
        422 if status_form.errors else 200


@bp.post("/<int:premises_id>/status")
@builder_required
def change_status(premises_id):
    """A new status with a note; the same status again (a form sent twice) records nothing."""
    premises = load_premises(premises_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return show_page(premises, form)
    changed = register.set_status(db.session, premises, PremisesStatus(form.status.data),
                                  (form.status_note.data or "").strip(), current_user.id, utcnow())
    db.session.commit()
    if changed:
        flash(_("The status is now »%(status)s«.", status=premises.status.label), "success")
    else:
        flash(_("The status was »%(status)s« already: nothing is changed.", status=premises.status.label))
    return redirect(url_for("premises.show", premises_id=premises.id, _anchor="status-history"), 303)


@bp.post("/<int:premises_id>/delete")
@builder_required
def delete(premises_id):
    premises = load_premises(premises_id)
    address = premises.address
    try:
        register.delete(db.session, premises)
    except register.StillLinked as linked_still:
        db.session.rollback()
        flash(linked_still.message, "error")
        return redirect(url_for("premises.show", premises_id=premises_id), 303)
    db.session.commit()
    flash(_("»%(address)s« is deleted from the register.", address=address), "success")
    return redirect(url_for("premises.index"), 303)


@bp.get("/<int:premises_id>/summary")
@reader_required
def summary(premises_id):
    """The owner's summary as a page: the same document the PDF prints."""
    premises = load_premises(premises_id)
    return render_template("engagement/premises/summary.html", premises=premises,
                           doc=owner_summary(db.session, premises, min_group()))


@bp.get("/<int:premises_id>/summary.pdf")
@reader_required
def summary_pdf(premises_id):
    from engagement.common.chart_images import ChartImagesUnavailable
    from engagement.reports.pdf import report_pdf

    premises = load_premises(premises_id)
    document = owner_summary(db.session, premises, min_group())
    try:
        body = report_pdf(document)
    except ChartImagesUnavailable as error:
        flash(str(error), "error")
        return redirect(url_for("premises.summary", premises_id=premises.id))
    return download(body, "application/pdf", f"{slugify(document.title) or 'opsummering'}.pdf")
