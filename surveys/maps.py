"""Maps of the town centre: the organisation's own picture of it, places on it, and its georeference.

A point on a map is kept as shares of the map's width and height (x from the left, y from the top,
both 0–1), so it does not depend on the size the picture is shown at. A named area is a polygon of
such points. When staff give the latitude and longitude of at least two known points of the picture
(its `control_points`), every point can also be given as real coordinates (`Georeference`).

Nothing here loads map tiles from the internet: the map is the picture staff upload, kept in the
database like option pictures, so that every app server can serve it.
"""
import io
import math
import threading
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError
from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db, utcnow
from surveys.models import new_version

MAX_SIDE = 2400  # detail enough to read street names when zoomed in on a phone
MAX_PIXELS = 40_000_000
FORMATS = ("PNG", "JPEG", "WEBP")
EARTH_RADIUS = 6_371_000.0  # metres


class SurveyMap(db.Model):
    """A picture of (part of) the town that place questions and touchpoints point at."""
    __tablename__ = "maps"

    id: Mapped[int] = mapped_column(primary_key=True)
    # By table name only: the survey engine does not import the engagement package.
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # only the picture routes read it
    # [{"x": share, "y": share, "lat": degrees, "lon": degrees}, …]: known points, for real coordinates.
    control_points: Mapped[list] = mapped_column(JSON, default=list)
    # A new stamp when the picture changes, so its addresses change and no cache shows the old one.
    version: Mapped[str] = mapped_column(String(16), default=lambda: new_version())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def aspect(self) -> float:
        """Height over width."""
        return self.height / self.width

    @property
    def georeference(self) -> "Georeference | None":
        return Georeference.fit(self.control_points or [], self.aspect)


class MapProblem(ValueError):
    """The upload or the georeference cannot be used; str(error) says why, translated."""


