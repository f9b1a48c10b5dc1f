"""The demo: Vordingborg's town-centre partnership with two open surveys and their answers.

`seed(session)` draws the map of the town centre (town_map), builds the
surveys through the editor's own services, so they are valid exactly like
ones staff make, then adds a few hundred synthetic responses in bulk. The
answers go through each kind's `parse` and `rows`, so they are stored exactly
as the answering flow stores them. The crowd is drawn from
`random.Random(2026)`: every run gives the same answers, spread over the six
weeks before the day it runs.
"""
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from math import exp
from typing import Callable

import click
from flask_babel import force_locale
from sqlalchemy import func, insert, select, update

from engagement.demo import town_map
from engagement.demo.competition import seed_competition
from engagement.demo.premises import seed_premises
from engagement.demo.report import seed_report
from engagement.models import Organisation, Role, User
from engagement.touchpoints.models import Scan, TouchpointKind
from engagement.touchpoints.services import TouchpointValues, create_touchpoint
from extensions import utcnow
from surveys.ages import AGE_BANDS
from surveys.editing import ChoiceEdit, QuestionEdit, change_status, create_survey, save_question
from surveys.kinds import KINDS, NOT_A_NUMBER
from surveys.maps import SurveyMap
from surveys.models import Answer, Question, Response, Survey
from surveys.timezone import from_local, to_local

DEMO_EMAIL = "admin@vordingborg.example"
DEMO_PASSWORD = "bypuls-demo-2026"
STAFF = [
    (DEMO_EMAIL, Role.admin),
    ("redaktoer@vordingborg.example", Role.editor),
    ("laerer@vordingborg.example", Role.teacher),
    ("laeser@vordingborg.example", Role.viewer),
]
CAMPAIGN_DAYS = 42
INCOMPLETE_SHARE = 0.15


@dataclass(frozen=True)
class DemoQuestion:
    """A question of a demo survey, and how the synthetic crowd answers it.

    The weights are relative: `options` pairs each label with how often it is
    picked; `picks` weighs picking 1, 2, 3... options; `points` weighs each
    point of a scale from its low end. Text answers come from `texts`, left
    empty by a `skip` share of people. A place question's options are the
    named `areas` of the demo map, and `places` draws what a phone posts.
    Yes/no keeps the engine's own two labels; its `options` only give their
    weights, yes first. A label or help may be a
    translatable text shared with the app (the age bands, the number hint): it
    is written in the survey's language when the survey is built.
    """
    kind: str
    prompt: str
    help: str = ""
    required: bool = True
    settings: dict = field(default_factory=dict)
    show_if: tuple[int, int] | None = None  # (earlier question's index, its option's index)
    options: tuple[tuple[str, int], ...] = ()
    picks: tuple[int, ...] = (1,)
    points: tuple[int, ...] = ()
    texts: tuple[str, ...] = ()
    skip: float = 0.0
    draw: Callable[[random.Random], float] | None = None
    areas: tuple[tuple[str, list], ...] = ()  # (label, polygon in shares of the map)
    places: Callable[[random.Random, list], list[str]] | None = None


def age_question(*weights) -> DemoQuestion:
    """The age question with the bands the idea form uses too (surveys.ages), so the two can be compared."""
    return DemoQuestion("single_choice", "Hvor gammel er du?",
                        options=tuple(zip(AGE_BANDS.values(), weights, strict=True)))


def minutes_to_town(rng: random.Random) -> float:
    # Most live in town and come by bike; a quarter come in by bus from the villages.
    minutes = rng.triangular(2, 30, 10) if rng.random() < 0.75 else rng.triangular(20, 100, 40)
    return float(round(minutes) if minutes < 10 else 5 * round(minutes / 5))


WHERE_AND_WHY = (
    "Ved stationen om aftenen. Der er mørkt og lidt utrygt",
    "Parkeringspladsen bag Netto, der hænger nogle ældre drenge",
    "Busterminalen, den er beskidt og lugter 🤢",
    "Gågaden når butikkerne er lukket, så er den helt død",
    "Ved havnen sent om aftenen, der er næsten ingen lys",
    "Torvet. De voksne kigger mærkeligt på en, når man bare sidder der",
    "Inde i nogle butikker, man bliver fulgt rundt af personalet",
    "Ved Gåsetårnet når det er mørkt, der er ingen mennesker",
    "Tunnellen under banen",
    "Ved kiosken, der er tit ballade",
    "Skateparken når de store er der",
    "Bag biblioteket",
    "Ingen steder rigtigt, der er bare ikke noget at lave",
)

