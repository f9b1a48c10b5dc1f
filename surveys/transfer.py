"""Survey definitions to and from a JSON file (the format is in docs/survey-format.md).

A file carries what a survey asks, never who answered it: no database ids
(they mean nothing in another installation), no status and no responses.
Importing reads and checks the whole file first, into plain values, and only
then builds the survey through `surveys.editing`, so the editor's rules apply
and a bad file adds nothing. Import flushes and never commits.
"""
import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import object_session

from surveys.editing import ChoiceEdit, EditRefused, QuestionEdit, create_survey, save_question
from surveys.forms import is_slug
from surveys.images import ImageProblem, clean_image
from surveys.kinds import KINDS
from surveys.map_editing import NAME_MAX, free_name
from surveys.maps import Georeference, MapProblem, SurveyMap, clean_map, map_of, on_map
from surveys.models import Survey, SurveyImage, SurveySeries, SurveyStatus
from surveys.timezone import FIRST_YEAR, LAST_YEAR, plausible

FORMAT = "bypuls-survey"
VERSION = 1
MAX_QUESTIONS = 200
MAX_CHOICES = 100
MAX_CORNERS = 200  # of a named area
MAX_CONTROL_POINTS = 30
# The same limits as the editor's forms.
TITLE_MAX, TEXT_MAX, PROMPT_MAX, LABEL_MAX, SETTING_TEXT_MAX = 200, 2000, 500, 300, 100
LANGUAGES = ("da", "en")
SERIES_NAME_MAX, LAST_ROUND = 200, 1000
LINEAGE = re.compile(r"[A-Za-z0-9_-]{1,16}")


class ImportProblem(ValueError):
    """The file cannot become a survey; str(error) names what is wrong, translated."""


# --- Export -----------------------------------------------------------------

def export_survey(survey: Survey) -> dict:
    """The survey's definition as plain JSON values; show-if refers to positions, not ids."""
    places = {c.id: (qi, ci) for qi, q in enumerate(survey.questions) for ci, c in enumerate(q.choices)}
    session = object_session(survey)
    exported = {"format": FORMAT, "version": VERSION, "survey": {
        "slug": survey.slug, "title": survey.title, "intro": survey.intro or "",
        "thanks": survey.thanks or "", "language": survey.language,
        "opens_at": _iso(survey.opens_at), "closes_at": _iso(survey.closes_at),
        "questions": [_export_question(session, q, places) for q in survey.questions],
    }}
    if survey.series_id is not None:
        _export_series(session, survey, exported["survey"])
    return exported


def _export_series(session, survey: Survey, exported: dict) -> None:
    """A round of a series carries the series' name, its round and the lineage keys of its questions and
    options, so that an import lands in the same series (by name) and compares with its other rounds."""
    series = session.get(SurveySeries, survey.series_id)
    exported["series"] = {"name": series.name, "round": survey.round}
    for question, item in zip(survey.questions, exported["questions"], strict=True):
        item["lineage"] = question.lineage
        for choice, option in zip(question.choices, item["choices"], strict=True):
            option["lineage"] = choice.lineage


def _export_question(session, question, places: dict) -> dict:
    place = places.get(question.show_if_choice_id)
    kind = KINDS[question.kind]
    # Only the kind's own settings, so that every exported file imports again; a map is no setting in
    # the file (its id means nothing in another installation) but the question's "map".
    known = {s.name for s in kind.settings if s.type != "map"}
    settings = {k: v for k, v in (question.settings or {}).items() if k in known}
    exported = {"kind": question.kind, "prompt": question.prompt, "help": question.help or "",
                "required": question.required, "settings": settings,
                "show_if": {"question": place[0], "choice": place[1]} if place else None,
                "choices": [_export_choice(c, kind) for c in question.choices]}
    if kind.has_map:
        exported["map"] = _export_map(map_of(session, question))
    return exported