def clean_map(data: bytes) -> tuple[bytes, int, int]:
    """The picture re-encoded from its pixels only (no EXIF, GPS or camera data), upright, as WebP, at
    most MAX_SIDE pixels on its longest side: (data, width, height).

    :raise MapProblem: for other formats than PNG, JPEG and WebP, damaged files and decompression bombs.
    """
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                if picture.format not in FORMATS:
                    raise MapProblem(_("Use a map picture in PNG, JPEG or WebP."))
                picture = ImageOps.exif_transpose(picture)
                picture.thumbnail((MAX_SIDE, MAX_SIDE))
                picture = picture.convert("RGBA" if picture.mode in ("RGBA", "LA", "P") else "RGB")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise MapProblem(_("The picture has too many pixels. Use a smaller picture.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, MapProblem):
            raise
        raise MapProblem(_("The file is not a picture we can read. Use PNG, JPEG or WebP.")) from None
    if picture.mode == "RGBA":  # a transparent map is drawn on white, as it is printed
        flat = Image.new("RGB", picture.size, "white")
        flat.paste(picture, mask=picture.getchannel("A"))
        picture = flat
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=85, method=4)
    return out.getvalue(), picture.width, picture.height


def store_map(session, organisation_id: int, name: str, data: bytes) -> SurveyMap:
    """:raise MapProblem: as clean_map."""
    cleaned, width, height = clean_map(data)
    survey_map = SurveyMap(organisation_id=organisation_id, name=name.strip(), content_type="image/webp",
                           width=width, height=height, data=cleaned, control_points=[])
    session.add(survey_map)
    session.flush()
    return survey_map


# Points and areas ------------------------------------------------------------------------------------

def on_map(x, y) -> bool:
    """Whether (x, y) are finite shares of the map, edges included."""
    return all(isinstance(v, int | float) and math.isfinite(v) and 0.0 <= v <= 1.0 for v in (x, y))


def inside(x: float, y: float, polygon: list) -> bool:
    """Whether the point is inside the polygon [[x, y], …] (even-odd rule; a point on an edge may fall
    either side, but always the same side for the same numbers)."""
    result = False
    count = len(polygon)
    for i in range(count):
        (x1, y1), (x2, y2) = polygon[i], polygon[i - 1]
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            result = not result
    return result


def area_of(x: float, y: float, choices) -> int | None:
    """The id of the first option whose area (`Choice.shape`) contains the point, if any."""
    return next((c.id for c in choices if c.shape and inside(x, y, c.shape)), None)


def parse_shape(text: str) -> list[list[float]] | None:
    """An area typed as corner points in percent of the map, "x y, x y, x y …" (or two corners of a
    rectangle, "x y, x y"), as a polygon of shares; None for an empty text.

    :raise MapProblem: when it is not such a list or a point is off the map.
    """
    text = text.strip()
    if not text:
        return None
    try:
        points = [[float(v.replace("%", "")) / 100 for v in pair.split()] for pair in text.split(",")]
    except ValueError:
        points = []
    if len(points) < 2 or any(len(p) != 2 or not on_map(*p) for p in points):
        raise MapProblem(_("Write the corners in percent of the map, for example “10 20, 40 20, 40 60”."))
    if len(points) == 2:
        (x1, y1), (x2, y2) = points
        points = [[x1, y1], [x2, y1], [x2, y2], [x1, y2]]
    return [[round(x, 5), round(y, 5)] for x, y in points]


def format_shape(shape: list | None) -> str:
    """A polygon as parse_shape reads it."""
    return ", ".join(f"{_percent(x)} {_percent(y)}" for x, y in shape or [])


def _percent(share: float) -> str:
    return f"{share * 100:.2f}".rstrip("0").rstrip(".")


# Real coordinates --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Georeference:
    """Map shares to latitude and longitude: an affine fit (least squares) through the control points
    in a local flat projection, or, with two points, the similarity (shift, turn, scale; north up
    being mirrored from the picture's y down) that goes through both exactly. The picture's y is measured
    in widths (share of the height times `aspect`, height over width), so that a step across and a step down
    of the same length on the picture are the same distance on the ground."""
    lat0: float
    aspect: float
    # east (metres) = a*x + b*y + c, north (metres) = d*x + e*y + f
    a: float
    b: float
    c: float
    d: float
    e: float
    f: float
    residual: float  # the largest distance (metres) between a control point and where the fit puts it

    @classmethod
    def fit(cls, points: list[dict], aspect: float = 1.0) -> "Georeference | None":
        usable = [p for p in points if _control_point_ok(p)]
        if len(usable) < 2:
            return None
        lat0 = sum(p["lat"] for p in usable) / len(usable)
        xy = [(p["x"], p["y"] * aspect) for p in usable]
        en = [_project(p["lat"], p["lon"], lat0) for p in usable]
        if len(usable) == 2:
            coefficients = _similarity(xy, en)
        else:
            coefficients = _affine(xy, en)
        if coefficients is None:
            return None
        probe = cls(lat0, aspect, *coefficients, residual=0.0)
        residual = max(math.dist(probe._east_north(x, y / aspect), point)
                       for (x, y), point in zip(xy, en, strict=True))
        return cls(lat0, aspect, *coefficients, residual=residual)

    def _east_north(self, x: float, y: float) -> tuple[float, float]:
        y *= self.aspect
        return self.a * x + self.b * y + self.c, self.d * x + self.e * y + self.f

    def lat_lon(self, x: float, y: float) -> tuple[float, float]:
        """The latitude and longitude (degrees) of the point at shares (x, y)."""
        east, north = self._east_north(x, y)
        lat = math.degrees(north / EARTH_RADIUS)
        lon = math.degrees(east / (EARTH_RADIUS * math.cos(math.radians(self.lat0))))
        return round(lat, 7), round(lon, 7)

    def shares(self, lat: float, lon: float) -> tuple[float, float]:
        """Where latitude and longitude fall on the map, as shares (may be off the map)."""
        east, north = _project(lat, lon, self.lat0)
        det = self.a * self.e - self.b * self.d
        east, north = east - self.c, north - self.f
        return (self.e * east - self.b * north) / det, (self.a * north - self.d * east) / det / self.aspect


def _control_point_ok(point) -> bool:
    try:
        return (on_map(point["x"], point["y"]) and -90 <= point["lat"] <= 90 and -180 <= point["lon"] <= 180)
    except (KeyError, TypeError):
        return False


def _project(lat: float, lon: float, lat0: float) -> tuple[float, float]:
    return (math.radians(lon) * EARTH_RADIUS * math.cos(math.radians(lat0)), math.radians(lat) * EARTH_RADIUS)


def _similarity(xy, en):
    """Through two points: east + i*north = s * (x - i*y) + t, with s and t complex."""
    (x1, y1), (x2, y2) = xy
    z1, z2 = complex(x1, -y1), complex(x2, -y2)
    w1, w2 = complex(*en[0]), complex(*en[1])
    if abs(z2 - z1) < 1e-9:
        return None
    s = (w2 - w1) / (z2 - z1)
    t = w1 - s * z1
    # east = Re(s)*x + Im(s)*y + Re(t); north = Im(s)*x - Re(s)*y + Im(t)
    return s.real, s.imag, t.real, s.imag, -s.real, t.imag


def _affine(xy, en):
    """Least squares through three or more points; None when they lie on one line."""
    rows = [(x, y, 1.0) for x, y in xy]
    normal = [[sum(r[i] * r[j] for r in rows) for j in range(3)] for i in range(3)]
    solved = []
    for k in range(2):
        rhs = [sum(r[i] * target[k] for r, target in zip(rows, en, strict=True)) for i in range(3)]
        solution = _solve3(normal, rhs)
        if solution is None:
            return None
        solved += solution
    return tuple(solved)


def _solve3(matrix, rhs):
    det = _det3(matrix)
    if abs(det) < 1e-12:
        return None
    out = []
    for column in range(3):
        replaced = [[rhs[r] if c == column else matrix[r][c] for c in range(3)] for r in range(3)]
        out.append(_det3(replaced) / det)
    return out


def _det3(m) -> float:
    return (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))


