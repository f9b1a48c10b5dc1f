"""Staff pages for building surveys: `/staff/surveys/...`.

The signed-in user comes from Flask-Login's `current_user` and must offer
`organisation_id` and `can_edit_surveys`; the engine does not import the
accounts package. Every survey is loaded through `load_survey`, which filters
by the user's organisation, so another organisation's survey is a 404.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms.fields import SelectChoice

from extensions import db, hooks, owned_or_404, staff_only
from surveys import editing, map_editing, rounds, transfer
from surveys.editing import ChoiceEdit, EditRefused, QuestionEdit
from surveys.forms import ImportForm, SurveyForm, question_form
from surveys.images import ImageProblem, store_image
from surveys.kinds import KINDS
from surveys.maps import MapProblem, format_shape, parse_shape, place_screen
from surveys.models import Question, Response, Survey, SurveyState
from surveys.timezone import from_local, to_local

bp = Blueprint("editor", __name__, url_prefix="/staff/surveys")


# Signed in, with a role that may change surveys (admin or editor); else 403.
editor_required = staff_only(lambda user: user.can_edit_surveys)


def load_survey(survey_id: int) -> Survey:
    """:raise 404: unless the survey belongs to the signed-in user's organisation."""
    return owned_or_404(Survey, survey_id)


def load_question(survey: Survey, question_id: int) -> Question:
    question = next((q for q in survey.questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


@bp.get("/")
@login_required
def index():
    surveys = db.session.scalars(select(Survey).where(Survey.organisation_id == current_user.organisation_id)
                                 .order_by(Survey.created_at.desc())).all()
    counts = dict(db.session.execute(
        select(Response.survey_id, func.count()).where(
            Response.survey_id.in_([s.id for s in surveys]), Response.completed_at.is_not(None))
        .group_by(Response.survey_id)).all())
    return render_template("surveys/staff/index.html", surveys=surveys, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def new():
    form = SurveyForm()
    if form.validate_on_submit():
        survey = editing.create_survey(db.session, current_user.organisation_id, **survey_values(form))
        db.session.commit()
        flash(_("The survey is created. Now add its questions."))
        return redirect(url_for("editor.show", survey_id=survey.id))
    return render_template("surveys/staff/settings.html", form=form, survey=None), 422 if form.errors else 200


@bp.get("/<int:survey_id>")
@login_required
def show(survey_id):
    survey = load_survey(survey_id)
    responses = db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id))
    return render_template("surveys/staff/show.html", survey=survey, kinds=KINDS, responses=responses,
                           rounds=rounds.rounds_of(db.session, survey))


@bp.route("/<int:survey_id>/rounds/new", methods=["GET", "POST"])
@editor_required
def new_round(survey_id):
    """Start the next round of the survey (surveys.rounds): staff choose its address, and whether the
    touchpoints that lead to this round lead to the new one (the "round_started" hook does that)."""
    survey = load_survey(survey_id)
    posted = request.method == "POST"
    # While this round is open, people answer it through its address and its posters: neither may move to a
    # draft under them. The re-pointing is ticked by default only when this round no longer takes answers.
    running = survey.state is SurveyState.open
    typed = {"address": request.form.get("address", "new") if posted else "new",
             "slug": request.form.get("slug", "")[:200],
             "repoint": request.form.get("repoint") == "1" or (not posted and not running)}
    problem, number = None, rounds.next_round_number(db.session, survey)
    if posted and running and (typed["address"] == "move" or typed["repoint"]):
        problem = _("This round is open: people answer it through its address and its posters right now. Close it "
                    "first if the address and the posters are to lead to the new round, or give the new round "
                    "an address of its own and leave the posters.")
    elif posted:
        choice = rounds.NewRound(move_address=typed["address"] == "move", slug=typed["slug"])
        try:
            made = rounds.start_round(db.session, survey, choice)
        except rounds.RoundProblem as refusal:
            db.session.rollback()
            problem = str(refusal)
        else:
            notes = [hook(db.session, survey, made, typed["repoint"]) for hook in hooks("round_started")]
            db.session.commit()
            flash(_("Round %(n)s is made as a draft with the same questions. Open it when it is ready.", n=made.round))
            for note in filter(None, notes):
                flash(note)
            return redirect(url_for("editor.show", survey_id=made.id))
    return render_template("surveys/staff/new_round.html", survey=survey, typed=typed, problem=problem,
                           suggested=rounds.default_slug(db.session, survey, number),
                           next_round=number), 422 if problem else 200


@bp.route("/<int:survey_id>/settings", methods=["GET", "POST"])
@editor_required
def settings(survey_id):
    survey = load_survey(survey_id)
    form = SurveyForm(obj=survey, opens_at=survey.opens_at and to_local(survey.opens_at).replace(tzinfo=None),
                      closes_at=survey.closes_at and to_local(survey.closes_at).replace(tzinfo=None))
    if form.validate_on_submit():
        values = survey_values(form)
        wanted = values.pop("slug")
        # The address is printed on posters once the survey opens: it only changes while a draft.
        if survey.status.value == "draft" and wanted:
            survey.slug = editing.unique_slug(db.session, wanted, survey.id)
        for name, value in values.items():
            setattr(survey, name, value)
        db.session.commit()
        flash(_("The settings are saved."))
        return redirect(url_for("editor.show", survey_id=survey.id))
    return render_template("surveys/staff/settings.html", form=form, survey=survey), 422 if form.errors else 200


def survey_values(form: SurveyForm) -> dict:
    return {"title": form.title.data.strip(), "slug": form.slug.data, "intro": (form.intro.data or "").strip(),
            "thanks": (form.thanks.data or "").strip(), "language": form.language.data,
            "opens_at": from_local(form.opens_at.data), "closes_at": from_local(form.closes_at.data)}


@bp.post("/<int:survey_id>/status")
@editor_required
def status(survey_id):
    survey = load_survey(survey_id)
    try:
        editing.change_status(survey, request.form.get("action", ""))
    except EditRefused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("editor.show", survey_id=survey.id))
    db.session.commit()
    flash(_("The survey is open.") if survey.status.value == "open" else _("The survey is closed."))
    return redirect(url_for("editor.show", survey_id=survey.id))