def _export_choice(choice, kind) -> dict:
    # An option keeps its picture when its question changes kind; only a kind with pictures shows it.
    image = choice.image if kind.has_pictures else None
    exported = {"label": choice.label, "image": image and {
        "content_type": image.content_type, "data": base64.b64encode(image.data).decode("ascii")}}
    if kind.has_areas:
        exported["shape"] = choice.shape
    return exported


def _export_map(survey_map: SurveyMap | None) -> dict | None:
    """The map as the file carries it: its name, picture and control points, never its id."""
    if survey_map is None:
        return None
    return {"name": survey_map.name, "content_type": survey_map.content_type,
            "data": base64.b64encode(survey_map.data).decode("ascii"),
            "control_points": [{k: point[k] for k in ("x", "y", "lat", "lon")}
                               for point in survey_map.control_points or []]}


def _iso(moment: datetime | None) -> str | None:
    """Stored times are naive UTC; the file says so with a Z."""
    return None if moment is None else moment.isoformat(timespec="seconds") + "Z"


def survey_json(survey: Survey) -> str:
    """The survey file's text: indented, with æ, ø and å as themselves."""
    return json.dumps(export_survey(survey), ensure_ascii=False, indent=2) + "\n"


def json_download(survey: Survey) -> Response:
    """The survey file as a `<slug>.json` attachment, in UTF-8."""
    return Response(survey_json(survey).encode("utf-8"), content_type="application/json; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{survey.slug}.json"'})


# --- Import: read and check everything into plain values ------------------------

@dataclass
class ChoicePlan:
    label: str
    image: tuple[bytes, int, int] | None  # cleaned WebP data, width, height
    shape: list | None = None  # a kind with areas: the polygon, [[x, y], …] shares of the map
    lineage: str | None = None  # a round's option: the key it shares with the other rounds


@dataclass
class MapPlan:
    name: str
    data: bytes  # the picture as the file has it: an existing map with these bytes is used again
    cleaned: tuple[bytes, int, int]  # as an upload is cleaned, for a map made new
    control_points: list[dict]


@dataclass
class QuestionPlan:
    kind: str
    prompt: str
    help: str
    required: bool
    settings: dict
    show_if: tuple[int, int] | None  # (question index, choice index), both 0-based
    choices: list[ChoicePlan]
    map: MapPlan | None = None  # a kind with a map
    lineage: str | None = None  # a round's question: the key it shares with the other rounds


def import_survey(session, organisation_id: int, data: bytes) -> Survey:
    """Create a draft survey in the organisation from the bytes of a survey file.

    The slug is kept when free; a taken one gets -2, -3...; an invalid one
    gives way to the title's. Flushes, never commits: on ImportProblem the
    caller rolls back (nothing is added before the whole file is checked).

    :raise ImportProblem: for an empty upload, text that is not JSON, another
        format or version, or any field that breaks the format's or the editor's rules.
    """
    values, questions = read_survey_file(data)
    series = values.pop("series")
    survey = create_survey(session, organisation_id, status=SurveyStatus.draft, **values)
    created, maps = [], {}
    for number, plan in enumerate(questions, start=1):
        created.append(_build_question(session, survey, plan, created, number, maps))
    if series is not None:
        _join_series(session, survey, *series)
    session.flush()
    return survey


def _join_series(session, survey: Survey, name: str, wanted: int) -> None:
    """Put the imported survey into the organisation's series of that name (made if there is none), as
    round `wanted` when no other survey is that round, else as the next round after the last."""
    series = session.scalar(select(SurveySeries).where(SurveySeries.organisation_id == survey.organisation_id,
                                                       SurveySeries.name == name).order_by(SurveySeries.id))
    if series is None:
        series = SurveySeries(organisation_id=survey.organisation_id, name=name)
        session.add(series)
        session.flush()
    taken = set(session.scalars(select(Survey.round).where(Survey.series_id == series.id, Survey.id != survey.id)))
    survey.series_id = series.id
    survey.round = wanted if wanted not in taken else max(taken, default=0) + 1


def read_survey_file(data: bytes) -> tuple[dict, list[QuestionPlan]]:
    """The survey's column values and its question plans, touching no database.

    :raise ImportProblem: naming the first thing that is wrong.
    """
    document = _parse_json(data)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportProblem(_("This is not a Bypuls survey file."))
    _check_version(document.get("version"))
    raw = document.get("survey")
    if not isinstance(raw, dict):
        raise ImportProblem(_("The file has no “survey” object."))
    return _survey_values(raw), _questions(raw.get("questions", []))


def _parse_json(data: bytes):
    if not data:
        raise ImportProblem(_("Choose a file to import."))
    try:
        text = data.decode("utf-8-sig")  # also takes files saved with a byte-order mark
    except UnicodeDecodeError:
        raise ImportProblem(_("The file is not UTF-8 text, so it cannot be a survey file.")) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(_("The file is not valid JSON (line %(line)s, column %(column)s).",
                              line=error.lineno, column=error.colno)) from None
    except RecursionError:
        raise ImportProblem(_("The file is nested too deeply to be a survey file.")) from None
    except ValueError:  # e.g. a number of thousands of digits, which Python refuses to read
        raise ImportProblem(_("The file is not valid JSON.")) from None


def _check_version(version) -> None:
    if version is None:
        raise ImportProblem(_("The file does not say which version of the format it uses."))
    # bool is an int in Python, but true is no version number.
    if isinstance(version, bool) or version != VERSION:
        raise ImportProblem(_("Version %(version)s is not supported.", version=_shown(json.dumps(version))))


def _survey_values(raw: dict) -> dict:
    where = _("The survey")
    values = {"title": _text(raw, "title", where, TITLE_MAX, required=True),
              "intro": _text(raw, "intro", where, TEXT_MAX),
              "thanks": _text(raw, "thanks", where, TEXT_MAX),
              "language": raw.get("language", "da"),
              "opens_at": _moment(raw, "opens_at", where), "closes_at": _moment(raw, "closes_at", where)}
    if values["language"] not in LANGUAGES:
        raise ImportProblem(_("%(where)s: “language” must be “da” or “en”.", where=where))
    if values["opens_at"] and values["closes_at"] and values["closes_at"] <= values["opens_at"]:
        raise ImportProblem(_("The survey closes before it opens: “closes_at” must be after “opens_at”."))
    slug = raw.get("slug")
    # An unusable slug is no reason to refuse the file: the title gives one instead.
    values["slug"] = slug if isinstance(slug, str) and len(slug) <= 80 and is_slug(slug) else None
    values["series"] = _series(raw.get("series"))
    return values


def _series(raw) -> tuple[str, int] | None:
    """(name, round) of a round's series, or None for a survey in no series.

    :raise ImportProblem: unless null or {"name": text, "round": a whole number from 1}."""
    if raw is None:
        return None
    where = _("The series")
    if not isinstance(raw, dict):
        raise ImportProblem(_("“series” must be null or an object with a “name” and a “round”."))
    name = _text(raw, "name", where, SERIES_NAME_MAX, required=True)
    number = raw.get("round")
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= LAST_ROUND:
        raise ImportProblem(_("%(where)s: “round” must be a whole number from 1 to %(max)s.",
                              where=where, max=LAST_ROUND))
    return name, number


def _lineage(raw: dict, where: str) -> str | None:
    """:raise ImportProblem: unless missing, null, or 1–16 letters a–z, A–Z, digits, - and _."""
    value = raw.get("lineage")
    if value is None:
        return None
    if not isinstance(value, str) or not LINEAGE.fullmatch(value):
        raise ImportProblem(_("%(where)s: “lineage” must be null or 1 to 16 letters, digits, - or _.", where=where))
    return value


def _moment(raw: dict, key: str, where: str) -> datetime | None:
    """An ISO 8601 time as naive UTC; a time without a zone is taken as UTC.

    :raise ImportProblem: for no such time, or a year outside FIRST_YEAR–LAST_YEAR (year 9999 overflows)."""
    value = raw.get(key)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        moment = moment if moment.tzinfo is None else moment.astimezone(timezone.utc).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError):
        raise ImportProblem(_("%(where)s: “%(field)s” must be a date and time such as "
                              "2026-05-01T08:00:00Z, or null.", where=where, field=key)) from None
    if not plausible(moment):
        raise ImportProblem(_("%(where)s: “%(field)s” must be a date between the years %(first)d and %(last)d.",
                              where=where, field=key, first=FIRST_YEAR, last=LAST_YEAR))
    return moment


