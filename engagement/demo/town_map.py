"""The demo's map: a sketch of Vordingborg's town centre, drawn here with Pillow when the demo is seeded.

Nothing is loaded from the internet and no picture is kept in the repository: `draw()` paints the
streets, squares, the castle ruin and the harbour from the few shapes below, labelled in Danish.
It is a sketch, and says so on the picture ("Skitse – ikke målfast"): the streets are simplified and
the town between them is left out.

The drawing is laid out on a flat frame of latitude and longitude (FRAME), so a place drawn at its
latitude and longitude is where the georeference (`CONTROL_POINTS`) says it is. The coordinates of
the landmarks are APPROXIMATE, from public descriptions of the town rather than a survey: exported
points fall in the right part of town (give or take a street), which is what a demo needs, and
nothing more should be read into them.
"""
import functools
import io
import math
import os
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from surveys.maps import SurveyMap, store_map

NAME = "Vordingborg bymidte"
WIDTH, HEIGHT = 1200, 1045
SCALE = 2  # drawn twice as large, then shrunk: smooth lines and letters without anti-aliasing of its own
FONT_DIR = "/usr/share/fonts/truetype/dejavu"


@dataclass(frozen=True)
class Frame:
    """The part of the earth the picture shows, north up: a flat, equal-scale frame (1 px ≈ 1.28 m)."""
    north: float = 55.0140
    south: float = 55.0020
    west: float = 11.8985
    east: float = 11.9225

    def pixel(self, lat: float, lon: float) -> tuple[float, float]:
        return ((lon - self.west) / (self.east - self.west) * WIDTH,
                (self.north - lat) / (self.north - self.south) * HEIGHT)


FRAME = Frame()

# Landmarks at their APPROXIMATE latitude and longitude (see the module's docstring), and as pixels.
COORDINATES = {
    "station": (55.0117, 11.9060),
    "gymnasium": (55.0131, 11.9020),
    "church": (55.0088, 11.9088),
    "slotstorvet": (55.0073, 11.9108),
    "goose_tower": (55.0060, 11.9092),
    "algade_12": (55.0075, 11.9122),
    "library": (55.0087, 11.9160),
    "brotorvet": (55.0082, 11.9190),
    "youth_club": (55.0100, 11.9195),
    "skate_park": (55.0042, 11.9138),
    "harbour": (55.0032, 11.9172),
}
LANDMARKS = {name: FRAME.pixel(lat, lon) for name, (lat, lon) in COORDINATES.items()}

# The georeference: four recognisable places (the station, the Goose Tower, the harbour, the church),
# with the same approximate coordinates.
CONTROL_POINTS = [{"x": round(LANDMARKS[name][0] / WIDTH, 5), "y": round(LANDMARKS[name][1] / HEIGHT, 5),
                   "lat": COORDINATES[name][0], "lon": COORDINATES[name][1]}
                  for name in ("station", "goose_tower", "harbour", "church")]


def share(x: float, y: float) -> tuple[float, float]:
    """A pixel of the drawing as shares of the map (what answers and touchpoints store)."""
    return round(x / WIDTH, 5), round(y / HEIGHT, 5)


# -- what is drawn, in pixels of the WIDTH × HEIGHT picture --------------------------------------------

LAND, TOWN, GRASS, WATER, QUAY = "#f1efe6", "#e4ddcf", "#cfe3c0", "#a9cbe6", "#d9d4c8"
STREET, STREET_EDGE, SQUARE = "#ffffff", "#a39e94", "#f4e7c4"
INK, WATER_INK, BRICK, RAIL = "#222222", "#1f4e79", "#a23b2a", "#4a4a4a"

COAST = [(0, 640), (120, 700), (250, 760), (380, 800), (470, 812), (600, 806), (660, 840), (700, 900),
         (800, 905), (850, 890), (850, 905), (1000, 905), (1000, 880), (1200, 860), (1200, 1045), (0, 1045)]
