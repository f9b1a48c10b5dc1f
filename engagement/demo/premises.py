"""The demo's whole loop on Algade 12: the empty shop in the register with its owner's contact, the window
and door posters and the idea competition linked to it, a class that sent ideas, the most popular idea
being tried out now with a feedback survey answered before and during the trial, and an earlier trial
with its decision on the front page."""
import random
import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select

from engagement.classes.models import ClassSession
from engagement.competitions.models import Competition, Idea, IdeaOutcome, IdeaStatus, IdeaUpdate
from engagement.demo import town_map
from engagement.models import Organisation, User
from engagement.premises.models import (
    Premises,
    PremisesKind,
    PremisesStatus,
    StatusChange,
    Trial,
    TrialDecision,
)
from engagement.touchpoints.models import Touchpoint, TouchpointKind
from engagement.touchpoints.services import TouchpointValues, create_touchpoint
from surveys.catalogue import BY_KEY, create_draft
from surveys.maps import SurveyMap
from surveys.models import Answer, Response, Survey, SurveyStatus
from surveys.timezone import from_local, to_local

ADDRESS = "Algade 12, 4760 Vordingborg"
TRIAL_DAYS_AGO, TRIAL_DAYS_LEFT = 10, 18
# How people answered the feedback survey before the trial (a quiet empty shop) and during it.
BEFORE = {"seen": (25, 75), "liked": (20, 25, 30, 15, 10), "keep": (10, 15, 35, 40)}
DURING = {"seen": (85, 15), "liked": (4, 6, 15, 40, 35), "keep": (45, 35, 8, 12)}
CHANGE = ("Længere åbent om aftenen", "Lydisolering, så naboerne ikke klager", "Flere tider i weekenden",
          "Et sted at sidde og vente")
OTHER_IDEAS = ("Et sted at lave lektier", "Gaming-aftener", "Kunstudstilling fra skolerne", "", "", "")


def seed_premises(session, org: Organisation, admin: User, competition: Competition, survey_map: SurveyMap | None,
                  rng: random.Random, now: datetime) -> Premises:
    """Flush, never commit."""
    today = to_local(now).date()
    place = town_map.place_of("Vinduet i Algade 12", survey_map) if survey_map else {}
    point = {key: place.get(key) for key in ("map_id", "map_x", "map_y")}
    premises = Premises(
        organisation_id=org.id, address=ADDRESS, kind=PremisesKind.empty_shop, status=PremisesStatus.in_trial,
        **point,
        owner_name="Algade 12 ApS v/ Henrik Madsen", owner_email="henrik.madsen@example.dk",
        owner_phone="20 30 40 50", contact_purpose="Dialog med ejeren om midlertidig brug af lokalet.",
        contact_delete_on=today + timedelta(days=365), created_at=now - timedelta(days=120),
        notes="Tomt siden januar. Ejeren er åben for en afprøvning uden husleje, hvis vi betaler el og varme.")
    premises.status_changes = [
        StatusChange(status=PremisesStatus.vacant, note="Butikken lukkede.", user_id=admin.id,
                     changed_at=now - timedelta(days=120)),
        StatusChange(status=PremisesStatus.in_trial, note="Afprøvning: øvelokale for unge bands.",
                     user_id=admin.id, changed_at=now - timedelta(days=TRIAL_DAYS_AGO))]
    session.add(premises)
    session.flush()
    competition.premises_id = premises.id
    for touchpoint in session.scalars(select(Touchpoint).where(
            Touchpoint.organisation_id == org.id, Touchpoint.name.contains("Algade 12"))):
        touchpoint.premises_id = premises.id
    feedback = feedback_survey(session, org, rng, now)
    window = create_touchpoint(session, org.id, TouchpointValues(
        name="Algade 12 under afprøvningen", kind=TouchpointKind.shop_window, address=ADDRESS,
        headline="Hvad synes du om øvelokalet?", target=f"survey:{feedback.id}", **place))
    window.premises_id = premises.id
    add_class(session, org, admin, competition, now)
    idea = most_popular(session, competition)
    idea.outcome = IdeaOutcome.trying
    session.add(IdeaUpdate(idea_id=idea.id, outcome=IdeaOutcome.trying, created_at=now - timedelta(days=11),
                           answer="Vi prøver idéen af i Algade 12 i fire uger. Sig, hvad du synes, på plakaten i "
                                  "vinduet."))
    session.add_all([
        Trial(organisation_id=org.id, premises_id=premises.id, title="Øvelokale for unge bands i Algade 12",
              description="Trommesæt og forstærkere, gratis at booke en time ad gangen, åbent kl. 15–21.",
              starts_on=today - timedelta(days=TRIAL_DAYS_AGO), ends_on=today + timedelta(days=TRIAL_DAYS_LEFT),
              survey_id=feedback.id, ideas=[idea], created_at=now - timedelta(days=TRIAL_DAYS_AGO + 4)),
        Trial(organisation_id=org.id, premises_id=premises.id, title="Pop-up-café i sommerferien",
              description="En café drevet af unge fra ungdomsklubben i tre uger i juli.",
              starts_on=date(today.year, 7, 6), ends_on=date(today.year, 7, 26),
              decision=TrialDecision.refine, decided_at=now - timedelta(days=100),
              public_note="Caféen var populær om eftermiddagen, men stod tom om formiddagen. Næste gang åbner "
                          "vi kl. 14 og laver lektiecafé om tirsdagen.", created_at=now - timedelta(days=150)),
    ])
    session.flush()
    return premises