def _questions(raw) -> list[QuestionPlan]:
    if not isinstance(raw, list):
        raise ImportProblem(_("“questions” must be a list."))
    if len(raw) > MAX_QUESTIONS:
        raise ImportProblem(_("A survey can have at most %(max)s questions; this file has %(count)s.",
                              max=MAX_QUESTIONS, count=len(raw)))
    plans: list[QuestionPlan] = []
    for index, item in enumerate(raw):
        plans.append(_question(item, index, plans))
    keys = [plan.lineage for plan in plans if plan.lineage]
    if len(keys) != len(set(keys)):
        raise ImportProblem(_("Two questions have the same “lineage”: each question needs its own."))
    for n, plan in enumerate(plans, start=1):
        options = [choice.lineage for choice in plan.choices if choice.lineage]
        if len(options) != len(set(options)):
            raise ImportProblem(_("Question %(n)s: two options have the same “lineage”.", n=n))
    return plans


def _question(raw, index: int, earlier: list[QuestionPlan]) -> QuestionPlan:
    n = index + 1
    where = _("Question %(n)s", n=n)
    if not isinstance(raw, dict):
        raise ImportProblem(_("%(where)s must be an object.", where=where))
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise ImportProblem(_("Question %(n)s: unknown kind “%(kind)s”.", n=n, kind=_shown(kind)))
    return QuestionPlan(
        kind=kind, prompt=_text(raw, "prompt", where, PROMPT_MAX, required=True),
        help=_text(raw, "help", where, PROMPT_MAX), required=_flag(raw, "required", where, True),
        settings=_settings(raw.get("settings", {}), kind, n),
        show_if=_show_if(raw.get("show_if"), index, earlier),
        choices=_choices(raw.get("choices", []), kind, n),
        map=_map(raw.get("map"), n, earlier) if KINDS[kind].has_map else None,
        lineage=_lineage(raw, where))