HARBOUR_BASIN = [(862, 905), (988, 905), (988, 985), (862, 985)]  # quays drawn around it
RUIN = [(440, 640), (560, 622), (640, 650), (655, 740), (600, 790), (470, 798), (430, 720)]
TOWN_BLOCKS = [
    [(430, 300), (600, 285), (620, 420), (560, 430), (450, 420)],
    [(650, 300), (980, 290), (1000, 420), (890, 440), (650, 430)],
    [(1010, 300), (1200, 310), (1200, 460), (1060, 470)],
    [(650, 470), (790, 450), (800, 520), (690, 545)],
    [(690, 600), (830, 570), (840, 760), (700, 800), (680, 700)],
    [(880, 560), (1020, 535), (1030, 800), (890, 820)],
    [(1060, 520), (1200, 500), (1200, 840), (1070, 850)],
    [(230, 330), (400, 330), (420, 560), (250, 620), (150, 560)],
]
STREETS = {  # name (or "" for an unnamed street) → line; Algade is the main, pedestrian street
    "Algade": [LANDMARKS["slotstorvet"], (720, 560), (830, 540), LANDMARKS["brotorvet"]],
    "Havnegade": [(845, 537), (858, 700), (868, 880)],
    "": [(1025, 512), (1200, 490)],
}
MINOR_STREETS = [
    [LANDMARKS["slotstorvet"], (585, 470), (540, 360), (470, 262), (375, 258)],
    [(0, 450), (250, 460), (430, 440), (640, 440), (1200, 455)],
    [(1025, 512), (1040, 470), (1040, 300)],
    [(660, 440), (650, 260)],
    [(1040, 600), (1045, 860)],
    [(0, 270), (200, 260), (470, 260)],
    [(580, 590), (470, 560), (300, 600), (130, 640)],
]
RAILWAY = [(0, 195), (300, 205), (600, 214), (900, 232), (1200, 280)]


@functools.cache  # the same picture every time: drawn once per process, however often the demo is seeded
def draw() -> bytes:
    """The map as a PNG, WIDTH × HEIGHT pixels."""
    picture = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), LAND)
    pen = Pen(picture)
    draw_ground(pen)
    draw_streets(pen)
    draw_places(pen)
    draw_labels(pen)
    draw_frame(pen)
    out = io.BytesIO()
    # Quickly compressed: store_map encodes it again anyway.
    picture.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).save(out, "PNG", compress_level=1)
    return out.getvalue()


class Pen:
    """ImageDraw in the picture's own pixels (it draws SCALE times larger)."""

    def __init__(self, picture: Image.Image):
        self.picture = picture
        self.draw = ImageDraw.Draw(picture)

    @staticmethod
    def points(points):
        return [(x * SCALE, y * SCALE) for x, y in points]

    def polygon(self, points, fill, outline=None, width=1):
        self.draw.polygon(self.points(points), fill=fill, outline=outline, width=width * SCALE)

    def line(self, points, fill, width):
        self.draw.line(self.points(points), fill=fill, width=round(width * SCALE), joint="curve")
        for x, y in points[:1] + points[-1:]:  # round ends, so streets meet without notches
            self.dot((x, y), width / 2, fill)

    def dot(self, centre, radius, fill, outline=None, width=0):
        x, y = centre
        self.draw.ellipse(self.points([(x - radius, y - radius), (x + radius, y + radius)]), fill=fill,
                          outline=outline, width=round(width * SCALE))

    def text(self, centre, words, size, fill=INK, bold=False, serif=False, halo=4, anchor="mm"):
        x, y = centre
        self.draw.multiline_text((x * SCALE, y * SCALE), words, font=font(size, bold, serif), fill=fill,
                                 anchor=anchor, align="center", spacing=2 * SCALE,
                                 stroke_width=halo * SCALE, stroke_fill="white" if halo else None)

    def along(self, start, end, words, size):
        """A street's name written along it (from left to right, or upwards)."""
        (x1, y1), (x2, y2) = start, end
        angle = -math.degrees(math.atan2(y2 - y1, x2 - x1))
        if angle > 90 or angle <= -90:
            angle += 180 if angle <= -90 else -180
        letters = font(size, bold=True)
        left, top, right, bottom = letters.getbbox(words, stroke_width=3 * SCALE)
        label = Image.new("RGBA", (right - left + 8, bottom - top + 8), (0, 0, 0, 0))
        ImageDraw.Draw(label).text((4 - left, 4 - top), words, font=letters, fill="#3c3a36",
                                   stroke_width=3 * SCALE, stroke_fill="white")
        label = label.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
        cx, cy = (x1 + x2) / 2 * SCALE, (y1 + y2) / 2 * SCALE
        self.picture.paste(label, (round(cx - label.width / 2), round(cy - label.height / 2)), label)


_fonts: dict = {}


