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
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Response
from flask_babel import gettext as _

from surveys.editing import ChoiceEdit, EditRefused, QuestionEdit, create_survey, save_question
from surveys.forms import is_slug
from surveys.images import ImageProblem, clean_image
from surveys.kinds import KINDS
from surveys.models import Survey, SurveyImage, SurveyStatus
from surveys.timezone import FIRST_YEAR, LAST_YEAR, plausible

FORMAT = "bypuls-survey"
VERSION = 1
MAX_QUESTIONS = 200
MAX_CHOICES = 100
# The same limits as the editor's forms.
TITLE_MAX, TEXT_MAX, PROMPT_MAX, LABEL_MAX, SETTING_TEXT_MAX = 200, 2000, 500, 300, 100
LANGUAGES = ("da", "en")


class ImportProblem(ValueError):
    """The file cannot become a survey; str(error) names what is wrong, translated."""


# --- Export -----------------------------------------------------------------

def export_survey(survey: Survey) -> dict:
    """The survey's definition as plain JSON values; show-if refers to positions, not ids."""
    places = {c.id: (qi, ci) for qi, q in enumerate(survey.questions) for ci, c in enumerate(q.choices)}
    return {"format": FORMAT, "version": VERSION, "survey": {
        "slug": survey.slug, "title": survey.title, "intro": survey.intro or "",
        "thanks": survey.thanks or "", "language": survey.language,
        "opens_at": _iso(survey.opens_at), "closes_at": _iso(survey.closes_at),
        "questions": [_export_question(q, places) for q in survey.questions],
    }}


def _export_question(question, places: dict) -> dict:
    place = places.get(question.show_if_choice_id)
    kind = KINDS[question.kind]
    # Only the kind's own settings, so that every exported file imports again.
    known = {s.name for s in kind.settings}
    settings = {k: v for k, v in (question.settings or {}).items() if k in known}
    return {"kind": question.kind, "prompt": question.prompt, "help": question.help or "",
            "required": question.required, "settings": settings,
            "show_if": {"question": place[0], "choice": place[1]} if place else None,
            "choices": [_export_choice(c, kind.has_pictures) for c in question.choices]}


def _export_choice(choice, pictured: bool) -> dict:
    # An option keeps its picture when its question changes kind; only a kind with pictures shows it.
    image = choice.image if pictured else None
    return {"label": choice.label, "image": image and {
        "content_type": image.content_type, "data": base64.b64encode(image.data).decode("ascii")}}


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


@dataclass
class QuestionPlan:
    kind: str
    prompt: str
    help: str
    required: bool
    settings: dict
    show_if: tuple[int, int] | None  # (question index, choice index), both 0-based
    choices: list[ChoicePlan]


def import_survey(session, organisation_id: int, data: bytes) -> Survey:
    """Create a draft survey in the organisation from the bytes of a survey file.

    The slug is kept when free; a taken one gets -2, -3...; an invalid one
    gives way to the title's. Flushes, never commits: on ImportProblem the
    caller rolls back (nothing is added before the whole file is checked).

    :raise ImportProblem: for an empty upload, text that is not JSON, another
        format or version, or any field that breaks the format's or the editor's rules.
    """
    values, questions = read_survey_file(data)
    survey = create_survey(session, organisation_id, status=SurveyStatus.draft, **values)
    created = []
    for number, plan in enumerate(questions, start=1):
        created.append(_build_question(session, survey, plan, created, number))
    session.flush()
    return survey


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
    return values


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
        choices=_choices(raw.get("choices", []), kind, n))


def _settings(raw, kind: str, n: int) -> dict:
    if not isinstance(raw, dict):
        raise ImportProblem(_("Question %(n)s: “settings” must be an object.", n=n))
    known = {s.name: s for s in KINDS[kind].settings}
    for name, value in raw.items():
        if name not in known:
            raise ImportProblem(_("Question %(n)s: the kind “%(kind)s” has no setting “%(name)s”.",
                                  n=n, kind=kind, name=_shown(name)))
        if value is not None:
            _check_setting(known[name], value, n)
    problem = KINDS[kind].settings_problem(raw)
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
    return ChoicePlan(label=_text(raw, "label", where, LABEL_MAX, required=True),
                      image=None if image is None else _image(image, where))


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

def _build_question(session, survey: Survey, plan: QuestionPlan, created: list, number: int):
    """Save one planned question; show-if finds its choice among those already created.

    :raise ImportProblem: if the editor refuses it (the checks above should prevent that).
    """
    edits = [ChoiceEdit(None, c.label, image_id=_store_image(session, survey, c.image)) for c in plan.choices]
    show_if = created[plan.show_if[0]].choices[plan.show_if[1]].id if plan.show_if else None
    edit = QuestionEdit(kind=plan.kind, prompt=plan.prompt, help=plan.help, required=plan.required,
                        settings=plan.settings, show_if_choice_id=show_if, choices=edits)
    try:
        question = save_question(session, survey, None, edit)
    except EditRefused as refusal:
        raise ImportProblem(_("Question %(n)s: %(problem)s", n=number, problem=str(refusal))) from None
    if KINDS[plan.kind].fixed_choices:
        # The kind made its own options (yes/no); the file's wording wins when it has one.
        for choice, wanted in zip(question.choices, plan.choices, strict=False):
            choice.label = wanted.label
    return question


def _store_image(session, survey: Survey, image: tuple[bytes, int, int] | None) -> int | None:
    """Store a picture cleaned while reading the file (not again: WebP loses a little each time)."""
    if image is None:
        return None
    data, width, height = image
    stored = SurveyImage(survey_id=survey.id, content_type="image/webp", width=width, height=height, data=data)
    session.add(stored)
    session.flush()
    return stored.id