def _settings(raw, kind: str, n: int) -> dict:
    if not isinstance(raw, dict):
        raise ImportProblem(_("Question %(n)s: “settings” must be an object.", n=n))
    known = {s.name: s for s in KINDS[kind].settings}
    for name, value in raw.items():
        if name not in known:
            raise ImportProblem(_("Question %(n)s: the kind “%(kind)s” has no setting “%(name)s”.",
                                  n=n, kind=kind, name=_shown(name)))
        if known[name].type == "map":
            raise ImportProblem(_("Question %(n)s: a map is given as the question's “map”, not as the "
                                  "setting “%(name)s”.", n=n, name=name))
        if value is not None:
            _check_setting(known[name], value, n)
    # The map setting is filled in from the question's "map" when the question is built.
    problem = KINDS[kind].settings_problem({**raw, **{s.name: 0 for s in known.values() if s.type == "map"}})
    if problem:
        raise ImportProblem(_("Question %(n)s: %(problem)s", n=n, problem=problem))
    return dict(raw)


def _check_setting(setting, value, n: int) -> None:
    """:raise ImportProblem: unless the value has the setting's type and bounds (null is checked by the caller)."""
    type_, name = setting.type, setting.name
    if type_ == "bool" and not isinstance(value, bool):
        raise ImportProblem(_("Question %(n)s: the setting “%(name)s” must be true or false.", n=n, name=name))
    if type_ == "int" and (isinstance(value, bool) or not isinstance(value, int)):
        raise ImportProblem(_("Question %(n)s: the setting “%(name)s” must be a whole number or null.",
                              n=n, name=name))
    if type_ == "int" and not setting.allows(value):
        raise ImportProblem(_("Question %(n)s: the setting “%(name)s” must be a whole number from %(low)s to "
                              "%(high)s, or null; it is %(value)s.",
                              n=n, name=name, low=setting.low, high=setting.high, value=_shown(value)))
    if type_ == "text" and not (isinstance(value, str) and len(value) <= SETTING_TEXT_MAX and _storable(value)):
        raise ImportProblem(_("Question %(n)s: the setting “%(name)s” must be text of at most %(max)s "
                              "characters.", n=n, name=name, max=SETTING_TEXT_MAX))