COME_MORE_OFTEN = (
    "Et sted hvor man kan sidde inde uden at skulle købe noget",
    "Flere bænke og mere lys ved havnen",
    "Billigere mad 🍕",
    "Bedre busser om aftenen. Den sidste bus går alt for tidligt",
    "Tag over skateparken, så man kan skate når det regner",
    "Koncerter og events om sommeren",
    "Gratis wifi og stikkontakter",
    "En ungdomscafé der har åbent til sent",
    "Flere butikker med tøj til unge og ikke kun til voksne",
    "Street food ved havnen 🌭",
    "Et sted hvor man kan game sammen",
    "Et sted at øve musik",
    "At de voksne ikke bliver sure, når vi bare hænger ud 😅",
    "Sikre cykelstier ind til byen",
    "Ved ikke",
    "Mere grønt og en bane til at spille bold",
    "Udendørs fitness ved vandet 💪",
    "En bubble tea-butik 🧋",
    "Studierabat på caféerne",
    "Mere liv om aftenen, alt lukker kl. 17",
)

IDEAS = (
    "Sofaer, brætspil og en playstation. Og gratis vand",
    "Et værksted med 3D-printer, symaskiner og værktøj man kan låne",
    "Et sted hvor man kan lave lektier sammen efter skole",
    "En væg indenfor hvor man må lave graffiti 🎨",
    "En lille scene til open mic og koncerter 🎸",
    "Gaming-rum med gode computere og turneringer fredag aften 🎮",
    "Vi skal selv være med til at bestemme reglerne",
    "En café som unge driver, med billig kakao og toast",
    "Genbrugsbutik med tøj, hvor man kan bytte",
    "Pop-up butik hvor man kan sælge det man selv laver, fx smykker",
    "Et tørt sted at være når det regner, med god musik",
    "Bordtennis og bordfodbold",
    "Lydisoleret øverum med trommer og forstærkere",
    "Udstilling af elevernes kunst fra skolerne",
    "Masser af planter og hygge 🌱",
    "Det skal have åbent til sent, ikke lukke kl. 17",
    "Voksne må gerne være der, men de skal ikke bestemme det hele",
    "Et lille studie hvor man kan optage podcasts og TikToks",
)

YOUNG_PEOPLE = dict(
    slug="unge-i-bymidten",
    title="Unge i bymidten",
    intro=("Hej! Vi er bymidtesamarbejdet i Vordingborg: kommunen, butikkerne og foreningerne i byen. "
           "Vi vil gerne vide, hvor du og dine venner mødes, og hvad der mangler i bymidten.\n\n"
           "Det tager 1 minut. Du er anonym, og vi spørger ikke om dit navn."),
    thanks=("Tak for dine svar! 🙌\n\n"
            "Alle i bymidtesamarbejdet læser svarene. Til foråret viser vi resultaterne for "
            "ungdomsrådet, og så aftaler vi, hvad vi gør først."),
    questions=[
        age_question(4, 36, 30, 16, 9, 5),
        DemoQuestion("multiple_choice", "Hvor mødes du med dine venner i bymidten?", help="Vælg op til 3.",
                     settings={"max_picks": 3}, picks=(40, 35, 25), options=(
                         ("Skateparken", 34), ("Havnen", 30), ("Torvet", 14), ("Biblioteket", 11),
                         ("Ungdomsklubben", 10), ("Rundt i butikkerne", 15),
                         ("På en café eller et pizzeria", 16), ("Et andet sted", 6))),
        DemoQuestion("map_point", "Markér på kortet, hvor du mødes med dine venner", required=False,
                     help="Sæt op til 2 prikker. Skriv gerne, hvad I laver der.",
                     settings={"max_points": 2, "comment": True}, areas=tuple(town_map.AREAS),
                     places=town_map.meeting_points, skip=0.12),
        DemoQuestion("single_choice", "Hvor tit kommer du i bymidten?", options=(
            ("Hver dag", 15), ("Et par gange om ugen", 35), ("En gang om ugen", 22),
            ("Et par gange om måneden", 18), ("Sjældnere", 10))),
        DemoQuestion("scale", "Føler du dig velkommen i bymidten?", points=(8, 17, 33, 28, 14),
                     settings={"low_label": "Slet ikke", "high_label": "Ja, meget", "faces": True}),
        DemoQuestion("rating", "Vil du anbefale en ven at tage ind i bymidten?",
                     points=(4, 3, 5, 8, 9, 14, 13, 15, 14, 8, 7),
                     settings={"low_label": "Nej, slet ikke", "high_label": "Ja, helt sikkert"}),
        DemoQuestion("yes_no", "Er der steder i bymidten, hvor du ikke har lyst til at være?",
                     options=(("Ja", 38), ("Nej", 62))),
        DemoQuestion("short_text", "Hvor, og hvorfor?", required=False, show_if=(6, 0),
                     settings={"max_length": 200}, texts=WHERE_AND_WHY, skip=0.15),
        DemoQuestion("number", "Hvor mange minutter tager det dig at komme ind til byen?",
                     help=NOT_A_NUMBER, settings={"min": 0, "max": 180}, draw=minutes_to_town),
        DemoQuestion("long_text", "Hvad skulle der til, for at du kom oftere?", required=False,
                     settings={"max_length": 1000}, texts=COME_MORE_OFTEN, skip=0.4),
    ],
)

