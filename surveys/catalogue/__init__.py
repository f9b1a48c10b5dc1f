"""Survey templates from the catalogue (»Inspirationskatalog – levende bymidter«): staff start a survey from
one in a click, as a draft they check and change before opening it.

Each template is a survey file in this folder (`<key>.json`, the format of docs/survey-format.md), read in
by the same import as a file staff upload (`surveys.transfer.import_survey`): a template can hold nothing
a file could not, and the import's rules (a free slug, the editor's checks) apply.

One extension, documented in docs/survey-format.md ("Templates"): a place question may carry
`without_map`, a whole question asked instead when staff pick no map (a list of common places). With a
map, the place question is asked on it and `without_map` is dropped; the file the import reads never has it.
"""
import base64
import copy
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from flask_babel import lazy_gettext as _l

from surveys.kinds import KINDS
from surveys.maps import SurveyMap
from surveys.transfer import ImportProblem, import_survey  # noqa: F401 (ImportProblem: for callers)

FOLDER = Path(__file__).parent
WITHOUT_MAP = "without_map"


@dataclass(frozen=True)
class Template:
    key: str  # the file's name and the survey's wanted slug
    name: object  # translated, for staff choosing one
    summary: object  # one line, translated
    minutes: int  # about how long answering takes on a phone

    @cached_property
    def document(self) -> dict:
        return json.loads((FOLDER / f"{self.key}.json").read_text(encoding="utf-8"))

    @property
    def questions(self) -> list[dict]:
        return self.document["survey"]["questions"]

    @property
    def has_place_question(self) -> bool:
        return any(KINDS[question["kind"]].has_map for question in self.questions)


TEMPLATES = (
    Template("bymidtebarometer", _l("Town centre barometer"),
             _l("The catalogue's questions: which places matter, how people get there, how often and why they "
                "come, what is missing and how they see the town. Ask it every year and compare the rounds."), 3),
    Template("unge-i-bymidten", _l("Young people in the town centre"),
             _l("For young people where they already are: where they meet, what they do, what is missing, "
                "whether they feel safe and whether they want to help."), 2),
    Template("det-tomme-butikslokale", _l("The empty shop"),
             _l("For a poster in an empty shop window: what should be here, an idea of one's own and who "
                "wants to help."), 1),
    Template("feedback-paa-afproevning", _l("Feedback on a temporary trial"),
             _l("For a temporary trial (benches, a pop-up, a closed street): what people think, whether to "
                "keep it, what to change. Ask before, during and after as rounds."), 1),
)
BY_KEY = {template.key: template for template in TEMPLATES}


def survey_file(template: Template, survey_map: SurveyMap | None = None) -> bytes:
    """The template as a survey file: its place questions on `survey_map` (picture included, so the import
    finds the organisation's own map again by its name and bytes), or, without a map, each replaced by its
    `without_map` question.

    :raise LookupError: for a place question without `without_map` when no map is given.
    """
    document = copy.deepcopy(template.document)
    questions = []
    for number, question in enumerate(document["survey"]["questions"], start=1):
        instead = question.pop(WITHOUT_MAP, None)
        if KINDS[question["kind"]].has_map:
            if survey_map is None:
                if instead is None:
                    raise LookupError(f"{template.key}: question {number} has no {WITHOUT_MAP}")
                question = instead
            else:
                question["map"] = _map_entry(survey_map)
        questions.append(question)
    document["survey"]["questions"] = questions
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _map_entry(survey_map: SurveyMap) -> dict:
    return {"name": survey_map.name, "content_type": survey_map.content_type,
            "data": base64.b64encode(survey_map.data).decode("ascii"),
            "control_points": list(survey_map.control_points or [])}


def create_draft(session, organisation_id: int, template: Template, survey_map: SurveyMap | None = None):
    """A new draft survey in the organisation from the template, its place questions on `survey_map` (one
    of the organisation's own maps) or asked as a list. Flushes, never commits.

    :raise ValueError: if `survey_map` belongs to another organisation.
    :raise surveys.transfer.ImportProblem: if the template breaks the import's rules (the tests import each).
    """
    if survey_map is not None and survey_map.organisation_id != organisation_id:
        raise ValueError("the map belongs to another organisation")
    return import_survey(session, organisation_id, survey_file(template, survey_map))
