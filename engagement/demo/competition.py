"""The demo competition: what should the empty shop at Algade 12 become?

`seed_competition(session, org, admin, rng, now)` adds it to the Vordingborg
demo (engagement.demo.seed), in its voting phase: ideas sent over four weeks,
moderated by the demo admin through the moderation service (so the log is
real), a few with photos of sketches drawn here and cleaned by
`photos.clean_photo` like any upload, votes from about 80 phones, and a poster
on the shop's door that brought part of the ideas. Everything is drawn from
the caller's `random.Random`, so every run gives the same demo.
"""
import hashlib
import io
import random
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy import insert

from engagement.competitions import moderation, photos
from engagement.competitions.models import Category, Competition, CompetitionStatus, Idea, Vote, Voter
from engagement.competitions.services import IdeaValues, submit_idea
from engagement.demo import town_map
from engagement.models import Organisation, User
from engagement.touchpoints.models import Scan, TouchpointKind
from engagement.touchpoints.services import TouchpointValues, create_touchpoint
from surveys.maps import SurveyMap

SLUG = "algade-12-ideer"
TITLE = "Hvad skal der ske i det tomme butikslokale på Algade 12?"
BRIEF = (
    "Butikken i Algade 12 har stået tom i to år. Nu må I bestemme, hvad der skal ske i lokalet det næste år.\n\n"
    "Send jeres idé – gerne med en tegning eller et papmodel-foto. Alle kan stemme på de idéer, de kan lide. "
    "De tre idéer med flest stemmer bliver vist for byrådet, og den bedste bliver prøvet af i lokalet."
)
CATEGORIES = ("Kultur og musik", "Mad og fællesskab", "Værksted og kreativitet")
DEVICES = 80

# (title, description, category index, nickname, age band (a key of surveys.ages.AGE_BANDS), sketch or None,
# popularity)
IDEAS = [
    ("Øvelokale for unge bands", "Et lokale med trommesæt og forstærkere, hvor man kan booke en time gratis.",
     0, "Trommeslageren", "16-17", "stage", 9),
    ("Cykelværksted med lånt værktøj", "Et sted hvor man selv kan lappe sin cykel og få hjælp af en frivillig.",
     2, "Mads", "13-15", "workshop", 8),
    ("Billig café drevet af unge", "Kaffe, toast og brætspil. Unge står i kassen og får deres første job.",
     1, "Sofie", "18-20", "cafe", 10),
    ("Gaming-aftener", "Storskærm og konsoller fredag aften, så man ikke bare sidder derhjemme.",
     0, "", "13-15", None, 7),
    ("Genbrugsbutik for tøj", "Byt tøj i stedet for at købe nyt. Aflever en trøje, tag en anden.",
     1, "Ida", "21-25", None, 5),
    ("Lektiecafé om eftermiddagen", "Et roligt sted med wifi og nogen, der kan hjælpe med matematik.",
     1, "", "13-15", None, 4),
    ("Skateshop og reparation", "Sælg brugte boards og skift kuglelejer. Tæt på skateparken.",
     2, "Kickflip", "13-15", "skate", 6),
    ("Kunstudstilling af unges billeder", "Skift udstilling hver måned med tegninger og fotos fra skolerne.",
     0, "Alma", "16-17", None, 3),
    ("Madlavning for unge", "Fællesspisning en gang om ugen, hvor man lærer at lave billig mad.",
     1, "", "21-25", None, 4),
    ("Syværksted", "Symaskiner man kan låne, og kurser i at sy sit eget tøj om.",
     2, "", "26+", None, 2),
    ("Podcaststudie", "Et lille lydtæt rum med mikrofoner, hvor man kan optage podcasts.",
     0, "Lydnørden", "18-20", None, 5),
    ("Plantebytte og grøn oase", "Planter i vinduet og et bord, hvor man kan bytte stiklinger.",
     1, "", "26+", None, 2),
    ("3D-printer og elektronik", "Et makerspace hvor man kan printe og lodde sine egne ting.",
     2, "Robin", "16-17", None, 6),
    ("Scene til open mic", "En lille scene til stand-up, musik og poesi hver anden torsdag.",
     0, "", "21-25", None, 5),
    ("Brætspilscafé", "Hylder med spil og lange borde. Ingen skærme.",
     1, "Meeple", "13-15", None, 4),
]
PENDING = [
    ("Klatrevæg indenfor", "En lille bouldervæg til regnvejrsdage.", 2, "", "13-15"),
    ("Dansestudie med spejle", "Til hiphop og k-pop dans efter skole.", 0, "Yuna", "13-15"),
    ("Gratis frugt", "En kurv med frugt til alle, der går forbi.", 1, "", "u13"),
]
REJECTED = ("Parkeringsplads", "Riv det ned og lav parkering.", 1, "", "26+",
            "Ikke en idé til lokalet; svaret er givet videre til teknisk forvaltning.")