EMPTY_SHOP = dict(
    slug="algade-12",
    title="Det tomme butikslokale på Algade 12",
    intro=("Butikken på Algade 12 har stået tom i lang tid. Nu vil bymidtesamarbejdet og ejeren af huset "
           "gøre den til et sted for unge, og du skal være med til at bestemme, hvad det skal være.\n\n"
           "Det tager 1 minut, og du er anonym."),
    thanks=("Tak for din idé! 💡\n\n"
            "Bymidtesamarbejdet læser alle svar. Til foråret viser vi resultaterne for ungdomsrådet. "
            "Hold øje med plakaten i vinduet på Algade 12: der står, hvornår vi går i gang med at bygge."),
    questions=[
        age_question(2, 30, 34, 20, 10, 4),
        DemoQuestion("single_choice", "Hvis du skulle bestemme: Hvad skal Algade 12 være?", options=(
            ("Et værested, hvor man bare kan hænge ud", 30),
            ("Et værksted (makerspace), hvor man kan bygge og lave ting", 15),
            ("En pop-up butik for unge iværksættere", 10), ("Gaming og e-sport", 24),
            ("Kunst og udstillinger", 9), ("En café, hvor man ikke skal købe noget", 26),
            ("Et øvelokale til musik", 12))),
        DemoQuestion("scale", "Hvor sandsynligt er det, at du ville bruge stedet?", points=(7, 12, 26, 31, 24),
                     settings={"low_label": "Slet ikke", "high_label": "Helt sikkert"}),
        DemoQuestion("multiple_choice", "Hvornår skal der være åbent?", help="Vælg alle dem, der passer.",
                     picks=(30, 35, 22, 10, 3), options=(
                         ("Efter skole på hverdage (kl. 14–18)", 60), ("Hverdagsaftener (kl. 18–22)", 38),
                         ("Fredag aften", 40), ("Lørdag", 35), ("Søndag", 18), ("I skoleferierne", 28))),
        DemoQuestion("long_text", "Fortæl om din idé med dine egne ord", required=False,
                     help="Fx hvad man skal kunne lave der, og hvad der skal være i lokalet.",
                     settings={"max_length": 1000}, texts=IDEAS, skip=0.5),
        DemoQuestion("yes_no", "Vil du være med til at bygge og indrette stedet?",
                     help="Vi holder byggeworkshops i lokalet, når vi går i gang.",
                     options=(("Ja", 45), ("Nej", 55))),
    ],
)


def seed(session) -> Organisation:
    """Create the demo organisation, its staff, both surveys and their responses; flush, never commit.

    :raise click.ClickException: if the organisation 'vordingborg' exists already.
    """
    if session.scalar(select(Organisation.id).where(Organisation.slug == "vordingborg")):
        raise click.ClickException("The demo organisation 'vordingborg' exists already.")
    org = Organisation(slug="vordingborg", name="Vordingborg bymidte")
    session.add(org)
    users = [User(organisation=org, email=email, role=role) for email, role in STAFF]
    users[0].set_password(DEMO_PASSWORD)
    for user in users[1:]:
        # One hash for all: argon2 is slow on purpose, and the demo password is printed anyway.
        user.password_hash = users[0].password_hash
    session.add_all(users)
    session.flush()
    rng = random.Random(2026)
    now = utcnow()
    survey_map = town_map.seed_map(session, org.id)
    surveys = {}
    for definition, count in ((YOUNG_PEOPLE, 300), (EMPTY_SHOP, 220)):
        survey = build_survey(session, org, definition, now, survey_map)
        add_responses(session, survey, definition["questions"], count, rng, now)
        surveys[definition["slug"]] = survey
    session.flush()
    add_touchpoints(session, org, surveys, rng, survey_map)
    competition = seed_competition(session, org, users[0], rng, now, survey_map)
    seed_report(session, org, surveys["unge-i-bymidten"], surveys["algade-12"], competition)
    seed_premises(session, org, users[0], competition, survey_map, rng, now)
    return org


