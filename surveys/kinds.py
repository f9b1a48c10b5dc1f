"""The question kinds, in one registry keyed by a stable string.

Everything the rest of the app needs to know about a kind is asked of its
class here, never decided by its name elsewhere: the settings staff can give
it, whether it has options (and whether they carry pictures or can switch a
later question on), how a submitted form becomes a value (or a translated
`AnswerError`), how that value is stored as answer rows and shown again, how
answers are tallied and which figure draws them (`chart`), its export columns
and what a survey file may say about its options. Its template partial is
`templates/surveys/kinds/_<key>.html`. Adding a kind touches this file, one
partial and, for a new kind of figure, the results' charts.
`tests/surveys/test_kinds.py` fails when code elsewhere names a kind.
"""
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext


class AnswerError(ValueError):
    """The submitted answer cannot be stored; str(error) is the translated message."""


# Whole-number settings stay in bounds a person can answer within: a limit of -5 characters or
# 10**30 would make a required question impossible (or its field unusable).
MOST_OPTIONS = 100  # as many as a question can have
LONGEST_TEXT = 10_000
LARGEST_NUMBER = 1_000_000_000

# What a number question says when the answer is no number. A survey that writes a hint under its number
# question (the demo does) uses this same text, so the hint and the error give the same example.
NOT_A_NUMBER = _l("Write a number, for example 15.")


@dataclass(frozen=True)
class Setting:
    name: str
    type: str  # "int", "text", "bool" or "map" (the id of one of the organisation's maps)
    label: object
    default: object = None
    low: int | None = None  # "int" settings: the smallest and the largest value allowed
    high: int | None = None

    def allows(self, value) -> bool:
        """Whether `value` (not None) is in bounds; only "int" settings have bounds."""
        return self.type != "int" or self.low <= value <= self.high


class Kind:
    key = ""
    label = ""
    has_choices = False
    fewest_choices = 2  # a kind with options: how many it needs at least
    # Options the kind makes itself, in a fixed wording (yes/no); staff neither write nor remove them.
    fixed_choices: tuple = ()
    has_pictures = False  # each option may carry a picture (uploaded in the editor, kept in survey files)
    usable_in_show_if = False  # picking one of its options can switch a later question on
    several_per_response = False  # one person stores several rows, so results count people, not rows
    has_map = False  # asked on one of the organisation's maps (its setting "map_id")
    has_areas = False  # each option may be a named area of that map, a polygon (`Choice.shape`)
    chart = "text"  # the figure its results are drawn as (engagement's charts); "text" lists the answers
    # How rounds or periods are compared (surveys.comparison): "bars" (its options side by side), "line" (its
    # median across them), None (not compared).
    compared_as: str | None = None
    top_box: int | None = None  # the lowest value of the "top box" share shown beside the median (a scale: 4–5)
    # Its answers fall into a fixed list of options or values (choices, a scale's points), so its results can
    # be broken down by another such question and can break one down (surveys.crosstabs).
    closed = False
    settings: tuple[Setting, ...] = ()

    @property
    def partial(self) -> str:
        """The template that draws its field on a question's screen."""
        return f"surveys/kinds/_{self.key}.html"

    def field(self, question) -> str:
        return f"q{question.id}"

    def raw_from_form(self, question, form) -> list[str]:
        """The strings a screen's form sent for the question (what `parse` reads)."""
        return form.getlist(self.field(question))

    def screen_action(self, question, form, raw: list[str]) -> tuple[list[str], str | None] | None:
        """For a post that does something on the screen instead of sending it (a tap on a map without
        JavaScript, a removed point): what the screen then holds and a translated message, if any.
        None, for every kind but those with such buttons: the post sends the answer."""
        return None

    def parse(self, question, raw: list[str]):
        """Turn the submitted strings into a value; None means unanswered.

        :raise AnswerError: when the answer is missing but required, or invalid.
        """
        # NUL cannot be stored in PostgreSQL text and never comes from a keyboard.
        text = raw[0].replace("\x00", "").strip() if raw else ""
        if not text:
            return self.missing(question)
        return self.parse_text(question, text)

    def missing(self, question):
        if question.required:
            raise AnswerError(_("Please answer this question."))
        return None

    def parse_text(self, question, text: str):
        return text

    def rows(self, question, value) -> list[dict]:
        """How a value is stored: one dict of answer columns (choice_id, number, text) per row."""
        return [] if value is None else [{"text": value}]

    def raw_from_answers(self, question, answers) -> list[str]:
        """What the form shows again for stored answers (the same shape as submitted strings)."""
        return [a.text for a in answers if a.text is not None]

    def tally(self, question, counts) -> dict:
        """Results from `counts` (answers per choice id or number), with the `chart` that draws them;
        text kinds are read as lists."""
        return {"chart": self.chart}

    def export_columns(self, header: str, question) -> tuple[list[str], Callable[[object, dict], list]]:
        """The question's columns in a response export, as (headers, values): here one column with the
        number or the text. `values(response, answers)` gets a response and its answers as {question id:
        [rows with .choice_id, .number, .text, .x, .y]} and returns a new list of one cell per header:
        text, a number or None for an empty cell. It runs once per response, so it does each question's
        work once, not once per column."""
        return [header], number_or_text(question.id)

    def file_choices_problem(self, count: int, n: int) -> str | None:
        """Why `count` options in a survey file do not fit question `n` of this kind, translated; None when
        they fit. (A file that gives options to a kind without any is refused before this is asked.)"""
        return None

    def settings_problem(self, settings: dict) -> str | None:
        """Why these settings (name: value, None for unset) leave no answer that can be sent, translated;
        None when they are fine."""
        for setting in self.settings:
            value = settings.get(setting.name)
            if value is not None and not setting.allows(value):
                return _("“%(setting)s” must be a whole number from %(low)s to %(high)s.",
                         setting=setting.label, low=setting.low, high=setting.high)
        return None