def seed_competition(session, org: Organisation, admin: User, rng: random.Random, now: datetime,
                     survey_map: SurveyMap | None = None) -> Competition:
    """The competition, its ideas, votes, moderation log and the shop-door touchpoint (on `survey_map`, the
    demo's map, if given); flush, never commit."""
    competition = Competition(
        organisation_id=org.id, slug=SLUG, title=TITLE, brief=BRIEF, language="da", status=CompetitionStatus.open,
        submissions_open_at=now - timedelta(days=30), voting_opens_at=now - timedelta(days=4),
        closes_at=now + timedelta(days=10), created_at=now - timedelta(days=32),
        categories=[Category(position=i, name=name) for i, name in enumerate(CATEGORIES)])
    session.add(competition)
    session.flush()
    ideas = add_ideas(session, competition, admin, rng, now)
    add_votes(session, competition, ideas, rng, now)
    add_door_touchpoint(session, org, competition, ideas, rng, survey_map)
    return competition


def add_ideas(session, competition: Competition, admin: User, rng: random.Random,
              now: datetime) -> list[tuple[Idea, int]]:
    """The approved ideas with their popularity; pending and rejected ones are added but not returned."""
    categories = competition.categories
    sent_until = competition.voting_opens_at
    approved = []
    for title, description, category, nickname, age, sketch_kind, popularity in IDEAS:
        idea = send(session, competition, rng, sent_until, IdeaValues(
            title, description, categories[category].id, nickname, age),
            photos.clean_photo(sketch(sketch_kind, rng)) if sketch_kind else None)
        moderation.set_status(session, idea, admin, "approved")
        approved.append((idea, popularity))
    for title, description, category, nickname, age in PENDING:
        # Sent in the last hours before the vote opened: nobody has read them yet.
        send(session, competition, rng, sent_until, IdeaValues(title, description, categories[category].id,
                                                                nickname, age), hours=(2, 20))
    title, description, category, nickname, age, reason = REJECTED
    idea = send(session, competition, rng, sent_until, IdeaValues(title, description, categories[category].id,
                                                                   nickname, age))
    moderation.set_status(session, idea, admin, "rejected", reason=reason)
    session.flush()
    return approved


def send(session, competition, rng, sent_until: datetime, values: IdeaValues, photo=None,
         hours=(24, 26 * 24)) -> Idea:
    idea, _stored = submit_idea(session, competition, f"demo-{rng.getrandbits(128):032x}", values, photo=photo)
    idea.submitted_at = idea.updated_at = sent_until - timedelta(hours=rng.uniform(*hours))
    return idea


def add_votes(session, competition: Competition, ideas: list[tuple[Idea, int]], rng: random.Random,
              now: datetime) -> None:
    """About 80 phones, each voting for one to five ideas, the popular ones more often."""
    voters = [{"competition_id": competition.id, "ballot": "public", "created_at": now - timedelta(hours=i),
               "device_hash": hashlib.sha256(f"demo-device-{i}".encode()).hexdigest()} for i in range(DEVICES)]
    voter_ids = session.scalars(insert(Voter).returning(Voter.id, sort_by_parameter_order=True), voters).all()
    weights = [popularity for _idea, popularity in ideas]
    votes = []
    for voter_id in voter_ids:
        chosen = {ideas[i][0].id for i in rng.choices(range(len(ideas)), weights, k=rng.randint(1, 5))}
        cast_at = competition.voting_opens_at + timedelta(hours=rng.uniform(1, 90))
        votes += [{"voter_id": voter_id, "idea_id": idea_id, "dots": 1, "cast_at": cast_at} for idea_id in chosen]
    session.execute(insert(Vote), votes)


