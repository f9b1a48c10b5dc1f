"""Staff pages for touchpoints: `/staff/touchpoints/...`.

Any staff role lists touchpoints and downloads their codes and posters;
admins and editors create, change, deactivate and reactivate them. Every
touchpoint is loaded through `load_touchpoint`, which filters by the user's
organisation, so another organisation's touchpoint is a 404 by any address.
"""
import math

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from slugify import slugify

from engagement.common.access import builder_required, can_build
from engagement.downloads import download
from engagement.touchpoints import posters, qr, services
from engagement.touchpoints.forms import TouchpointForm, parse_coordinate
from engagement.touchpoints.links import public_url, short_url
from engagement.touchpoints.models import Touchpoint
from extensions import db, owned_or_404
from surveys import map_editing

bp = Blueprint("touchpoints", __name__, url_prefix="/staff/touchpoints")

POSTER_FORMATS = {"a4": "A4", "a3": "A3", "a6": "A6"}
# Posters and QR codes open in the browser, ready to print (the file name is kept for saving), and may be
# reused for a few minutes.
SHOWN_FOR = 300


def load_touchpoint(touchpoint_id: int) -> Touchpoint:
    """:raise 404: unless the touchpoint belongs to the signed-in user's organisation."""
    return owned_or_404(Touchpoint, touchpoint_id)


def base_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"]


@bp.app_context_processor
def touchpoint_helpers():
    return {"touchpoint_url": lambda t: public_url(base_url(), t.code),
            "touchpoint_short_url": lambda t: short_url(base_url(), t.code),
            "can_change_touchpoints": lambda: can_build(current_user), "percent_text": percent_text}


@bp.get("/")
@login_required
def index():
    touchpoints = services.list_touchpoints(db.session, current_user.organisation_id)
    figures = services.counts(db.session, [t.id for t in touchpoints])
    competitions = services.target_competitions(db.session, current_user.organisation_id, touchpoints)
    return render_template("engagement/touchpoints/staff/index.html", touchpoints=touchpoints, figures=figures,
                           competitions=competitions)


@bp.route("/new", methods=["GET", "POST"])
@builder_required
def new():
    form = TouchpointForm()
    form.set_targets(services.target_options(db.session, current_user.organisation_id))
    maps = map_editing.maps_of(db.session, current_user.organisation_id)
    form.set_maps(maps)
    if not on_the_map(form, maps) and form.validate_on_submit():
        touchpoint = save(form, None)
        if touchpoint is not None:
            flash(_("The touchpoint is created. Download its poster and hang it up."))
            return redirect(url_for("touchpoints.show", touchpoint_id=touchpoint.id), 303)
    return form_page(form, None, maps)


@bp.get("/<int:touchpoint_id>")
@login_required
def show(touchpoint_id):
    touchpoint = load_touchpoint(touchpoint_id)
    return render_template("engagement/touchpoints/staff/show.html", touchpoint=touchpoint,
                           competition=target_competition(touchpoint),
                           figures=services.counts(db.session, [touchpoint.id])[touchpoint.id],
                           sizes=qr.PNG_SIZES, formats=POSTER_FORMATS)


@bp.route("/<int:touchpoint_id>/edit", methods=["GET", "POST"])
@builder_required
def edit(touchpoint_id):
    touchpoint = load_touchpoint(touchpoint_id)
    form = TouchpointForm(data=form_values(touchpoint))
    form.set_targets(services.target_options(db.session, current_user.organisation_id, touchpoint.competition_id))
    maps = map_editing.maps_of(db.session, current_user.organisation_id)
    form.set_maps(maps)
    if not on_the_map(form, maps) and form.validate_on_submit() and save(form, touchpoint) is not None:
        flash(_("The touchpoint is saved. Its code and posters stay the same."))
        return redirect(url_for("touchpoints.show", touchpoint_id=touchpoint.id), 303)
    return form_page(form, touchpoint, maps)


# The form's buttons that work on its map instead of saving (they matter without JavaScript).
SHOW_MAP, FROM_COORDINATES = "show_map", "from_coordinates"


