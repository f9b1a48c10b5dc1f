"""Looking after the organisation's maps: what uses them, renaming, a new picture, deleting, georeferencing.

Services take plain values, flush and never commit. A refusal is a `surveys.maps.MapProblem` whose
message tells staff why, in their language. Touchpoints are found by their table's name: the survey
engine does not import the engagement package that defines them.
"""
import math
from dataclasses import dataclass, field

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import column, func, select, table

from surveys.kinds import KINDS
from surveys.maps import EARTH_RADIUS, Georeference, MapProblem, SurveyMap, clean_map, touch_surveys
from surveys.models import Question, Survey, new_version

NAME_MAX = 200
# A control point further than this share of the map's width from where the others put it is likely
# typed or clicked wrong (a town-centre map 1 km wide: 20 m).
SUSPICIOUS_SHARE = 0.02

_touchpoints = table("touchpoints", column("id"), column("name"), column("organisation_id"), column("map_id"))


@dataclass
class MapUse:
    """What points at one map: place questions as (survey id, survey title, question id, prompt), and
    touchpoints placed on it as (id, name)."""
    questions: list[tuple[int, str, int, str]] = field(default_factory=list)
    touchpoints: list[tuple[int, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.questions or self.touchpoints)


def maps_of(session, organisation_id: int) -> list[SurveyMap]:
    """The organisation's maps by name (pictures not loaded)."""
    return list(session.scalars(select(SurveyMap).where(SurveyMap.organisation_id == organisation_id)
                                .order_by(func.lower(SurveyMap.name), SurveyMap.id)))


def uses(session, organisation_id: int) -> dict[int, MapUse]:
    """Map id -> what uses it, for every map of the organisation that something uses."""
    found: dict[int, MapUse] = {}
    rows = session.execute(select(Survey.id, Survey.title, Question.id, Question.prompt, Question.kind,
                                  Question.settings).join(Survey, Survey.id == Question.survey_id)
                           .where(Survey.organisation_id == organisation_id).order_by(Survey.title, Question.position))
    for survey_id, title, question_id, prompt, kind, settings in rows:
        if kind in KINDS and KINDS[kind].has_map and isinstance((settings or {}).get("map_id"), int):
            found.setdefault(settings["map_id"], MapUse()).questions.append((survey_id, title, question_id, prompt))
    for touchpoint_id, name, map_id in session.execute(
            select(_touchpoints.c.id, _touchpoints.c.name, _touchpoints.c.map_id)
            .where(_touchpoints.c.organisation_id == organisation_id, _touchpoints.c.map_id.is_not(None))
            .order_by(_touchpoints.c.name)):
        found.setdefault(map_id, MapUse()).touchpoints.append((touchpoint_id, name))
    return found


def name_problem(session, organisation_id: int, name: str, map_id: int | None = None) -> str | None:
    """Why `name` cannot name a map of the organisation (empty, too long, or another map's), or None.
    Names must differ: staff pick a map by its name in the question editor."""
    name = name.strip()
    if not name:
        return _("Give the map a name.")
    if len(name) > NAME_MAX:
        return _("The name can be at most %(max)d characters.", max=NAME_MAX)
    # Compared in Python: SQLite's lower() knows only A–Z, and "Åen" and "åen" are one name.
    taken = any(other.casefold() == name.casefold() for other in session.scalars(select(SurveyMap.name).where(
        SurveyMap.organisation_id == organisation_id, SurveyMap.id != (map_id or 0))))
    return _("You already have a map called “%(name)s”. Give this one another name.", name=name) if taken else None


def free_name(session, organisation_id: int, name: str) -> str:
    """`name`, or `name (2)`, `name (3)` … whichever none of the organisation's maps has."""
    candidate, n = name, 1
    while name_problem(session, organisation_id, candidate):
        n += 1
        candidate = f"{name[:NAME_MAX - 8]} ({n})"
    return candidate


def replace_picture(session, survey_map: SurveyMap, data: bytes) -> bool:
    """Put a new picture of the same place in the map's stead; points, areas and control points stay as
    shares of its width and height. True when the new picture has another shape (height over width
    differs by more than 2 %), so staff should check the areas and the georeference.

    :raise MapProblem: as surveys.maps.clean_map; the map is then unchanged.
    """
    cleaned, width, height = clean_map(data)
    old_aspect = survey_map.aspect
    survey_map.data, survey_map.width, survey_map.height = cleaned, width, height
    survey_map.version = new_version()
    touch_surveys(session, survey_map)
    session.flush()
    return abs(height / width - old_aspect) > 0.02 * old_aspect


def delete_map(session, survey_map: SurveyMap) -> None:
    """:raise MapProblem: while a question or a touchpoint uses the map, saying how many."""
    use = uses(session, survey_map.organisation_id).get(survey_map.id)
    if use:
        raise MapProblem(_("“%(name)s” cannot be deleted: it is used by %(what)s. Give them another map first.",
                           name=survey_map.name, what=describe(use)))
    session.delete(survey_map)
    session.flush()


def describe(use: MapUse) -> str:
    """"2 questions and 1 touchpoint", translated."""
    questions = use.questions and ngettext("%(num)d question", "%(num)d questions", len(use.questions))
    touchpoints = use.touchpoints and ngettext("%(num)d touchpoint", "%(num)d touchpoints", len(use.touchpoints))
    if questions and touchpoints:
        return _("%(questions)s and %(touchpoints)s", questions=questions, touchpoints=touchpoints)
    return questions or touchpoints or ""


def set_control_points(session, survey_map: SurveyMap, points: list[dict]) -> None:
    """Points checked by surveys.maps.parse_control_points; [] removes the georeference. The answering
    screens do not show it, so the surveys on the map keep their version stamps."""
    survey_map.control_points = points
    session.flush()


def corner_points(north: float, west: float, south: float, east: float) -> list[dict]:
    """The four corners of a north-up map whose top edge is at latitude `north`, its left edge at
    longitude `west` and so on, as control points. Four, not two: a picture need not have the same
    scale across as down, and the fit through four corners allows that.

    :raise MapProblem: when a number is out of range or the top is not north of the bottom, or the
        left edge not west of the right.
    """
    if not (-90 <= south < north <= 90):
        raise MapProblem(_("The top edge must be north of the bottom edge: its latitude must be larger "
                           "(and both between −90 and 90)."))
    if not (-180 <= west < east <= 180):
        raise MapProblem(_("The left edge must be west of the right edge: its longitude must be smaller "
                           "(and both between −180 and 180)."))
    return [{"x": 0.0, "y": 0.0, "lat": north, "lon": west}, {"x": 1.0, "y": 0.0, "lat": north, "lon": east},
            {"x": 1.0, "y": 1.0, "lat": south, "lon": east}, {"x": 0.0, "y": 1.0, "lat": south, "lon": west}]


@dataclass
class Fit:
    """How well a map's control points agree: metres between each point and where the fit through all
    of them puts it, the map's width in metres, and the points that are far off."""
    georeference: Georeference
    errors: list[float]
    width_m: float

    @property
    def exact(self) -> bool:
        """Two points always fit exactly: nothing can be checked."""
        return len(self.errors) == 2

    @property
    def width_text(self) -> str:
        return length_text(self.width_m)

    @property
    def residual_text(self) -> str:
        return length_text(self.georeference.residual)

    def error_text(self, n: int) -> str:
        """How far point n (from 1) is off, in words."""
        return length_text(self.errors[n - 1])

    @property
    def suspicious(self) -> list[int]:
        """Numbers (from 1) of the points further off than SUSPICIOUS_SHARE of the map's width."""
        limit = max(SUSPICIOUS_SHARE * self.width_m, 1.0)
        return [n for n, error in enumerate(self.errors, start=1) if error > limit]


def fit_of(control_points: list[dict], aspect: float = 1.0) -> Fit | None:
    """The fit of these control points, or None when they give no georeference."""
    georeference = Georeference.fit(control_points or [], aspect)
    if georeference is None:
        return None
    errors = [distance(georeference.lat_lon(p["x"], p["y"]), (p["lat"], p["lon"])) for p in control_points]
    width = distance(georeference.lat_lon(0.0, 0.5), georeference.lat_lon(1.0, 0.5))
    return Fit(georeference, errors, width)


def length_text(metres: float) -> str:
    """"850 m", "1,2 km" (in the reader's language)."""
    if metres >= 1000:
        return _("%(km)s km", km=format_decimal(round(metres / 1000, 1)))
    return _("%(m)s m", m=format_decimal(round(metres)))


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two (lat, lon) points a town apart (flat earth: under a metre off at 10 km)."""
    lat = math.radians((a[0] + b[0]) / 2)
    north = math.radians(a[0] - b[0]) * EARTH_RADIUS
    east = math.radians(a[1] - b[1]) * EARTH_RADIUS * math.cos(lat)
    return math.hypot(north, east)