def parse_control_points(rows: list[tuple[str, str, str, str]]) -> list[dict]:
    """Control points typed by staff as (x %, y %, latitude, longitude) rows; rows left empty are skipped.

    :raise MapProblem: for a half-filled row, a number that is not one, a point off the map, or points
        that give no georeference (fewer than two, or all in one place or on one line).
    """
    points = []
    for number, row in enumerate(rows, start=1):
        if not any(v.strip() for v in row):
            continue
        try:
            x, y, lat, lon = (float(v.strip().replace(",", ".").replace("%", "")) for v in row)
        except ValueError:
            raise MapProblem(_("Point %(n)s: fill in all four numbers.", n=number)) from None
        point = {"x": x / 100, "y": y / 100, "lat": lat, "lon": lon}
        if not _control_point_ok(point):
            raise MapProblem(_("Point %(n)s: x and y are 0–100 %% of the map, latitude −90 to 90 and "
                               "longitude −180 to 180.", n=number))
        points.append(point)
    if points and Georeference.fit(points) is None:  # whether they fit does not depend on the aspect
        raise MapProblem(_("Give at least two points in different places (three or more not on one line)."))
    return points


# The picture a phone without JavaScript taps on ---------------------------------------------------------

TAP_WIDTH = 288  # CSS pixels: the tap picture's fixed width (fits a 320 px screen), see public.css
ZOOM = 3  # a tap on the whole map shows a third of it, three times as large
PIN_COLOUR = (176, 65, 62)


@dataclass(frozen=True)
class View:
    """The part of the map a no-JavaScript screen shows: its top-left corner and side, as shares."""
    x: float = 0.0
    y: float = 0.0
    size: float = 1.0

    @property
    def whole(self) -> bool:
        return self.size >= 1.0

    @classmethod
    def around(cls, x: float, y: float) -> "View":
        """The zoomed view centred on (x, y), moved inside the map."""
        size = 1 / ZOOM
        return cls(round(min(max(x - size / 2, 0.0), 1 - size), 4), round(min(max(y - size / 2, 0.0), 1 - size), 4),
                   round(size, 4))

    @classmethod
    def parse(cls, text: str) -> "View":
        """From its text (`str(view)`); the whole map for anything else."""
        try:
            x, y, size = (float(v) for v in text.split())
        except ValueError:
            return cls()
        if not (on_map(x, y) and 0.05 <= size <= 1 and x + size <= 1.0001 and y + size <= 1.0001):
            return cls()
        return cls(x, y, size)

    def __str__(self) -> str:
        return f"{self.x:g} {self.y:g} {self.size:g}"

    def share(self, px: float, py: float, aspect: float) -> tuple[float, float]:
        """Where a tap at CSS pixels (px, py) on this view's TAP_WIDTH-wide picture is on the map."""
        return self.x + px / TAP_WIDTH * self.size, self.y + py / (TAP_WIDTH * aspect) * self.size


_decoded: OrderedDict = OrderedDict()
_decoded_lock = threading.Lock()


def _pictures(survey_map: SurveyMap) -> tuple[Image.Image, Image.Image]:
    """The decoded map and the whole of it at the tap picture's size, kept per worker for the few maps
    in use: the whole map, which every screen starts with, is then only pins on a copy."""
    key = (survey_map.id, survey_map.version)
    with _decoded_lock:
        if key in _decoded:
            _decoded.move_to_end(key)
            return _decoded[key]
    with Image.open(io.BytesIO(survey_map.data)) as opened:
        picture = opened.convert("RGB")
    whole = picture.resize(_tap_size(survey_map), Image.Resampling.LANCZOS, reducing_gap=3.0)
    with _decoded_lock:
        _decoded[key] = picture, whole
        while len(_decoded) > 3:  # decoded, a 2400 px map is about 17 MB: a worker keeps the few in use
            _decoded.popitem(last=False)
    return picture, whole