def add_door_touchpoint(session, org: Organisation, competition: Competition, ideas: list[tuple[Idea, int]],
                        rng: random.Random, survey_map: SurveyMap | None) -> None:
    """The poster on the shop's own door: about a third of the ideas came through it, from many more scans."""
    name = "Døren til Algade 12"
    place = town_map.place_of(name, survey_map) if survey_map else {}
    touchpoint = create_touchpoint(session, org.id, TouchpointValues(
        name=name, kind=TouchpointKind.shop_window, address="Algade 12, 4760 Vordingborg",
        headline="Hvad skal Algade 12 være?", target=f"competition:{competition.id}", **place))
    brought = rng.sample([idea for idea, _popularity in ideas], 6)
    for idea in brought:
        idea.touchpoint_id = touchpoint.id
    session.execute(insert(Scan), [
        {"touchpoint_id": touchpoint.id, "competition_id": competition.id,
         "scanned_at": competition.submissions_open_at + timedelta(hours=rng.uniform(1, 34 * 24))}
        for _ in range(140)])
    session.flush()


# -- sketches -------------------------------------------------------------------------------------------

PAPER, PENCIL = (247, 243, 232), (60, 60, 70)
COLOURS = {"stage": (200, 60, 60), "workshop": (40, 110, 170), "cafe": (160, 110, 40), "skate": (60, 150, 80)}


def sketch(kind: str, rng: random.Random) -> bytes:
    """A phone photo of a felt-pen sketch on paper, as a JPEG: a shop front and what would be inside."""
    picture = Image.new("RGB", (1200, 900), PAPER)
    pen = ImageDraw.Draw(picture)
    colour = COLOURS[kind]
    wobble = lambda: rng.randint(-6, 6)  # noqa: E731  (a hand-drawn line is never quite straight)
    pen.rectangle((120 + wobble(), 160 + wobble(), 1080 + wobble(), 800 + wobble()), outline=PENCIL, width=8)
    pen.rectangle((170, 200, 1030, 320), fill=colour)
    pen.text((200, 225), "ALGADE 12", fill=(255, 255, 255), font_size=70)
    pen.rectangle((520 + wobble(), 500, 680 + wobble(), 800), outline=PENCIL, width=7)  # the door
    for left in (180, 740):  # the windows, with what would be inside
        pen.rectangle((left, 400, left + 280, 640), outline=PENCIL, width=6)
        DRAWINGS[kind](pen, left, colour)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85)
    return out.getvalue()


def draw_stage(pen, left, colour):
    pen.polygon([(left + 40, 600), (left + 140, 440), (left + 240, 600)], outline=colour, width=6)
    pen.ellipse((left + 110, 470, left + 170, 530), outline=colour, width=6)


def draw_workshop(pen, left, colour):
    for centre in (left + 80, left + 200):
        pen.ellipse((centre - 50, 520, centre + 50, 620), outline=colour, width=6)
    pen.line((left + 80, 570, left + 140, 480, left + 200, 570), fill=colour, width=6)


def draw_cafe(pen, left, colour):
    pen.rectangle((left + 60, 480, left + 140, 600), outline=colour, width=6)
    pen.arc((left + 120, 500, left + 180, 560), -90, 90, fill=colour, width=6)
    pen.ellipse((left + 180, 560, left + 250, 600), outline=colour, width=5)


def draw_skate(pen, left, colour):
    pen.arc((left + 20, 420, left + 260, 660), 0, 180, fill=colour, width=8)
    pen.rounded_rectangle((left + 80, 560, left + 200, 585), radius=10, outline=PENCIL, width=5)


DRAWINGS = {"stage": draw_stage, "workshop": draw_workshop, "cafe": draw_cafe, "skate": draw_skate}
