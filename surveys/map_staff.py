"""Staff pages for the organisation's maps: `/staff/maps/...`.

Every signed-in staff member may look at the maps (viewers too); admins and editors (`can_edit_surveys`)
upload, rename, replace, georeference and delete them. Every map is loaded through `load_map`, which
filters by the user's organisation, so another organisation's map and its picture are a 404.
"""
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from extensions import db, owned_or_404, staff_only
from surveys import map_editing
from surveys.forms import CornersForm, GeoreferenceForm, MapNameForm, MapPictureForm, MapUploadForm, coordinate
from surveys.maps import MapProblem, SurveyMap, parse_control_points, store_map

bp = Blueprint("maps", __name__, url_prefix="/staff/maps")

# Signed in, with a role that may change surveys (admin or editor); else 403.
editor_required = staff_only(lambda user: user.can_edit_surveys)
EMPTY_ROWS = 4  # the georeference form offers at least this many rows, and two empty ones below saved points


def load_map(map_id: int) -> SurveyMap:
    """:raise 404: unless the map belongs to the signed-in user's organisation."""
    return owned_or_404(SurveyMap, map_id)


@bp.get("/")
@login_required
def index():
    organisation_id = current_user.organisation_id
    return render_template("surveys/staff/maps/index.html", maps=map_editing.maps_of(db.session, organisation_id),
                           uses=map_editing.uses(db.session, organisation_id), fit_of=map_editing.fit_of)


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def new():
    form = MapUploadForm()
    if form.validate_on_submit() & picture_chosen(form.picture):  # both, so both fields say what is wrong
        survey_map = upload(form)
        if survey_map is not None:
            db.session.commit()
            flash(_("The map is uploaded. Georeference it if you want coordinates in the exports."))
            return redirect(url_for("maps.show", map_id=survey_map.id))
    return render_template("surveys/staff/maps/new.html", form=form), 422 if form.errors else 200


def upload(form: MapUploadForm) -> SurveyMap | None:
    """The stored map, or None with the fields' messages set."""
    problem = map_editing.name_problem(db.session, current_user.organisation_id, form.name.data)
    if problem:
        form.name.errors = [problem]
        return None
    try:
        return store_map(db.session, current_user.organisation_id, form.name.data, form.picture.data.read())
    except MapProblem as refusal:
        db.session.rollback()
        form.picture.errors = [str(refusal)]
        return None


def picture_chosen(field) -> bool:
    """Whether a file was sent; else the field says so (only for a sent form)."""
    sent = field.data
    if sent and getattr(sent, "filename", ""):
        return True
    if request.method == "POST":
        field.errors = [*field.errors, _("Choose a picture file.")]
    return False


@bp.get("/<int:map_id>")
@login_required
def show(map_id):
    survey_map = load_map(map_id)
    return map_page(survey_map, MapNameForm(name=survey_map.name), MapPictureForm())


def map_page(survey_map: SurveyMap, name_form, picture_form):
    use = map_editing.uses(db.session, survey_map.organisation_id).get(survey_map.id, map_editing.MapUse())
    status = 422 if name_form.errors or picture_form.errors else 200
    return render_template("surveys/staff/maps/show.html", survey_map=survey_map, use=use,
                           fit=map_editing.fit_of(survey_map.control_points, survey_map.aspect), name_form=name_form,
                           picture_form=picture_form, describe=map_editing.describe), status


@bp.post("/<int:map_id>/name")
@editor_required
def rename(map_id):
    survey_map = load_map(map_id)
    form = MapNameForm()
    if form.validate_on_submit():
        problem = map_editing.name_problem(db.session, survey_map.organisation_id, form.name.data, survey_map.id)
        if problem is None:
            survey_map.name = form.name.data.strip()
            db.session.commit()
            flash(_("The map is renamed."))
            return redirect(url_for("maps.show", map_id=survey_map.id))
        form.name.errors = [problem]
    return map_page(survey_map, form, MapPictureForm(formdata=None))


@bp.post("/<int:map_id>/replace")
@editor_required
def replace(map_id):
    survey_map = load_map(map_id)
    form = MapPictureForm()
    if form.validate_on_submit() & picture_chosen(form.picture):
        try:
            other_shape = map_editing.replace_picture(db.session, survey_map, form.picture.data.read())
        except MapProblem as refusal:
            db.session.rollback()
            form.picture.errors = [str(refusal)]
        else:
            db.session.commit()
            flash(_("The picture is replaced. It has another shape than the old one: check the areas of the "
                    "questions on it and the georeference.") if other_shape else _("The picture is replaced."))
            return redirect(url_for("maps.show", map_id=survey_map.id))
    survey_map = load_map(map_id)  # after a rollback, as stored
    return map_page(survey_map, MapNameForm(formdata=None, name=survey_map.name), form)