def _show_if(raw, index: int, earlier: list[QuestionPlan]) -> tuple[int, int] | None:
    """(question index, choice index) of an option of an earlier choice question, or None."""
    n = index + 1
    if raw is None:
        return None
    target, choice = (raw.get("question"), raw.get("choice")) if isinstance(raw, dict) else (None, None)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (target, choice)):
        raise ImportProblem(_("Question %(n)s: “show_if” must be null or an object with the whole "
                              "numbers “question” and “choice”.", n=n))
    if target == index:
        raise ImportProblem(_("Question %(n)s: show-if points at the question itself.", n=n))
    if target > index:
        raise ImportProblem(_("Question %(n)s: show-if points at a later question.", n=n))
    if target < 0:
        raise ImportProblem(_("Question %(n)s: show-if points at a question that does not exist.", n=n))
    source = earlier[target]
    if not KINDS[source.kind].usable_in_show_if:
        raise ImportProblem(_("Question %(n)s: show-if must point at a choice question, and question "
                              "%(target)s is not one.", n=n, target=target + 1))
    if not 0 <= choice < _choice_count(source):
        raise ImportProblem(_("Question %(n)s: show-if points at option %(m)s of question %(target)s, "
                              "which does not exist.", n=n, m=choice + 1, target=target + 1))
    return target, choice


def _choice_count(plan: QuestionPlan) -> int:
    """A kind with fixed options (yes/no) gets them when created, even when the file lists none."""
    return len(KINDS[plan.kind].fixed_choices) or len(plan.choices)


def _choices(raw, kind_key: str, n: int) -> list[ChoicePlan]:
    kind = KINDS[kind_key]
    if not isinstance(raw, list):
        raise ImportProblem(_("Question %(n)s: “choices” must be a list.", n=n))
    if raw and not kind.has_choices:
        raise ImportProblem(_("Question %(n)s: a “%(kind)s” question has no options.", n=n, kind=kind_key))
    if len(raw) > MAX_CHOICES:
        raise ImportProblem(_("Question %(n)s has %(count)s options; at most %(max)s are allowed.",
                              n=n, count=len(raw), max=MAX_CHOICES))
    problem = kind.file_choices_problem(len(raw), n)
    if problem:
        raise ImportProblem(problem)
    return [_choice(item, kind, _("Question %(n)s, option %(m)s", n=n, m=m))
            for m, item in enumerate(raw, start=1)]


def _choice(raw, kind, where: str) -> ChoicePlan:
    if not isinstance(raw, dict):
        raise ImportProblem(_("%(where)s must be an object.", where=where))
    image = raw.get("image")
    if image is not None and not kind.has_pictures:
        raise ImportProblem(_("%(where)s: only options of image-choice questions can have a picture.",
                              where=where))
    shape = raw.get("shape")
    if shape is not None and not kind.has_areas:
        raise ImportProblem(_("%(where)s: only options of place questions can have a “shape”.", where=where))
    return ChoicePlan(label=_text(raw, "label", where, LABEL_MAX, required=True),
                      image=None if image is None else _image(image, where),
                      shape=None if shape is None else _shape(shape, where), lineage=_lineage(raw, where))