@bp.route("/<int:survey_id>/questions/new", methods=["GET", "POST"])
@editor_required
def new_question(survey_id):
    survey = load_survey(survey_id)
    kind = request.values.get("kind")
    if kind not in KINDS:
        return render_template("surveys/staff/pick_kind.html", survey=survey, kinds=KINDS)
    return question_page(survey, None, kind)


@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@editor_required
def edit_question(survey_id, question_id):
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    kind = request.form.get("kind") if request.method == "POST" else question.kind
    return question_page(survey, question, kind if kind in KINDS else question.kind)


def question_page(survey, question, kind):
    form = question_form(kind, obj=question, data=None if question else {"kind": kind, "required": True})
    form.show_if.choices = [SelectChoice("", _("Always show it"))] + [
        SelectChoice(str(cid), text) for cid, text in editing.condition_options(survey, question)]
    maps = map_editing.maps_of(db.session, current_user.organisation_id) if KINDS[kind].has_map else []
    for name in map_settings(kind):
        form[name].choices = map_choices(maps)
    if request.method == "GET":
        fill_question_form(form, question, maps)
    counts = editing.choice_answer_counts(db.session, question) if question else {}
    if form.validate_on_submit():
        try:
            saved = editing.save_question(db.session, survey, question, question_edit(survey, form))
        except (EditRefused, ImageProblem) as refusal:
            db.session.rollback()
            form.form_errors.append(str(refusal))
        else:
            db.session.commit()
            flash(_("The question is saved."))
            return redirect(url_for("editor.show", survey_id=survey.id, _anchor=f"question-{saved.id}"))
    status = 422 if form.errors or form.form_errors else 200
    answered = bool(question and editing.answer_count(db.session, question))
    return render_template("surveys/staff/question.html", survey=survey, question=question, form=form,
                           kind=KINDS[form.kind.data or kind], counts=counts, maps=maps, answered=answered,
                           map_setting=next(iter(map_settings(kind)), None), shown_map=shown_map(form, kind, maps),
                           areas=typed_areas(form)), status


def map_settings(kind: str) -> list[str]:
    """The form fields of the kind's settings that pick one of the organisation's maps."""
    return [f"setting_{s.name}" for s in KINDS[kind].settings if s.type == "map"]


def map_choices(maps) -> list[SelectChoice]:
    """The organisation's maps for a map setting; each option carries its picture's address and size, so
    staff.js can show the map picked before the form is saved."""
    return [SelectChoice("", _("Pick a map"))] + [
        SelectChoice(str(m.id), m.name, render_kw={
            "data-src": url_for("maps.picture", map_id=m.id, v=m.version), "data-width": m.width,
            "data-height": m.height, "data-name": m.name}) for m in maps]


def shown_map(form, kind: str, maps):
    """The map the form's map setting names, for the preview of the areas; None if none is picked."""
    picked = next((form[name].data for name in map_settings(kind)), None)
    return next((m for m in maps if str(m.id) == str(picked)), None)