# (name, kind, survey slug, share of that survey's responses it brought, scans per response started)
TOUCHPOINTS = [
    ("Skateparken ved Havnen", TouchpointKind.skate_park, "unge-i-bymidten", 0.35, 4.0),
    ("Vordingborg Gymnasium, kantinen", TouchpointKind.school, "unge-i-bymidten", 0.40, 1.3),
    ("Ungdomsklubben Fristedet", TouchpointKind.youth_club, "unge-i-bymidten", 0.15, 1.6),
    ("Vinduet i Algade 12", TouchpointKind.shop_window, "algade-12", 0.55, 2.5),
    ("Biblioteket, indgangen", TouchpointKind.library, "algade-12", 0.25, 1.8),
]


def add_touchpoints(session, org: Organisation, surveys: dict[str, Survey], rng: random.Random,
                    survey_map: SurveyMap) -> None:
    """Places with QR codes, each placed on the map, that brought part of each survey's responses, and
    their scans.

    The skate park is scanned often but its answers are rarely finished: the
    funnel on the results page has something to show.
    """
    for name, kind, slug, share, scans_per_start in TOUCHPOINTS:
        survey = surveys[slug]
        touchpoint = create_touchpoint(session, org.id, TouchpointValues(
            name=name, kind=kind, target=f"survey:{survey.id}", **town_map.place_of(name, survey_map)))
        unclaimed = session.scalars(select(Response.id).where(
            Response.survey_id == survey.id, Response.touchpoint_id.is_(None)).order_by(Response.id)).all()
        total = session.scalar(select(func.count()).select_from(Response).where(Response.survey_id == survey.id))
        brought = rng.sample(unclaimed, min(len(unclaimed), round(total * share)))
        session.execute(update(Response).where(Response.id.in_(brought)).values(touchpoint_id=touchpoint.id))
        started = session.scalars(select(Response.started_at).where(Response.id.in_(brought))).all()
        session.execute(insert(Scan), [{"touchpoint_id": touchpoint.id, "survey_id": survey.id,
                                        "scanned_at": started[i % len(started)] - timedelta(seconds=rng.randint(5, 90))}
                                       for i in range(round(len(started) * scans_per_start))])
    session.flush()


def build_survey(session, org: Organisation, definition: dict, now: datetime, survey_map: SurveyMap) -> Survey:
    """An open survey made with the editor's services, so the same rules hold as for staff; its place
    questions are asked on `survey_map`."""
    opened = now - timedelta(days=CAMPAIGN_DAYS)
    values = {k: v for k, v in definition.items() if k != "questions"}
    survey = create_survey(session, org.id, language="da", created_at=opened, opens_at=opened, **values)
    for spec in definition["questions"]:
        show_if = None
        if spec.show_if:
            show_if = survey.questions[spec.show_if[0]].choices[spec.show_if[1]].id
        with force_locale(survey.language):
            help_text, labels = str(spec.help), [str(label) for label, _weight in spec.options]
        settings = {**spec.settings, "map_id": survey_map.id} if KINDS[spec.kind].has_map else dict(spec.settings)
        choices = [ChoiceEdit(None, label) for label in labels] + [
            ChoiceEdit(None, label, shape=shape) for label, shape in spec.areas]
        save_question(session, survey, None, QuestionEdit(
            kind=spec.kind, prompt=spec.prompt, help=help_text, required=spec.required, settings=settings,
            show_if_choice_id=show_if, choices=choices))
    change_status(survey, "open")
    session.flush()
    return survey