class SingleChoice(Kind):
    key = "single_choice"
    label = _l("Single choice")
    has_choices = True
    usable_in_show_if = True
    closed = True
    chart = "bars"
    compared_as = "bars"

    def parse(self, question, raw):
        picked = [r for r in raw if r.strip()]
        if not picked:
            return self.missing(question)
        if len(picked) > 1:
            raise AnswerError(_("Pick only one of the options."))
        return self.choice_id(question, picked[0])

    def choice_id(self, question, text: str) -> int:
        valid = {str(c.id): c.id for c in question.choices}
        if text not in valid:
            raise AnswerError(_("Pick one of the options shown."))
        return valid[text]

    def rows(self, question, value):
        return [] if value is None else [{"choice_id": value}]

    def raw_from_answers(self, question, answers):
        return [str(a.choice_id) for a in answers if a.choice_id is not None]

    def tally(self, question, counts):
        return {"chart": self.chart, "multiple": self.several_per_response,
                "rows": [(choice.label, counts.get(choice.id, 0)) for choice in question.choices]}

    def export_columns(self, header, question):
        """One column with the label of the option picked."""
        return [header], picked_label(question.id, {c.id: c.label for c in question.choices})

    def file_choices_problem(self, count, n):
        return _("Question %(n)s needs at least two options.", n=n) if count < 2 else None


class MultipleChoice(SingleChoice):
    key = "multiple_choice"
    label = _l("Multiple choice")
    several_per_response = True
    settings = (Setting("max_picks", "int", _l("Most options a person may pick (empty: no limit)"),
                        low=1, high=MOST_OPTIONS),)

    def parse(self, question, raw):
        picked = sorted({self.choice_id(question, r) for r in raw if r.strip()})
        if not picked:
            return self.missing(question)
        limit = question.setting("max_picks")
        if limit and len(picked) > limit:
            raise AnswerError(ngettext("Pick at most %(num)d option.", "Pick at most %(num)d options.", limit))
        return picked

    def rows(self, question, value):
        return [{"choice_id": c} for c in value or []]

    def export_columns(self, header, question):
        """A column per option: 1 when it was picked, else empty."""
        return ([f"{header}: {choice.label}" for choice in question.choices],
                options_picked(question.id, [choice.id for choice in question.choices]))


class ImageChoice(SingleChoice):
    key = "image_choice"
    label = _l("Image choice")
    has_pictures = True


class YesNo(SingleChoice):
    """Stored as one of two fixed choices, so show-if and results treat it like any choice."""
    key = "yes_no"
    label = _l("Yes/no")
    fixed_choices = (_l("Yes"), _l("No"))

    def file_choices_problem(self, count, n):
        """A file may leave the two options out (they are made in the survey's language) or word them."""
        if count not in (0, len(self.fixed_choices)):
            return _("Question %(n)s: a yes/no question has exactly two options.", n=n)
        return None