def typed_areas(form) -> list[dict]:
    """The option rows' areas as typed, for the preview (a shape that cannot be read is left out)."""
    areas = []
    for row, entry in enumerate(form.choices):
        try:
            shape = parse_shape(entry.form.area.data or "")
        except MapProblem:
            shape = None
        if shape:
            areas.append({"row": row, "label": entry.form.label.data or "", "shape": shape})
    return areas


def fill_question_form(form, question, maps=()):
    """Existing options first, then empty rows for new ones. A new question on a map gets the
    organisation's map when it has only one."""
    if question is not None:
        form.show_if.data = str(question.show_if_choice_id or "")
        for setting in KINDS[question.kind].settings:
            name = f"setting_{setting.name}"
            if name in form:
                value = question.setting(setting.name, setting.default)
                form[name].data = ("" if value is None else str(value)) if setting.type == "map" else value
    elif len(maps) == 1:
        for name in map_settings(form.kind.data):
            form[name].data = str(maps[0].id)
    while len(form.choices):
        form.choices.pop_entry()
    for choice in question.choices if question else []:
        form.choices.append_entry({"choice_id": str(choice.id), "label": choice.label,
                                   "area": format_shape(choice.shape)})
    for _blank in range(3 if question and question.choices else 4):
        form.choices.append_entry({})


def question_edit(survey, form) -> QuestionEdit:
    kind = KINDS[form.kind.data]
    choices = []
    for entry in form.choices:
        data = entry.form
        image = data.image.data
        image_id = None
        if image and getattr(image, "filename", "") and kind.has_pictures:
            image_id = store_image(db.session, survey.id, image.read()).id
        choice_id = int(data.choice_id.data) if is_number(data.choice_id.data) else None
        shape = parse_shape(data.area.data or "") if kind.has_areas else None  # checked by the form
        choices.append(ChoiceEdit(choice_id, data.label.data or "", bool(data.remove.data), image_id, shape))
    settings = {s.name: setting_value(s, form[f"setting_{s.name}"].data)
                for s in kind.settings if f"setting_{s.name}" in form}
    show_if = form.show_if.data
    return QuestionEdit(kind=kind.key, prompt=form.prompt.data, help=form.help.data or "",
                        required=bool(form.required.data), settings=settings,
                        show_if_choice_id=int(show_if) if is_number(show_if) else None, choices=choices)


def setting_value(setting, data):
    """A map setting is sent as the map's id, one of the organisation's (the form checked that)."""
    if setting.type == "map":
        return int(data) if is_number(data) else None
    return data


@bp.post("/<int:survey_id>/questions/<int:question_id>/move")
@editor_required
def move_question(survey_id, question_id):
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    try:
        editing.move_question(survey, question, -1 if request.form.get("direction") == "up" else 1)
        db.session.commit()
    except EditRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    return redirect(url_for("editor.show", survey_id=survey.id, _anchor=f"question-{question_id}"))


@bp.post("/<int:survey_id>/questions/<int:question_id>/delete")
@editor_required
def delete_question(survey_id, question_id):
    survey = load_survey(survey_id)
    question = load_question(survey, question_id)
    try:
        editing.delete_question(db.session, survey, question)
        db.session.commit()
        flash(_("The question is deleted."))
    except EditRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    return redirect(url_for("editor.show", survey_id=survey.id))


@bp.get("/<int:survey_id>/preview")
@login_required
def preview(survey_id):
    survey = load_survey(survey_id)
    # A place question's partial draws its map as a blank screen would (maps.place_screen).
    places = {q.id: place_screen(db.session, q, []) for q in survey.questions if KINDS[q.kind].has_map}
    return render_template("surveys/staff/preview.html", survey=survey, kinds=KINDS, places=places)


@bp.get("/<int:survey_id>/export.json")
@login_required
def export(survey_id):
    return transfer.json_download(load_survey(survey_id))


@bp.route("/import", methods=["GET", "POST"])
@editor_required
def import_file():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            survey = transfer.import_survey(db.session, current_user.organisation_id,
                                            upload.read() if upload else b"")
        except transfer.ImportProblem as problem:
            db.session.rollback()
            form.file.errors = [str(problem)]
        else:
            db.session.commit()
            flash(_("The survey is imported as a draft."))
            return redirect(url_for("editor.show", survey_id=survey.id))
    return render_template("surveys/staff/import.html", form=form), 422 if form.errors else 200


def is_number(text: str | None) -> bool:
    """Digits 0–9 only: str.isdigit() also accepts "²", which int() refuses."""
    return bool(text) and text.isascii() and text.isdigit()