@bp.post("/<int:map_id>/delete")
@editor_required
def delete(map_id):
    survey_map = load_map(map_id)
    name = survey_map.name
    try:
        map_editing.delete_map(db.session, survey_map)
    except MapProblem as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return redirect(url_for("maps.show", map_id=map_id))
    db.session.commit()
    flash(_("The map “%(name)s” is deleted.", name=name))
    return redirect(url_for("maps.index"))


@bp.get("/<int:map_id>/picture")
@login_required
def picture(map_id):
    """The map's picture; its address carries the version stamp (`?v=`), so this browser may keep it."""
    survey_map = load_map(map_id)
    response = make_response(survey_map.data)
    response.mimetype = survey_map.content_type
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/<int:map_id>/georeference", methods=["GET", "POST"])
@editor_required
def georeference(map_id):
    survey_map = load_map(map_id)
    form = GeoreferenceForm()
    problem = None
    if form.validate_on_submit():
        rows = [tuple(_plain(v) for v in entry.form.values()) for entry in form.points]
        try:
            points = parse_control_points(rows)
        except MapProblem as refusal:
            problem = str(refusal)
        else:
            map_editing.set_control_points(db.session, survey_map, points)
            db.session.commit()
            flash(_("The georeference is saved.") if points else _("The map has no georeference now."))
            return redirect(url_for("maps.georeference", map_id=survey_map.id))
    if request.method == "GET":
        fill_points(form, survey_map.control_points or [])
    return georeference_page(survey_map, form, corners_form(survey_map, formdata=None), problem)


@bp.post("/<int:map_id>/corners")
@editor_required
def corners(map_id):
    survey_map = load_map(map_id)
    form = CornersForm(prefix="corners")
    problem = None
    if form.validate_on_submit():
        try:
            points = map_editing.corner_points(*(coordinate(f.data) for f in (form.top, form.left, form.bottom,
                                                                              form.right)))
        except MapProblem as refusal:
            problem = str(refusal)
        else:
            map_editing.set_control_points(db.session, survey_map, points)
            db.session.commit()
            flash(_("The georeference is saved from the corners."))
            return redirect(url_for("maps.georeference", map_id=survey_map.id))
    points_form = GeoreferenceForm(formdata=None)
    fill_points(points_form, survey_map.control_points or [])
    return georeference_page(survey_map, points_form, form, problem, corners_problem=True)


def georeference_page(survey_map, form, corners, problem, corners_problem=False):
    failed = bool(problem or form.errors or corners.errors)
    return render_template("surveys/staff/maps/georeference.html", survey_map=survey_map, form=form,
                           corners=corners, problem=problem, corners_problem=corners_problem,
                           fit=map_editing.fit_of(survey_map.control_points, survey_map.aspect), saved_rows=not failed,
                           shown_points=typed_points(form)), 422 if failed else 200


def typed_points(form: GeoreferenceForm) -> list[dict]:
    """The rows' places on the map, for the figure: those whose x and y are numbers 0–100 (typed ones too,
    so a refused form still shows where its points are)."""
    shown = []
    for row, entry in enumerate(form.points):
        try:
            x, y = coordinate(entry.form.x.data), coordinate(entry.form.y.data)
        except ValueError:
            continue
        if x is not None and y is not None and 0 <= x <= 100 and 0 <= y <= 100:
            shown.append({"row": row, "n": row + 1, "x": x / 100, "y": y / 100})
    return shown


def fill_points(form: GeoreferenceForm, points: list[dict]) -> None:
    """The saved points, then empty rows: at least EMPTY_ROWS rows, and two empty ones to add more."""
    for point in points:
        form.points.append_entry({"x": _number(point["x"] * 100, 2), "y": _number(point["y"] * 100, 2),
                                  "lat": _number(point["lat"], 7), "lon": _number(point["lon"], 7)})
    while len(form.points) < max(EMPTY_ROWS, len(points) + 2):
        form.points.append_entry({})


def corners_form(survey_map: SurveyMap, formdata=None) -> CornersForm:
    """Filled in when the map was georeferenced by its corners (control points at 0, 0 and 1, 1)."""
    found = {(p["x"], p["y"]): p for p in survey_map.control_points or []}
    top_left, bottom_right = found.get((0.0, 0.0)), found.get((1.0, 1.0))
    values = {}
    if top_left and bottom_right:
        values = {"top": _number(top_left["lat"], 7), "left": _number(top_left["lon"], 7),
                  "bottom": _number(bottom_right["lat"], 7), "right": _number(bottom_right["lon"], 7)}
    return CornersForm(formdata=formdata, prefix="corners", **values)


def _number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def _plain(text: str) -> str:
    """A typed number as parse_control_points reads it ("−12,5" -> "-12.5"); checked by the form already."""
    value = coordinate(text)
    return "" if value is None else repr(value)