class Scale(Kind):
    key = "scale"
    label = _l("Scale 1–5")
    low, high = 1, 5
    closed = True
    chart = "diverging"
    compared_as = "line"
    top_box = 4
    settings = (
        Setting("low_label", "text", _l("Text at the low end"), ""),
        Setting("high_label", "text", _l("Text at the high end"), ""),
        Setting("faces", "bool", _l("Show faces"), False),
    )

    def parse_text(self, question, text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not self.low <= value <= self.high:
            raise AnswerError(_("Pick a number from %(low)s to %(high)s.", low=self.low, high=self.high))
        return value

    def points(self, question) -> list[dict]:
        """Each point's value, and its face (1 sad … 5 happy) when the question shows faces."""
        faces = question.setting("faces") and self.high - self.low == 4
        return [{"value": v, "face": v - self.low + 1 if faces else 0}
                for v in range(self.low, self.high + 1)]

    def rows(self, question, value):
        return [] if value is None else [{"number": value}]

    def raw_from_answers(self, question, answers):
        return [format_number(a.number) for a in answers if a.number is not None]

    def tally(self, question, counts):
        values = [(v, counts.get(float(v), 0)) for v in range(self.low, self.high + 1)]
        return {"chart": self.chart, "values": values, "median": median(values),
                "low_label": question.setting("low_label", ""), "high_label": question.setting("high_label", "")}


class Rating(Scale):
    key = "rating"
    label = _l("Rating 0–10")
    low, high = 0, 10
    chart = "histogram"
    top_box = None
    settings = Scale.settings[:2] + (Setting("nps", "bool", _l("Show the NPS split (0–6, 7–8, 9–10)"), False),)

    def tally(self, question, counts):
        values = [(v, counts.get(float(v), 0)) for v in range(self.low, self.high + 1)]
        result = {"chart": self.chart, "values": values, "median": median(values)}
        if question.setting("nps"):
            total = sum(n for _v, n in values) or 1
            share = {name: round(100 * sum(n for v, n in values if v in band) / total)
                     for name, band in (("detractors", range(0, 7)), ("passives", (7, 8)), ("promoters", (9, 10)))}
            result["nps"] = {**share, "score": share["promoters"] - share["detractors"]}
        return result


class Number(Kind):
    key = "number"
    label = _l("Number")
    chart = "histogram"
    compared_as = "line"
    settings = (
        Setting("min", "int", _l("Smallest allowed number"), low=-LARGEST_NUMBER, high=LARGEST_NUMBER),
        Setting("max", "int", _l("Largest allowed number"), low=-LARGEST_NUMBER, high=LARGEST_NUMBER),
    )

    def parse_text(self, question, text):
        try:
            value = float(text.replace(" ", "").replace(",", "."))
        except ValueError:
            raise AnswerError(str(NOT_A_NUMBER)) from None
        if not math.isfinite(value):  # "nan", "inf" and "1e999" are floats to Python, not answers
            raise AnswerError(str(NOT_A_NUMBER))
        low, high = question.setting("min"), question.setting("max")
        if (low is not None and value < low) or (high is not None and value > high):
            raise AnswerError(range_message(low, high))
        return value

    def settings_problem(self, settings):
        problem = super().settings_problem(settings)
        low, high = settings.get("min"), settings.get("max")
        if problem is None and low is not None and high is not None and low > high:
            problem = _("The smallest allowed number (%(low)s) is larger than the largest (%(high)s).",
                        low=low, high=high)
        return problem

    def rows(self, question, value):
        return [] if value is None else [{"number": value}]

    def raw_from_answers(self, question, answers):
        return [format_number(a.number) for a in answers if a.number is not None]

    def tally(self, question, counts):
        """Bars per value when there are few distinct values, else about 12 equal bins."""
        values = sorted((float(v), n) for v, n in counts.items() if v is not None)
        if len(values) <= 20:
            bars = [(format_number(v), n) for v, n in values]
        else:
            width = nice_width((values[-1][0] - values[0][0]) / 12)
            start = math.floor(values[0][0] / width) * width
            bins = Counter()
            for v, n in values:
                bins[int((v - start) // width)] += n
            bars = [(f"{format_number(start + i * width)}–{format_number(start + (i + 1) * width)}", bins.get(i, 0))
                    for i in range(max(bins) + 1)]
        return {"chart": self.chart, "values": bars, "median": median(values)}


class ShortText(Kind):
    key = "short_text"
    label = _l("Short text")
    default_max = 200
    settings = (Setting("max_length", "int", _l("Most characters allowed"), low=1, high=LONGEST_TEXT),)

    def parse_text(self, question, text):
        limit = question.setting("max_length") or self.default_max
        if len(text) > limit:
            raise AnswerError(ngettext("Please make it shorter: at most %(num)d character (you wrote %(count)d).",
                                       "Please make it shorter: at most %(num)d characters (you wrote %(count)d).",
                                       limit, count=len(text)))
        return text


class LongText(ShortText):
    key = "long_text"
    label = _l("Long text")
    default_max = 2000


MOST_POINTS = 10
LONGEST_COMMENT = 200


class MapPoint(Kind):
    """A place question: up to `max_points` points on one of the organisation's maps (surveys.maps), each
    with a short comment if staff ask for one, or places picked from the list of its named areas (its
    options, each with a `shape`), for anyone who prefers a list or cannot see the map.

    Each point is one answer row with `x` and `y` (shares of the map), the area that contains it as its
    option (none outside every area) and the comment as its text; a place picked from the list is a row
    with only the option. So areas are tallied, and switch later questions on, like any option.

    The form's own strings (see `raw_from_form`) are "p|x|y|comment" per point, "a|option id" per place
    picked from the list, and, for the screen without JavaScript, "v|x y size" (the part of the map
    shown, surveys.maps.View) and "m|n" (point n is being moved)."""
    key = "map_point"
    label = _l("Place on a map")
    has_choices = True
    fewest_choices = 0  # its options are named areas: useful, not needed
    has_map = True
    has_areas = True
    usable_in_show_if = True
    several_per_response = True
    closed = True  # by its named areas
    chart = "map"
    settings = (
        Setting("map_id", "map", _l("Map")),
        Setting("max_points", "int", _l("Most places a person may mark"), 1, low=1, high=MOST_POINTS),
        Setting("comment", "bool", _l("Ask for a short comment on each place"), False),
    )

    def most(self, question) -> int:
        return question.setting("max_points") or 1

    def raw_from_form(self, question, form):
        field = self.field(question)
        comments = form.getlist(f"{field}_comment")
        raw = []
        for n, point in enumerate(form.getlist(f"{field}_point")):
            if not point.strip():
                continue  # a pin not placed
            comment = comments[n] if n < len(comments) else ""
            raw.append("|".join(("p", *(point.split() + ["", ""])[:2], comment)))
        raw += [f"a|{area}" for area in form.getlist(f"{field}_area") if area.strip()]
        return raw

    def parse(self, question, raw):
        points, areas = [], []
        valid_areas = {str(c.id): c.id for c in question.choices}
        for item in raw:
            tag, _sep, rest = item.partition("|")
            if tag == "p":
                points.append(self._point(rest))
            elif tag == "a":
                if rest not in valid_areas:
                    raise AnswerError(_("Pick one of the places in the list."))
                areas.append(valid_areas[rest])
        areas = sorted(set(areas))
        if not points and not areas:
            return self.missing(question)
        limit = self.most(question)
        if len(points) + len(areas) > limit:
            raise AnswerError(ngettext("Mark at most %(num)d place.", "Mark at most %(num)d places.", limit))
        if not question.setting("comment"):
            points = [{**point, "comment": None} for point in points]
        return {"points": points, "areas": areas}

    def _point(self, text: str) -> dict:
        from surveys.maps import on_map

        x, _sep, rest = text.partition("|")
        y, _sep, comment = rest.partition("|")
        try:
            x, y = float(x), float(y)
        except ValueError:
            x = y = math.nan
        if not on_map(x, y):
            raise AnswerError(_("A place must be on the map. Tap the map where you mean."))
        comment = comment.replace("\x00", "").strip()
        if len(comment) > LONGEST_COMMENT:
            raise AnswerError(ngettext(
                "Please make the comment shorter: at most %(num)d character (you wrote %(count)d).",
                "Please make the comment shorter: at most %(num)d characters (you wrote %(count)d).",
                LONGEST_COMMENT, count=len(comment)))
        return {"x": round(x, 5), "y": round(y, 5), "comment": comment or None}

    def rows(self, question, value):
        from surveys.maps import area_of

        if value is None:
            return []
        points = [{"x": p["x"], "y": p["y"], "text": p["comment"],
                   "choice_id": area_of(p["x"], p["y"], question.choices)} for p in value["points"]]
        return points + [{"choice_id": area} for area in value["areas"]]

    def raw_from_answers(self, question, answers):
        return [f"p|{a.x:g}|{a.y:g}|{a.text or ''}" if a.x is not None else f"a|{a.choice_id}"
                for a in answers if a.x is not None or a.choice_id is not None]

    def tally(self, question, counts):
        """Places per named area; the points themselves are binned by the results (surveys.maps)."""
        return {"chart": self.chart, "multiple": self.most(question) > 1, "map_id": question.setting("map_id"),
                "rows": [(choice.label, counts.get(choice.id, 0)) for choice in question.choices]}

    def export_columns(self, header, question):
        """Per place: x and y (shares of the map's width and height), its latitude and longitude when the
        map is georeferenced, the area it is in (or the place picked from the list) and its comment."""
        labels = {c.id: c.label for c in question.choices}
        georeference = self._georeference(question)
        # Outside the f-strings, where the message extractor finds them.
        latitude, longitude, area, comment = _("latitude"), _("longitude"), _("area"), _("comment")
        headers = []
        for n in range(self.most(question)):
            name = header if self.most(question) == 1 else f"{header} ({n + 1})"
            headers += [f"{name}: x", f"{name}: y"]
            if georeference:
                headers += [f"{name}: {latitude}", f"{name}: {longitude}"]
            headers += [f"{name}: {area}", f"{name}: {comment}"]
        return headers, places_marked(question.id, len(headers), labels, georeference)

    def _georeference(self, question):
        """The georeference of the question's map (read through the question's own session), or None."""
        from sqlalchemy.orm import object_session

        from surveys.maps import map_of

        session = object_session(question)
        survey_map = map_of(session, question) if session is not None else None
        return survey_map.georeference if survey_map is not None else None

    def settings_problem(self, settings):
        problem = super().settings_problem(settings)
        if problem is None and settings.get("map_id") is None:
            problem = _("Pick the map the question is asked on.")
        return problem

    def screen_action(self, question, form, raw):
        """The buttons of the screen without JavaScript: a tap on the map (`<field>_tap.x`, `.y`, CSS
        pixels on a picture TAP_WIDTH wide) zooms in on the whole map and places a point on a part of it;
        "remove", "move" and "whole map". A tap at exactly 0, 0 is what a browser sends when Enter is
        pressed in a comment field (the tap picture is the form's first button): that sends the screen."""
        from surveys.maps import TAP_WIDTH, View

        field = self.field(question)
        points = [item for item in raw if item.startswith("p|")]
        others = [item for item in raw if item.startswith("a|")]
        view = View.parse(form.get(f"{field}_view", ""))
        moving = _index(form.get(f"{field}_moving"), len(points))
        if f"{field}_remove" in form:
            gone = _index(form.get(f"{field}_remove"), len(points))
            kept = [p for n, p in enumerate(points) if n != gone]
            return kept + others, None
        if f"{field}_move" in form:
            moving = _index(form.get(f"{field}_move"), len(points))
            return points + others + ([f"m|{moving}"] if moving is not None else []), None
        if f"{field}_whole" in form:
            return points + others, None
        if f"{field}_tap.x" not in form:
            return None
        tap_x, tap_y = form.get(f"{field}_tap.x", ""), form.get(f"{field}_tap.y", "")
        if tap_x == "0" and tap_y == "0":
            return None
        height = _number(form.get(f"{field}_height"))
        if height is None or not 1 <= height <= 10 * TAP_WIDTH:  # sent by the page; a forged one is ignored
            height = TAP_WIDTH
        px, py = _number(tap_x), _number(tap_y)
        keep_moving = [f"m|{moving}"] if moving is not None else []
        if px is None or py is None or not (0 <= px <= TAP_WIDTH and 0 <= py <= height):
            return points + others + [f"v|{view}"] + keep_moving, _("Tap on the map itself.")
        x, y = view.share(px, py, height / TAP_WIDTH)
        x, y = round(min(max(x, 0.0), 1.0), 4), round(min(max(y, 0.0), 1.0), 4)
        if view.whole:
            return points + others + [f"v|{View.around(x, y)}"] + keep_moving, None
        limit = self.most(question)
        if moving is None and len(points) + len(others) >= limit and limit > 1:
            return points + others, ngettext(
                "You have marked %(num)d place. Remove it if you want to mark another.",
                "You have marked all %(num)d places. Remove one if you want to mark another.", limit)
        if moving is None and len(points) + len(others) >= limit:
            moving = 0 if points else None
            others = others if points else []
        comment = points[moving].split("|", 3)[3] if moving is not None else ""
        placed = f"p|{x:g}|{y:g}|{comment}"
        if moving is not None:
            points[moving] = placed
        else:
            points.append(placed)
        return points + others, None


def _index(text, count: int) -> int | None:
    try:
        n = int(text)
    except (TypeError, ValueError):
        return None
    return n if 0 <= n < count else None


def _number(text) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def range_message(low, high) -> str:
    if low is not None and high is not None:
        return _("Write a number from %(low)s to %(high)s.", low=low, high=high)
    if low is not None:
        return _("Write a number of at least %(low)s.", low=low)
    return _("Write a number of at most %(high)s.", high=high)


def nice_width(raw: float) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `raw`: bins people can read."""
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    return next(power * step for step in (1, 2, 2.5, 5, 10) if power * step >= raw)


def median(values: list[tuple[float, int]]) -> float | None:
    """The median of grouped values [(value, how many)], without expanding them."""
    total = sum(n for _v, n in values)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value, n in sorted(values):
        while middle and middle[0] < seen + n:
            found.append(float(value))
            middle.pop(0)
        seen += n
    return sum(found) / 2


def format_number(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


# Export values (see Kind.export_columns): each reads one question's rows of a response and gives its cells.

def number_or_text(question_id: int) -> Callable:
    def values(response, answers):
        for answer in answers.get(question_id, ()):
            return [cell_number(answer.number) if answer.number is not None else answer.text]
        return [None]
    return values


def picked_label(question_id: int, labels: dict[int, str]) -> Callable:
    def values(response, answers):
        for answer in answers.get(question_id, ()):
            if answer.choice_id is not None:
                return [labels.get(answer.choice_id)]
        return [None]
    return values


def options_picked(question_id: int, choice_ids: list[int]) -> Callable:
    """A cell per option, in `choice_ids` order: 1 when the person picked it, else None."""
    def values(response, answers):
        given = answers.get(question_id)
        if not given:
            return [None] * len(choice_ids)
        picked = {answer.choice_id for answer in given}
        return [1 if choice_id in picked else None for choice_id in choice_ids]
    return values


def places_marked(question_id: int, width: int, labels: dict[int, str], georeference) -> Callable:
    """`width` cells: per place marked (on the map or from the list), in the order marked, its x and y, its
    latitude and longitude when there is a `georeference`, its area's label and its comment."""
    def values(response, answers):
        cells = []
        for answer in answers.get(question_id, ()):
            if answer.x is None and answer.choice_id is None:
                continue  # a row that marks no place
            if len(cells) == width:
                break
            cells += (answer.x, answer.y)
            if georeference:
                cells += (None, None) if answer.x is None else georeference.lat_lon(answer.x, answer.y)
            cells += (labels.get(answer.choice_id), answer.text)
        cells += [None] * (width - len(cells))
        return cells
    return values


def cell_number(number: float) -> int | float | str:
    """Whole numbers without ".0"; infinity, which no spreadsheet can hold as a number, as text."""
    if not math.isfinite(number):
        return str(number)
    return int(number) if number.is_integer() else number


KINDS: dict[str, Kind] = {kind.key: kind for kind in (
    SingleChoice(), MultipleChoice(), Scale(), Rating(), YesNo(), Number(),
    ShortText(), LongText(), ImageChoice(), MapPoint(),
)}

# The keys of the kinds whose options can switch a later question on (show-if), for code that
# filters questions by key; elsewhere ask the kind (`usable_in_show_if`).
CONDITION_KINDS = tuple(key for key, kind in KINDS.items() if kind.usable_in_show_if)