def _shape(raw, where: str) -> list[list[float]]:
    """A named area: a polygon of 3 to MAX_CORNERS corners, each [x, y] as shares of the map (0–1).

    :raise ImportProblem: for anything else, saying what a shape looks like.
    """
    corners = raw if isinstance(raw, list) and 3 <= len(raw) <= MAX_CORNERS else []
    ok = bool(corners) and all(isinstance(c, list) and len(c) == 2 and not any(isinstance(v, bool) for v in c)
                               and on_map(*c) for c in corners)
    if not ok:
        raise ImportProblem(_("%(where)s: “shape” must be null or a list of 3 to %(max)s corners, each [x, y] "
                              "with x and y from 0 to 1 (shares of the map's width and height).",
                              where=where, max=MAX_CORNERS))
    return [[float(x), float(y)] for x, y in corners]


def _map(raw, n: int, earlier: list[QuestionPlan]) -> MapPlan:
    """The map of a place question: its name, its picture (base64) and its control points. A picture that
    an earlier question of the file carries too is cleaned once.

    :raise ImportProblem: naming the question, for a missing or broken map.
    """
    where = _("Question %(n)s, map", n=n)
    if not isinstance(raw, dict):
        raise ImportProblem(_("Question %(n)s needs a “map”: an object with its “name” and its picture as "
                              "base64 “data”.", n=n))
    name = _text(raw, "name", where, NAME_MAX, required=True)
    data = raw.get("data")
    if not isinstance(data, str):
        raise ImportProblem(_("%(where)s: “data” must be the picture in base64.", where=where))
    try:
        decoded = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ImportProblem(_("%(where)s: the picture data is not valid base64.", where=where)) from None
    cleaned = next((plan.map.cleaned for plan in earlier if plan.map and plan.map.data == decoded), None)
    try:
        cleaned = cleaned or clean_map(decoded)
    except MapProblem as problem:
        raise ImportProblem(_("%(where)s: %(problem)s", where=where, problem=str(problem))) from None
    return MapPlan(name, decoded, cleaned, _control_points(raw.get("control_points", []), where))