def feedback_survey(session, org: Organisation, rng: random.Random, now: datetime) -> Survey:
    """The catalogue's trial feedback survey, answered for three weeks before the trial and since it began."""
    survey = create_draft(session, org.id, BY_KEY["feedback-paa-afproevning"])
    survey.slug, survey.status = "algade-12-afproevning", SurveyStatus.open
    survey.created_at = now - timedelta(days=TRIAL_DAYS_AGO + 21)
    session.flush()
    start = to_local(now).replace(tzinfo=None) - timedelta(days=TRIAL_DAYS_AGO)
    add_feedback(session, survey, rng, BEFORE, 70, start - timedelta(days=21), start)
    add_feedback(session, survey, rng, DURING, 110, start, to_local(now).replace(tzinfo=None) - timedelta(hours=1))
    return survey


def add_feedback(session, survey: Survey, rng: random.Random, weights: dict, count: int, first: datetime,
                 last: datetime) -> None:
    """`count` finished responses started between `first` and `last` (Danish time), answering as `weights`."""
    questions = survey.questions
    span = (last - first).total_seconds()
    for _ in range(count):
        local = first + timedelta(seconds=rng.uniform(0, span))
        # Drawn every time, so the answers below are the same whatever the time of day the demo is seeded.
        evening = time(rng.randint(14, 20), rng.randrange(60))
        if not 8 <= local.hour <= 22:
            local = datetime.combine(local.date(), evening)
            if local > last:  # this evening has not come yet: the evening before
                local -= timedelta(days=1)
        started = from_local(local).replace(tzinfo=None)
        done = started + timedelta(seconds=rng.randint(35, 110))
        response_id = session.execute(insert(Response).values(
            survey_id=survey.id, key=secrets.token_urlsafe(24), started_at=started, updated_at=done,
            completed_at=done).returning(Response.id)).scalar()
        rows = []
        seen = rng.choices(questions[0].choices, weights["seen"])[0]
        rows.append((questions[0], {"choice_id": seen.id}))
        if seen is questions[0].choices[0]:  # "Ja": they have seen it
            rows.append((questions[1], {"number": float(rng.choices(range(1, 6), weights["liked"])[0])}))
            keep = rng.choices(questions[2].choices, weights["keep"])[0]
            rows.append((questions[2], {"choice_id": keep.id}))
            if keep is questions[2].choices[1]:  # "Ja, men det skal laves om"
                rows.append((questions[3], {"text": rng.choice(CHANGE)}))
        other = rng.choice(OTHER_IDEAS)
        if other:
            rows.append((questions[4], {"text": other}))
        rows.append((questions[5], {"choice_id": rng.choices(questions[5].choices, (20, 30, 25, 15, 10))[0].id}))
        rows.append((questions[6], {"choice_id": rng.choices(questions[6].choices, (5, 25, 30, 20, 10, 10))[0].id}))
        session.execute(insert(Answer), [{"response_id": response_id, "question_id": question.id, "choice_id": None,
                                          "number": None, "text": None, "x": None, "y": None, **row}
                                         for question, row in rows])


def add_class(session, org: Organisation, admin: User, competition: Competition, now: datetime) -> None:
    """A class that worked on the competition three weeks ago: four of the published ideas are theirs."""
    class_session = ClassSession(organisation_id=org.id, teacher_id=admin.id, name="8.b Kulsbjerg Skole",
                                 code="DEMK8B", competition_id=competition.id, created_at=now - timedelta(days=21),
                                 ends_at=now - timedelta(days=21) + timedelta(hours=2),
                                 ended_at=now - timedelta(days=21) + timedelta(hours=1, minutes=40))
    session.add(class_session)
    session.flush()
    ideas = session.scalars(select(Idea).where(Idea.competition_id == competition.id,
                                               Idea.status == IdeaStatus.approved).order_by(Idea.id)).all()
    for idea in ideas[1::3][:4]:
        idea.class_session_id = class_session.id


def most_popular(session, competition: Competition) -> Idea:
    from engagement.competitions.results import idea_results

    return idea_results(session, competition)[0].idea