def font(size: int, bold: bool = False, serif: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu (Debian's fonts-dejavu-core: æ, ø and å), else Pillow's own font; at SCALE."""
    key = (size, bold, serif)
    if key not in _fonts:
        name = f"DejaVu{'Serif' if serif else 'Sans'}{'-Bold' if bold else ''}.ttf"
        path = os.path.join(FONT_DIR, name)
        _fonts[key] = (ImageFont.truetype(path, size * SCALE) if os.path.exists(path)
                       else ImageFont.load_default(size=size * SCALE))
    return _fonts[key]


def draw_ground(pen: Pen) -> None:
    for block in TOWN_BLOCKS:
        pen.polygon(block, TOWN)
    pen.polygon(RUIN, GRASS, outline="#7a9a62", width=3)
    pen.polygon(COAST, WATER)
    # The quays of Nordhavnen around its basin, and the basin itself.
    pen.polygon([(850, 880), (1000, 880), (1000, 990), (850, 990)], QUAY)
    pen.polygon(HARBOUR_BASIN, WATER)
    pen.polygon([(900, 985), (950, 985), (950, 1045), (900, 1045)], WATER)  # the harbour mouth
    pen.line([(0, 640), (120, 700), (250, 760), (380, 800), (470, 812), (600, 806), (660, 840), (700, 900),
              (850, 905)], "#7fa9cc", 3)


def draw_streets(pen: Pen) -> None:
    for line in MINOR_STREETS:
        pen.line(line, STREET_EDGE, 16)
    for line in STREETS.values():
        pen.line(line, STREET_EDGE, 26)
    for line in MINOR_STREETS:
        pen.line(line, STREET, 11)
    for line in STREETS.values():
        pen.line(line, STREET, 20)
    # The railway: a dark line with sleepers.
    pen.line(RAILWAY, RAIL, 6)
    for (x1, y1), (x2, y2) in zip(RAILWAY, RAILWAY[1:], strict=False):
        steps = int(((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 // 22)
        for n in range(steps):
            x, y = x1 + (x2 - x1) * n / steps, y1 + (y2 - y1) * n / steps
            pen.line([(x, y - 7), (x, y + 7)], RAIL, 3)


def draw_places(pen: Pen) -> None:
    for name, (w, h) in (("slotstorvet", (70, 38)), ("brotorvet", (48, 34))):
        x, y = LANDMARKS[name]
        pen.polygon([(x - w, y - h), (x + w, y - h), (x + w, y + h), (x - w, y + h)], SQUARE, STREET_EDGE, 2)
    x, y = LANDMARKS["church"]
    pen.polygon([(x - 80, y - 42), (x + 80, y - 42), (x + 80, y + 42), (x - 80, y + 42)], SQUARE, STREET_EDGE, 2)
    pen.polygon([(x - 46, y - 14), (x + 30, y - 14), (x + 30, y + 14), (x - 46, y + 14)], BRICK)  # the nave
    pen.polygon([(x + 30, y - 20), (x + 52, y - 20), (x + 52, y + 20), (x + 30, y + 20)], BRICK)  # the tower
    x, y = LANDMARKS["station"]
    pen.polygon([(x - 52, y + 12), (x + 52, y + 12), (x + 52, y + 40), (x - 52, y + 40)], BRICK)
    x, y = LANDMARKS["gymnasium"]
    pen.polygon([(x - 70, y - 26), (x + 70, y - 26), (x + 70, y + 26), (x - 70, y + 26)], "#c9bfae", STREET_EDGE, 2)
    # The ring wall of the castle, and the Goose Tower: a round brick tower.
    pen.line(RUIN + RUIN[:1], "#8c8578", 5)
    pen.dot(LANDMARKS["goose_tower"], 17, BRICK, outline="white", width=3)
    x, y = LANDMARKS["skate_park"]
    pen.polygon([(x - 44, y - 28), (x + 44, y - 28), (x + 44, y + 28), (x - 44, y + 28)], "#c7c7c7", "#6d6d6d", 3)
    pen.draw.arc(pen.points([(x - 34, y - 22), (x + 34, y + 46)]), 180, 360, fill="#6d6d6d", width=4 * SCALE)
    for name, colour in (("library", "#3f6fa8"), ("youth_club", "#7a4fa0"), ("algade_12", "#c2571a")):
        pen.dot(LANDMARKS[name], 10, colour, outline="white", width=3)


def draw_labels(pen: Pen) -> None:
    pen.along(*STREETS["Algade"][1:3], "Algade", 26)
    pen.along((858, 650), (866, 800), "Havnegade", 24)
    pen.text((465, 185), "Jernbanen", 19, fill=RAIL, halo=3)
    pen.text((LANDMARKS["station"][0], LANDMARKS["station"][1] + 70), "Vordingborg\nStation", 26, bold=True)
    pen.text((LANDMARKS["gymnasium"][0] + 10, LANDMARKS["gymnasium"][1] - 50), "Vordingborg Gymnasium", 22, bold=True)
    pen.text((LANDMARKS["church"][0], LANDMARKS["church"][1] - 62), "Vor Frue Kirke", 26, bold=True)
    pen.text((LANDMARKS["church"][0], LANDMARKS["church"][1] + 60), "Kirketorvet", 22)
    pen.text((LANDMARKS["slotstorvet"][0] + 4, LANDMARKS["slotstorvet"][1]), "Slotstorvet", 24, bold=True)
    pen.text((LANDMARKS["brotorvet"][0], LANDMARKS["brotorvet"][1] - 52), "Brotorvet", 26, bold=True)
    pen.text((LANDMARKS["goose_tower"][0], LANDMARKS["goose_tower"][1] + 38), "Gåsetårnet", 26, bold=True)
    pen.text((555, 770), "Borgruinen", 22, fill="#3d5a2a")
    pen.text((LANDMARKS["skate_park"][0], LANDMARKS["skate_park"][1] - 46), "Skateparken", 26, bold=True)
    pen.text((LANDMARKS["library"][0], LANDMARKS["library"][1] - 30), "Biblioteket", 22)
    pen.text((LANDMARKS["youth_club"][0], LANDMARKS["youth_club"][1] - 30), "Ungdomsklubben", 22)
    pen.text((LANDMARKS["algade_12"][0] + 4, LANDMARKS["algade_12"][1] - 30), "Algade 12", 20)
    pen.text((925, 950), "Nordhavnen", 26, bold=True)
    pen.text((330, 930), "Masnedsund", 36, fill=WATER_INK, serif=True, halo=0)
    pen.text((1185, 1015), "Sydhavnen →", 22, fill=WATER_INK, halo=3, anchor="rm")


def draw_frame(pen: Pen) -> None:
    # The title, and what the map is not.
    pen.polygon([(740, 14), (1186, 14), (1186, 112), (740, 112)], "white", "#555555", 2)
    pen.text((963, 48), NAME, 34, bold=True, halo=0)
    pen.text((963, 90), "Skitse – ikke målfast", 20, fill="#444444", halo=0)
    # A north arrow over the water, bottom left.
    x, y = 70, 960
    pen.dot((x, y), 46, "white", outline="#555555", width=2)
    pen.polygon([(x, y - 36), (x + 16, y + 14), (x, y + 4), (x - 16, y + 14)], INK)
    pen.text((x, y + 26), "N", 20, bold=True, halo=0)
    pen.polygon([(0, 0), (WIDTH - 1, 0), (WIDTH - 1, HEIGHT - 1), (0, HEIGHT - 1)], None, "#555555", 2)


# -- what the demo puts on the map ------------------------------------------------------------------------

def polygon(points) -> list[list[float]]:
    """Corners in pixels as an area's polygon in shares (Choice.shape)."""
    return [list(share(x, y)) for x, y in points]


def box(x1, y1, x2, y2) -> list[list[float]]:
    """A rectangle in pixels as an area's polygon in shares."""
    return polygon(((x1, y1), (x2, y1), (x2, y2), (x1, y2)))


# The place question's named areas, drawn around what they name; none overlaps another.
AREAS = [
    ("Torvet/Slotstorvet", box(540, 540, 690, 625)),
    ("Havnen", polygon(((848, 870), (1060, 850), (1060, 1000), (848, 1000)))),
    ("Skateparken", box(700, 815, 800, 895)),
    ("Algade", polygon(((690, 540), (830, 515), (985, 490), (985, 540), (835, 565), (690, 590)))),
    ("Stationen", box(300, 170, 460, 260)),
    ("Gåsetårnet/borgruinen", polygon(RUIN)),
]

# Where the demo's touchpoints are: their posters hang at these places.
TOUCHPOINT_SPOTS = {
    "Skateparken ved Havnen": LANDMARKS["skate_park"],
    "Vordingborg Gymnasium, kantinen": LANDMARKS["gymnasium"],
    "Ungdomsklubben Fristedet": LANDMARKS["youth_club"],
    "Vinduet i Algade 12": LANDMARKS["algade_12"],
    "Døren til Algade 12": (LANDMARKS["algade_12"][0] + 6, LANDMARKS["algade_12"][1] + 8),
    "Biblioteket, indgangen": LANDMARKS["library"],
}


def seed_map(session, organisation_id: int) -> SurveyMap:
    """The drawing stored as the organisation's map, as an upload is (cleaned, as WebP), georeferenced."""
    survey_map = store_map(session, organisation_id, NAME, draw())
    survey_map.control_points = CONTROL_POINTS
    session.flush()
    return survey_map


def place_of(name: str, survey_map: SurveyMap) -> dict:
    """A demo touchpoint's place on the map and its (approximate) latitude and longitude, as the
    touchpoint's values (engagement.touchpoints.services.TouchpointValues)."""
    x, y = share(*TOUCHPOINT_SPOTS[name])
    lat, lon = survey_map.georeference.lat_lon(x, y)
    return {"map_id": survey_map.id, "map_x": x, "map_y": y, "latitude": round(lat, 6), "longitude": round(lon, 6)}


# -- where the demo's young people say they meet ----------------------------------------------------------

@dataclass(frozen=True)
class MeetingPlace:
    """Where a share (`weight`) of the crowd puts its points: around the place `at` (pixels), or along the
    street `along`, most within `spread` pixels; with what some of them write."""
    weight: int
    spread: float
    comments: tuple[str, ...]
    at: tuple[float, float] | None = None
    along: tuple[tuple[float, float], ...] = ()


MEETING_PLACES = (
    MeetingPlace(30, 16, ("Vi skater her næsten hver dag", "Her er plads til os",
                          "Der mangler tag over rampen, så man kan skate når det regner",
                          "Om aftenen når de små er gået hjem 🛹"), at=LANDMARKS["skate_park"]),
    MeetingPlace(24, 26, ("På bænkene ved vandet om sommeren", "Vi bader fra kajen 🌊", "Fedt når solen går ned",
                          "Der mangler lys om aftenen"), at=(925, 893)),
    MeetingPlace(14, 18, ("Vi mødes her, før vi går videre", "Der er altid nogen at snakke med", "Trapperne på torvet"),
                 at=(612, 585)),
    MeetingPlace(16, 8, ("Rundt i butikkerne", "Vi køber kage og sidder udenfor", "Foran pizzeriaet"),
                 along=(STREETS["Algade"][1], STREETS["Algade"][2], (985, 512))),
    MeetingPlace(9, 16, ("Mens vi venter på bussen", "Før toget hjem"), at=(378, 215)),
    MeetingPlace(10, 34, ("På græsset i borgruinen", "Vi sidder på volden og snakker"), at=(545, 715)),
    MeetingPlace(6, 10, ("På biblioteket efter skole",), at=LANDMARKS["library"]),
    MeetingPlace(6, 10, ("I klubben",), at=LANDMARKS["youth_club"]),
)
COMMENT_SHARE = 0.35
FROM_THE_LIST = 0.06  # pick a place from the list instead of marking it on the map


def meeting_points(rng, choices) -> list[str]:
    """What one young person's phone posts for "where do you meet your friends": one or two points
    ("p|x|y|comment", see surveys.kinds.MapPoint), or now and then a place picked from the list."""
    if rng.random() < FROM_THE_LIST:
        return [f"a|{rng.choice(choices).id}"]
    raw = []
    how_many = 1 if rng.random() < 0.6 else 2
    for place in rng.choices(MEETING_PLACES, [p.weight for p in MEETING_PLACES], k=how_many):
        x, y = point_near(rng, place)
        comment = rng.choice(place.comments) if rng.random() < COMMENT_SHARE else ""
        raw.append(f"p|{x:.4f}|{y:.4f}|{comment}")
    return raw


def point_near(rng, place: MeetingPlace) -> tuple[float, float]:
    """A point around the place (or along its street), as shares, kept on the map."""
    if place.along:
        n = rng.randrange(len(place.along) - 1)
        (x1, y1), (x2, y2), t = place.along[n], place.along[n + 1], rng.random()
        x, y = x1 + (x2 - x1) * t, y1 + (y2 - y1) * t
    else:
        x, y = place.at
    x, y = rng.gauss(x, place.spread), rng.gauss(y, place.spread)
    return min(max(x / WIDTH, 0.0), 1.0), min(max(y / HEIGHT, 0.0), 1.0)