def _control_points(raw, where: str) -> list[dict]:
    """:raise ImportProblem: unless a list of {x, y, lat, lon} numbers on the map and the earth that give
    a georeference (or an empty list)."""
    message = _("%(where)s: “control_points” must be a list of objects with the numbers “x” and “y” (0 to 1), "
                "“lat” (−90 to 90) and “lon” (−180 to 180), at least two of them in different places.",
                where=where)
    if not isinstance(raw, list) or len(raw) > MAX_CONTROL_POINTS:
        raise ImportProblem(message)
    points = []
    for item in raw:
        values = [item.get(k) for k in ("x", "y", "lat", "lon")] if isinstance(item, dict) else [None]
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise ImportProblem(message)
        x, y, lat, lon = (float(v) for v in values)
        if not (on_map(x, y) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise ImportProblem(message)
        points.append({"x": x, "y": y, "lat": lat, "lon": lon})
    if points and Georeference.fit(points) is None:
        raise ImportProblem(message)
    return points


def _image(raw, where: str) -> tuple[bytes, int, int]:
    """Decoded and cleaned as an uploaded picture would be.

    :raise ImportProblem: for bad base64 or data that is not a picture we can use.
    """
    data = raw.get("data") if isinstance(raw, dict) else None
    if not isinstance(data, str):
        raise ImportProblem(_("%(where)s: “image” must be null or an object with base64 “data”.",
                              where=where))
    try:
        decoded = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ImportProblem(_("%(where)s: the picture data is not valid base64.", where=where)) from None
    try:
        return clean_image(decoded)
    except ImageProblem as problem:
        raise ImportProblem(_("%(where)s: %(problem)s", where=where, problem=str(problem))) from None


def _text(raw: dict, key: str, where: str, limit: int, required: bool = False) -> str:
    """A stripped string field; missing or null means empty.

    :raise ImportProblem: if it is not a string, too long, or empty while required.
    """
    value = raw.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ImportProblem(_("%(where)s: “%(field)s” must be text.", where=where, field=key))
    if not _storable(value):
        raise ImportProblem(_("%(where)s: “%(field)s” contains characters that cannot be stored "
                              "(a NUL character or a broken \\u escape).", where=where, field=key))
    value = value.strip()
    if required and not value:
        raise ImportProblem(_("%(where)s needs a “%(field)s”.", where=where, field=key))
    if len(value) > limit:
        raise ImportProblem(_("%(where)s: “%(field)s” is too long: %(count)s characters, at most %(max)s.",
                              where=where, field=key, count=len(value), max=limit))
    return value


def _storable(text: str) -> bool:
    """PostgreSQL refuses NUL in text, and JSON's \\ud800 escapes make strings no database can encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


def _shown(value) -> str:
    """A value from the file, safe and short enough to quote in a message."""
    text = value if isinstance(value, str) else json.dumps(value)
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return text if len(text) <= 40 else text[:39] + "…"


def _flag(raw: dict, key: str, where: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ImportProblem(_("%(where)s: “%(field)s” must be true or false.", where=where, field=key))
    return value


# --- Import: build through the editor's services ------------------------------------

def _build_question(session, survey: Survey, plan: QuestionPlan, created: list, number: int, maps: dict):
    """Save one planned question; show-if finds its choice among those already created.

    :raise ImportProblem: if the editor refuses it (the checks above should prevent that).
    """
    edits = [ChoiceEdit(None, c.label, image_id=_store_image(session, survey, c.image), shape=c.shape)
             for c in plan.choices]
    show_if = created[plan.show_if[0]].choices[plan.show_if[1]].id if plan.show_if else None
    settings = dict(plan.settings)
    if plan.map is not None:
        settings.update({s.name: _survey_map(session, survey.organisation_id, plan.map, maps).id
                         for s in KINDS[plan.kind].settings if s.type == "map"})
    edit = QuestionEdit(kind=plan.kind, prompt=plan.prompt, help=plan.help, required=plan.required,
                        settings=settings, show_if_choice_id=show_if, choices=edits)
    try:
        question = save_question(session, survey, None, edit)
    except EditRefused as refusal:
        raise ImportProblem(_("Question %(n)s: %(problem)s", n=number, problem=str(refusal))) from None
    if KINDS[plan.kind].fixed_choices:
        # The kind made its own options (yes/no); the file's wording wins when it has one.
        for choice, wanted in zip(question.choices, plan.choices, strict=False):
            choice.label = wanted.label
    # A round's keys, so that it compares with the organisation's other rounds of the series.
    question.lineage = plan.lineage or question.lineage
    for choice, wanted in zip(question.choices, plan.choices, strict=False):
        choice.lineage = wanted.lineage or choice.lineage
    return question


def _survey_map(session, organisation_id: int, plan: MapPlan, made: dict) -> SurveyMap:
    """The organisation's map with the plan's name and the very same picture (a file exported from here,
    or imported before), else a new map made from the cleaned picture, under a name no other map has.
    `made` keeps the maps made during this import, so questions on one map share it."""
    key = (plan.name, plan.data)
    if key in made:
        return made[key]
    same_name = session.scalars(select(SurveyMap).where(SurveyMap.organisation_id == organisation_id,
                                                        SurveyMap.name == plan.name))
    found = next((m for m in same_name if m.data == plan.data), None)
    if found is None:
        data, width, height = plan.cleaned
        found = SurveyMap(organisation_id=organisation_id, name=free_name(session, organisation_id, plan.name),
                          content_type="image/webp", width=width, height=height, data=data,
                          control_points=plan.control_points)
        session.add(found)
        session.flush()
    made[key] = found
    return found


def _store_image(session, survey: Survey, image: tuple[bytes, int, int] | None) -> int | None:
    """Store a picture cleaned while reading the file (not again: WebP loses a little each time)."""
    if image is None:
        return None
    data, width, height = image
    stored = SurveyImage(survey_id=survey.id, content_type="image/webp", width=width, height=height, data=data)
    session.add(stored)
    session.flush()
    return stored.id
