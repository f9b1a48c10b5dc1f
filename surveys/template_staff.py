"""Staff pages for starting a survey from a catalogue template: `/staff/surveys/templates/...`.

Every signed-in staff member may look at the templates and their questions; admins and editors
(`can_edit_surveys`) start one. Starting makes a draft through the survey file import
(`surveys.catalogue.create_draft`), so the rules are the import's; a map is looked up among the
signed-in user's organisation's maps only, so a forged map id gets a message and makes nothing.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField

from extensions import db, staff_only
from surveys import catalogue, map_editing
from surveys.kinds import KINDS

bp = Blueprint("survey_templates", __name__, url_prefix="/staff/surveys/templates")

# Signed in, with a role that may change surveys (admin or editor); else 403.
editor_required = staff_only(lambda user: user.can_edit_surveys)


class TemplateForm(FlaskForm):
    # Checked in the view against the organisation's maps, for a message that says what to do.
    survey_map = SelectField(_l("Map for the place question"), validate_choice=False)


def load_template(key: str) -> catalogue.Template:
    """:raise 404: for a key that is no template (or none)."""
    template = catalogue.BY_KEY.get(key)
    if template is None:
        abort(404)
    return template


def template_form(template: catalogue.Template, maps: list) -> TemplateForm:
    """The template's form, its map list the organisation's maps; the default is its only map, or none."""
    form = TemplateForm(prefix=template.key)
    form.survey_map.choices = [("", _("No map: ask with a list of places"))] + [(str(m.id), m.name) for m in maps]
    if form.survey_map.data is None:
        form.survey_map.data = str(maps[0].id) if len(maps) == 1 else ""
    return form


def render_index(maps: list, forms: dict, status: int = 200):
    return render_template("surveys/staff/templates.html", templates=catalogue.TEMPLATES, forms=forms,
                           maps=maps), status


@bp.get("/")
@login_required
def index():
    maps = map_editing.maps_of(db.session, current_user.organisation_id)
    return render_index(maps, {t.key: template_form(t, maps) for t in catalogue.TEMPLATES})


@bp.get("/questions")
@login_required
def preview():
    """The template's questions, read-only: `?template=<key>` (a query, so the route takes no argument
    that the tests walking every staff page would have to invent)."""
    template = load_template(request.args.get("template", ""))
    return render_template("surveys/staff/template_preview.html", template=template, kinds=KINDS)


@bp.post("/<key>")
@editor_required
def use(key):
    template = load_template(key)
    maps = map_editing.maps_of(db.session, current_user.organisation_id)
    forms = {t.key: template_form(t, maps) for t in catalogue.TEMPLATES}
    form = forms[key]
    if not form.validate_on_submit():
        return render_index(maps, forms, 422)
    survey_map = None
    if template.has_place_question and form.survey_map.data:
        survey_map = next((m for m in maps if str(m.id) == form.survey_map.data), None)
        if survey_map is None:
            form.survey_map.errors = [_("Choose one of your organisation's maps, or no map.")]
            return render_index(maps, forms, 422)
    try:
        survey = catalogue.create_draft(db.session, current_user.organisation_id, template, survey_map)
    except catalogue.ImportProblem as problem:
        db.session.rollback()
        form.survey_map.errors = [str(problem)]
        return render_index(maps, forms, 422)
    db.session.commit()
    flash(_("The survey is made from the template as a draft. Check the questions, change what does not fit "
            "your town, and open it when it is ready."))
    return redirect(url_for("editor.show", survey_id=survey.id))