def on_the_map(form: TouchpointForm, maps: list) -> bool:
    """For "Show the map" and "Place it from its latitude and longitude": the form again, not saved, with
    the map chosen shown (and the place filled in from the coordinates, when they fall on the map)."""
    if request.method != "POST" or not {SHOW_MAP, FROM_COORDINATES} & set(request.form):
        return False
    if form.map_id.data and form.chosen_map_id() is None:
        form.map_id.errors = [_("Choose one of your organisation’s maps from the list.")]
    elif FROM_COORDINATES in request.form:
        place = coordinates_place(form, chosen_map(form, maps))
        if place is None:
            form.map_x.errors = [_("Its latitude and longitude are not on this map (or the map has no "
                                   "georeference). Give the place on the map as x and y.")]
        else:
            form.map_x.data, form.map_y.data = (percent_text(share) for share in place)
    return True


def chosen_map(form: TouchpointForm, maps: list):
    return next((m for m in maps if m.id == form.chosen_map_id()), None)


def coordinates_place(form: TouchpointForm, survey_map) -> tuple[float, float] | None:
    """Where the form's latitude and longitude fall on the (georeferenced) map, as shares; None if not."""
    try:
        latitude, longitude = parse_coordinate(form.latitude.data), parse_coordinate(form.longitude.data)
    except ValueError:
        return None
    return services.place_from_coordinates(survey_map, latitude, longitude) if survey_map else None


def form_page(form: TouchpointForm, touchpoint: Touchpoint | None, maps: list):
    """The form with its map: the chosen map's preview, the place typed (when it is one) and, for a
    touchpoint with a latitude and longitude but no place yet, where those fall on a georeferenced map."""
    survey_map = chosen_map(form, maps)
    offer = None
    if survey_map is not None and form.map_place() is None and not (form.map_x.data or form.map_y.data):
        offer = coordinates_place(form, survey_map)
    return render_template("engagement/touchpoints/staff/form.html", form=form, touchpoint=touchpoint, maps=maps,
                           map_data=map_data(maps), survey_map=survey_map, place=form.map_place(), offer=offer), \
        422 if form.errors else 200


def map_data(maps: list) -> dict:
    """What static/js/staff.js needs to show another map when one is chosen, by the select's value."""
    return {str(m.id): {"src": url_for("maps.picture", map_id=m.id, v=m.version), "width": m.width,
                        "height": m.height, "label": _("Map: %(name)s", name=m.name)} for m in maps}


def save(form: TouchpointForm, touchpoint: Touchpoint | None) -> Touchpoint | None:
    """Create or update from a valid form and commit; None (with the error on the form) if refused."""
    try:
        if touchpoint is None:
            touchpoint = services.create_touchpoint(db.session, current_user.organisation_id, form.values())
        else:
            services.update_touchpoint(db.session, touchpoint, form.values())
    except services.InvalidTarget:
        db.session.rollback()
        form.target.errors = [_("Choose a survey or an idea competition from the list.")]
        return None
    except services.InvalidMapPlace:
        db.session.rollback()
        form.map_id.errors = [_("Choose one of your organisation’s maps from the list.")]
        return None
    db.session.commit()
    return touchpoint


def target_competition(touchpoint: Touchpoint):
    """The competition the touchpoint leads to, if any (of the same organisation, as the touchpoint is)."""
    return services.target_competitions(db.session, touchpoint.organisation_id, [touchpoint]).get(
        touchpoint.competition_id)


def form_values(touchpoint: Touchpoint) -> dict:
    """The form's fields as stored (the kind and target as the form's values, positions with a Danish comma)."""
    placed = touchpoint.map_id is not None and touchpoint.map_x is not None and touchpoint.map_y is not None
    return {"name": touchpoint.name, "kind": touchpoint.kind.value, "target": services.target_value(touchpoint),
            "headline": touchpoint.headline, "address": touchpoint.address, "note": touchpoint.note,
            "latitude": coordinate_text(touchpoint.latitude), "longitude": coordinate_text(touchpoint.longitude),
            "map_id": str(touchpoint.map_id) if placed else "",
            "map_x": percent_text(touchpoint.map_x) if placed else "",
            "map_y": percent_text(touchpoint.map_y) if placed else "",
            "premises_id": str(touchpoint.premises_id or "")}