def _tap_size(survey_map: SurveyMap) -> tuple[int, int]:
    width = TAP_WIDTH * 2  # twice the CSS width: sharp on phone screens
    return width, max(1, round(width * survey_map.aspect))


def view_picture(survey_map: SurveyMap, view: View, pins: list[tuple[float, float]]) -> bytes:
    """The part `view` of the map at twice TAP_WIDTH, with numbered pins, as WebP."""
    picture, whole = _pictures(survey_map)
    width, height = _tap_size(survey_map)
    if view.whole:
        out = whole.copy()
    else:
        box = (view.x * picture.width, view.y * picture.height,
               (view.x + view.size) * picture.width, (view.y + view.size) * picture.height)
        out = picture.resize((width, height), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    draw = ImageDraw.Draw(out)
    radius = 24 if view.whole else 18  # picture pixels, half as many CSS pixels: big enough to see on a phone
    font = ImageFont.load_default(size=round(radius * 1.3))
    for number, (x, y) in enumerate(pins, start=1):
        cx, cy = (x - view.x) / view.size * width, (y - view.y) / view.size * height
        if -20 <= cx <= width + 20 and -20 <= cy <= height + 20:
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=PIN_COLOUR, outline="white",
                         width=4)
            draw.text((cx, cy), str(number), fill="white", font=font, anchor="mm")
    if not view.whole:  # a thin frame says "this is a part"
        draw.rectangle((0, 0, width - 1, height - 1), outline=(40, 40, 40), width=2)
    buffer = io.BytesIO()
    out.save(buffer, "WEBP", quality=80, method=2)
    return buffer.getvalue()


# What a place question's screen shows -------------------------------------------------------------------

@dataclass
class PlaceScreen:
    """A place question's screen, from what its field holds (the kind's strings, see kinds.MapPoint)."""
    survey_map: SurveyMap | None
    view: View
    points: list[dict]  # {"x", "y", "comment", "area"}: numbered from 1 on the map, in this order
    picked: set[str]  # option ids picked from the list, as text
    moving: int | None  # the point being moved (0 first)

    @property
    def tap_height(self) -> int:
        return round(TAP_WIDTH * self.survey_map.aspect) if self.survey_map else TAP_WIDTH

    @property
    def pins(self) -> str:
        """The points for the tap picture's address: "x,y;x,y"."""
        return ";".join(f"{p['x']:g},{p['y']:g}" for p in self.points)


def place_screen(session, question, raw) -> PlaceScreen:
    survey_map = map_of(session, question)
    view, points, picked, moving = View(), [], set(), None
    labels = {c.id: c.label for c in question.choices}
    for item in raw:
        tag, _sep, rest = item.partition("|")
        if tag == "v":
            view = View.parse(rest)
        elif tag == "m" and rest.isdigit():
            moving = int(rest)
        elif tag == "a":
            picked.add(rest)
        elif tag == "p":
            x, _sep, rest = rest.partition("|")
            y, _sep, comment = rest.partition("|")
            try:
                x, y = float(x), float(y)
            except ValueError:
                continue
            if on_map(x, y):
                points.append({"x": x, "y": y, "comment": comment,
                               "area": labels.get(area_of(x, y, question.choices))})
    if moving is not None and moving >= len(points):
        moving = None
    return PlaceScreen(survey_map, view, points, picked, moving)


def map_of(session, question) -> SurveyMap | None:
    """The map a place question is asked on (its picture not loaded)."""
    map_id = question.setting("map_id")
    return session.get(SurveyMap, map_id) if isinstance(map_id, int) else None


def parse_pins(text: str, limit: int = 20) -> list[tuple[float, float]]:
    """Pins from a tap picture's address ("x,y;x,y"); anything else is left out."""
    pins = []
    for pair in text.split(";")[:limit]:
        try:
            x, y = (float(v) for v in pair.split(","))
        except ValueError:
            continue
        if on_map(x, y):
            pins.append((x, y))
    return pins


def touch_surveys(session, survey_map: SurveyMap) -> None:
    """Give every survey with a question on this map a new version stamp: their kept structures and
    rendered screens (which hold the map's address and size) are then made again."""
    from sqlalchemy import select, update

    from surveys.models import Question, Survey

    ids = [survey_id for survey_id, settings in session.execute(
        select(Question.survey_id, Question.settings).join(Survey).where(
            Survey.organisation_id == survey_map.organisation_id))
        if (settings or {}).get("map_id") == survey_map.id]
    if ids:
        session.execute(update(Survey).where(Survey.id.in_(ids)).values(version=new_version())
                        .execution_options(synchronize_session=False))