def add_responses(session, survey: Survey, specs: list[DemoQuestion], count: int,
                  rng: random.Random, now: datetime) -> None:
    """Insert `count` responses with their answers in two bulk statements."""
    responses, answer_sets = [], []
    for _ in range(count):
        started = start_time(rng, now)
        answers = answer_rows(rng, survey, specs)
        if rng.random() < INCOMPLETE_SHARE:
            # Stopped after the first few screens: the answers sent so far are kept.
            answers = answers[:rng.randint(1, min(3, len(answers) - 1))]
            responses.append(dict(started_at=started, updated_at=started + timedelta(seconds=rng.randint(5, 40)),
                                  completed_at=None))
        else:
            done = started + timedelta(seconds=round(rng.triangular(30, 150, 60)))
            responses.append(dict(started_at=started, updated_at=done, completed_at=done))
        answer_sets.append(answers)
    for row in responses:
        row.update(survey_id=survey.id, key=secrets.token_urlsafe(24))
    # Core inserts: the ORM's bulk insert splits the batch wherever a value is None, and
    # asking for ids in insertion order makes SQLite insert one row at a time; match by key.
    table = Response.__table__
    ids = dict(session.execute(insert(table).returning(table.c.key, table.c.id), responses).all())
    session.execute(insert(Answer.__table__), [
        {"choice_id": None, "number": None, "text": None, "x": None, "y": None, **row,
         "response_id": ids[response["key"]], "question_id": question_id}
        for response, answers in zip(responses, answer_sets, strict=True)
        for question_id, rows in answers for row in rows])


def answer_rows(rng: random.Random, survey: Survey, specs: list[DemoQuestion]) -> list[tuple[int, list[dict]]]:
    """One person's answers in question order, as (question id, rows), skipping questions not shown.

    Each answer goes through the kind's own `parse` and `rows`, so it is valid and
    stored as the answering flow would store it.
    """
    picked: set[int] = set()
    answers = []
    for question, spec in zip(survey.questions, specs, strict=True):
        if question.show_if_choice_id is not None and question.show_if_choice_id not in picked:
            continue
        kind = KINDS[question.kind]
        rows = kind.rows(question, kind.parse(question, raw_answer(rng, question, spec)))
        picked |= {row["choice_id"] for row in rows if "choice_id" in row}
        answers.append((question.id, rows))
    return answers


def raw_answer(rng: random.Random, question: Question, spec: DemoQuestion) -> list[str]:
    """What this person's phone would post for the question."""
    if spec.places:
        return [] if rng.random() < spec.skip else spec.places(rng, question.choices)
    if spec.options:
        how_many = rng.choices(range(1, len(spec.picks) + 1), spec.picks)[0]
        pool = list(zip(question.choices, (weight for _label, weight in spec.options), strict=True))
        picked = []
        for _ in range(how_many):
            choice, weight = rng.choices(pool, [w for _c, w in pool])[0]
            pool.remove((choice, weight))
            picked.append(str(choice.id))
        return picked
    if spec.points:
        low = KINDS[question.kind].low
        return [str(low + rng.choices(range(len(spec.points)), spec.points)[0])]
    if spec.draw:
        return [str(spec.draw(rng))]
    return [] if rng.random() < spec.skip else [rng.choice(spec.texts)]


def start_time(rng: random.Random, now: datetime) -> datetime:
    """A start in the six weeks before `now`: most on school days after school, more in the first weeks."""
    local_now = to_local(now).replace(tzinfo=None)
    days = [local_now.date() - timedelta(days=n) for n in range(CAMPAIGN_DAYS)]
    # The posters are new at the start: interest fades over the weeks.
    weights = [(3 if day.weekday() < 5 else 1.6) * (1 + 1.5 * exp(-(CAMPAIGN_DAYS - 1 - n) / 7))
               for n, day in enumerate(days)]
    day = rng.choices(days, weights)[0]
    hour = rng.choices(range(24), SCHOOL_DAY_HOURS if day.weekday() < 5 else WEEKEND_HOURS)[0]
    started = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)))
    if started > local_now - timedelta(minutes=5):
        # Later today: the same time a week before keeps the pattern, and the same
        # number of draws keeps every later answer the same whenever the demo is seeded.
        started -= timedelta(days=7)
    return from_local(started)


# Relative weight of each hour of the day (0–23), Danish time.
SCHOOL_DAY_HOURS = (0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 4, 3, 7, 9, 9, 7, 5, 5, 5, 4, 2, 1)
WEEKEND_HOURS = (1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 5, 5, 5, 4, 4, 4, 5, 4, 3, 2)
