"""Plain builder functions with overrides: `make_survey(db, org, title=...)`."""
import functools
from itertools import count

from engagement.models import Organisation, Role, User
from surveys.editing import ChoiceEdit, QuestionEdit, save_question
from surveys.models import Choice, Survey, SurveyStatus

_numbers = count(1)
PASSWORD = "correct horse battery"


def make_org(db, **overrides) -> Organisation:
    n = next(_numbers)
    org = Organisation(**{"slug": f"org-{n}", "name": f"Organisation {n}", **overrides})
    db.session.add(org)
    db.session.commit()
    return org


@functools.cache
def password_hash(password: str) -> str:
    """Hashing is slow on purpose (argon2); the tests hash each password once."""
    user = User()
    user.set_password(password)
    return user.password_hash


def make_user(db, org, role="editor", password=PASSWORD, **overrides) -> User:
    user = User(organisation=org, role=Role(role), password_hash=password_hash(password),
                **{"email": f"user{next(_numbers)}@example.dk", **overrides})
    db.session.add(user)
    db.session.commit()
    return user


def make_survey(db, org, questions=(), status="open", **overrides) -> Survey:
    """A survey with `questions`: each a dict of QuestionEdit fields plus `choices` as labels.

    `show_if` may name an earlier question's choice as (question index, choice label).
    """
    n = next(_numbers)
    survey = Survey(organisation_id=org.id, **{"slug": f"survey-{n}", "title": f"Survey {n}",
                                               "status": SurveyStatus(status), **overrides})
    db.session.add(survey)
    db.session.flush()
    for spec in questions:
        spec = dict(spec)
        labels = spec.pop("choices", [])
        show_if = spec.pop("show_if", None)
        if show_if:
            source = survey.questions[show_if[0]]
            spec["show_if_choice_id"] = next(c.id for c in source.choices if c.label == show_if[1])
        save_question(db.session, survey, None, QuestionEdit(
            choices=[ChoiceEdit(None, label) for label in labels], **spec))
    db.session.commit()
    return survey


EVERY_KIND = [
    {"kind": "single_choice", "prompt": "Hvor gammel er du?", "choices": ["Under 13", "13-17", "18-25", "Over 25"]},
    {"kind": "multiple_choice", "prompt": "Hvor mødes du med venner?",
     "choices": ["Skateparken", "Biblioteket", "Havnen", "Torvet"],
     "settings": {"max_picks": 2}},
    {"kind": "yes_no", "prompt": "Kommer du i bymidten hver uge?"},
    {"kind": "short_text", "prompt": "Hvorfor ikke?", "show_if": (2, "Nej")},
    {"kind": "scale", "prompt": "Hvor tryg føler du dig om aftenen?",
     "settings": {"low_label": "Utryg", "high_label": "Tryg", "faces": True}},
    {"kind": "rating", "prompt": "Hvor gerne vil du anbefale bymidten til en ven?"},
    {"kind": "number", "prompt": "Hvor mange minutter tager turen ind til byen?", "settings": {"min": 0, "max": 300}},
    {"kind": "long_text", "prompt": "Hvad mangler du i bymidten?", "required": False, "settings": {"max_length": 500}},
    {"kind": "image_choice", "prompt": "Hvilken bænk er bedst?", "choices": ["Træ", "Beton"]},
]


def make_competition(db, org, status="open", categories=(), **overrides):
    """A competition collecting ideas (moderated, photo optional, single votes) unless overridden."""
    from engagement.competitions.models import Category, Competition, CompetitionStatus

    n = next(_numbers)
    competition = Competition(organisation_id=org.id, **{
        "slug": f"competition-{n}", "title": f"Competition {n}",
        "brief": "Hvad skal der ske i det tomme butikslokale på Algade 12?",
        "status": CompetitionStatus(status), **overrides})
    competition.categories = [Category(position=i, name=name) for i, name in enumerate(categories)]
    db.session.add(competition)
    db.session.commit()
    return competition


def make_idea(db, competition, status="approved", photo=None, **overrides):
    """An idea sent to `competition`, by default already approved; `photo` is a CleanPhoto."""
    from engagement.competitions.models import IdeaStatus
    from engagement.competitions.services import IdeaValues, submit_idea
    from surveys.answering import new_key

    fields = {"title": f"Idé {next(_numbers)}", "description": "Et værksted for skateboards og cykler.",
              **overrides}
    session_id = fields.pop("class_session_id", None)
    idea, _ = submit_idea(db.session, competition, new_key(), IdeaValues(**fields), photo=photo,
                          class_session_id=session_id)
    idea.status = IdeaStatus(status)
    db.session.commit()
    return idea


def map_picture(size=(1200, 800), fmt="PNG") -> bytes:
    """A plain town map: a grey street across, a blue harbour at the bottom right."""
    import io

    from PIL import Image, ImageDraw

    picture = Image.new("RGB", size, "#f3efe6")
    draw = ImageDraw.Draw(picture)
    width, height = size
    draw.rectangle((0, height * 0.45, width, height * 0.55), fill="#9a9a9a")
    draw.rectangle((width * 0.7, height * 0.7, width, height), fill="#6fa8dc")
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


def make_map(db, org, name="Bymidten", size=(1200, 800), control_points=()):
    """One of the organisation's maps, stored as an upload would be."""
    from surveys.maps import store_map

    survey_map = store_map(db.session, org.id, name, map_picture(size))
    survey_map.control_points = list(control_points)
    db.session.commit()
    return survey_map


# Named areas of a place question on make_map's map, as (label, polygon in shares).
AREAS = [("Torvet", [[0.1, 0.1], [0.4, 0.1], [0.4, 0.4], [0.1, 0.4]]),
         ("Havnen", [[0.7, 0.7], [1.0, 0.7], [1.0, 1.0], [0.7, 1.0]])]


def make_place_survey(db, org, survey_map, max_points=1, comment=False, required=True, areas=AREAS, **overrides):
    """An open survey whose first question is a place question on `survey_map` with `areas`, then a
    short text question."""
    survey = make_survey(db, org, [
        {"kind": "map_point", "prompt": "Markér, hvor du mødes med dine venner", "required": required,
         "settings": {"map_id": survey_map.id, "max_points": max_points, "comment": comment}},
        {"kind": "short_text", "prompt": "Hvad mangler der?", "required": False}], **overrides)
    question = survey.questions[0]
    for position, (label, shape) in enumerate(areas, start=1):
        question.choices.append(Choice(label=label, position=position, shape=shape))
    db.session.commit()
    return survey