def coordinate_text(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")


def percent_text(share: float) -> str:
    """A share of a map in percent with a Danish comma, as the form shows it: 0.4251 -> "42,51"."""
    return f"{share * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",")


@bp.post("/<int:touchpoint_id>/active")
@builder_required
def set_active(touchpoint_id):
    touchpoint = load_touchpoint(touchpoint_id)
    touchpoint.active = request.form.get("action") == "reactivate"
    db.session.commit()
    flash(_("The touchpoint is active again: its code leads to the survey.") if touchpoint.active else
          _("The touchpoint is deactivated: its code now shows what else is open."))
    return redirect(url_for("touchpoints.show", touchpoint_id=touchpoint.id), 303)


@bp.get("/<int:touchpoint_id>/qr-<int:size>.png")
@login_required
def qr_png(touchpoint_id, size):
    touchpoint = load_touchpoint(touchpoint_id)
    if size not in qr.PNG_SIZES:
        abort(404)
    return download(qr.png(public_url(base_url(), touchpoint.code), size), "image/png",
                    file_name(touchpoint, f"qr-{size}.png"), inline=True, max_age=SHOWN_FOR)


@bp.get("/<int:touchpoint_id>/qr.svg")
@login_required
def qr_svg(touchpoint_id):
    touchpoint = load_touchpoint(touchpoint_id)
    return download(qr.svg(public_url(base_url(), touchpoint.code)), "image/svg+xml",
                    file_name(touchpoint, "qr.svg"), inline=True, max_age=SHOWN_FOR)


@bp.get("/<int:touchpoint_id>/poster-<format_name>.pdf")
@login_required
def poster(touchpoint_id, format_name):
    touchpoint = load_touchpoint(touchpoint_id)
    if format_name not in POSTER_FORMATS:
        abort(404)
    pdf = posters.render(poster_text(touchpoint), format_name)
    return download(pdf, "application/pdf", file_name(touchpoint, f"plakat-{format_name}.pdf"), inline=True,
                    max_age=SHOWN_FOR)


def poster_text(touchpoint: Touchpoint) -> posters.PosterText:
    """The poster's words in the target's language (Danish without a target)."""
    competition = target_competition(touchpoint)
    if competition is not None:
        return competition_poster_text(touchpoint, competition)
    survey = touchpoint.survey
    # "Under a minute" holds for the 3-8 questions the design aims at; longer surveys say so.
    minutes = max(1, math.ceil(len(survey.questions) / 8)) if survey else 1
    with force_locale(survey.language if survey else "da"):
        return posters.PosterText(
            headline=touchpoint.headline or _("What is missing in the town centre?"),
            subline=ngettext("Scan and have your say in %(num)d minute",
                             "Scan and have your say in %(num)d minutes", minutes),
            url=public_url(base_url(), touchpoint.code), short_url=short_url(base_url(), touchpoint.code),
            # The touchpoint is the user's organisation's: load_touchpoint checked it.
            type_hint=_("Cannot scan? Type:"), organisation=current_user.organisation.name,
            privacy=_("Anonymous. We do not store who you are."), place=touchpoint.name)


def competition_poster_text(touchpoint: Touchpoint, competition) -> posters.PosterText:
    """A poster for an idea competition names it: its title is the headline unless the touchpoint has its own.
    In the competition's language; the words hold in every phase, as a poster hangs through all of them."""
    with force_locale(competition.language):
        return posters.PosterText(
            headline=touchpoint.headline or competition.title,
            subline=_("Scan and join the idea competition"),
            url=public_url(base_url(), touchpoint.code), short_url=short_url(base_url(), touchpoint.code),
            type_hint=_("Cannot scan? Type:"), organisation=current_user.organisation.name,
            privacy=_("You do not need to tell us who you are."), place=touchpoint.name)


def file_name(touchpoint: Touchpoint, suffix: str) -> str:
    return f"{slugify(touchpoint.name, max_length=40) or 'kontaktpunkt'}-{touchpoint.code}-{suffix}"
