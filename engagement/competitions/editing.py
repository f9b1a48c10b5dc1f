"""Building a competition: its settings, its categories, and the quick changes of phase.

Services take the database session and plain values, flush and never commit.
A refusal is a `CompetitionRefused` whose message tells staff why, in their
language.
"""
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from engagement.competitions.models import (
    Category,
    Competition,
    CompetitionStatus,
    Idea,
    IdeaStatus,
    PhotoRule,
    VotingMode,
)
from engagement.competitions.text import without_nul
from engagement.mail import services as mail
from surveys.forms import slugify_title


class CompetitionRefused(Exception):
    """The change is not allowed; str(error) says why."""


@dataclass
class CompetitionValues:
    title: str
    brief: str
    language: str = "da"
    slug: str = ""  # "" makes one from the title
    photo_rule: PhotoRule = PhotoRule.optional
    moderated: bool = True
    voting_mode: VotingMode = VotingMode.single
    dots_per_device: int = 5
    # Naive UTC, as stored.
    submissions_open_at: datetime | None = None
    voting_opens_at: datetime | None = None
    closes_at: datetime | None = None
    contacts_kept_until: date | None = None  # None: CONTACTS_KEPT after the close
    # The premises it is about (engagement.premises, by table name); the form offers only the organisation's.
    premises_id: int | None = None


def unique_slug(session, wanted: str, competition_id: int | None = None) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... whichever no other competition has."""
    base = wanted or "konkurrence"
    candidate, n = base, 1
    while session.scalar(select(Competition.id).where(Competition.slug == candidate,
                                                      Competition.id != (competition_id or 0))):
        n += 1
        candidate = f"{base[:75]}-{n}"
    return candidate


def idea_count(session, competition: Competition) -> int:
    return session.scalar(select(func.count(Idea.id)).where(Idea.competition_id == competition.id))


def create_competition(session, organisation_id: int, values: CompetitionValues) -> Competition:
    """A new draft competition; its slug is made unique (`-2`, `-3`...) if it is taken."""
    competition = Competition(organisation_id=organisation_id, status=CompetitionStatus.draft)
    competition.slug = unique_slug(session, values.slug or slugify_title(values.title))
    apply_values(competition, values)
    session.add(competition)
    session.flush()
    return competition


def update_competition(session, competition: Competition, values: CompetitionValues) -> None:
    """Change the settings. The slug changes only while there are no ideas (posters carry `/c/<slug>`).

    :raise CompetitionRefused: if the slug would change on a competition that has ideas.
    """
    if values.slug and values.slug != competition.slug:
        if idea_count(session, competition):
            raise CompetitionRefused(_("The web address cannot change: the competition already has ideas, "
                                       "and posters carry the address."))
        competition.slug = unique_slug(session, values.slug, competition.id)
    apply_values(competition, values)
    session.flush()


def apply_values(competition: Competition, values: CompetitionValues) -> None:
    for name in ("title", "brief", "language", "photo_rule", "moderated", "voting_mode", "dots_per_device",
                 "submissions_open_at", "voting_opens_at", "closes_at", "contacts_kept_until", "premises_id"):
        setattr(competition, name, getattr(values, name))


def keep_contacts_no_longer(session, competition: Competition) -> int:
    """After a change of dates: addresses already left with ideas go no later than the competition's
    deadline now is (a later deadline never keeps them past what their form said). Returns how many
    addresses now go sooner."""
    deadline = competition.fixed_contact_deadline()
    if deadline is None:
        return 0
    ideas = select(Idea.contact_id).where(Idea.competition_id == competition.id, Idea.contact_id.is_not(None))
    return mail.keep_no_longer_than(session, ideas, deadline)


# Quick actions on the competition page -> what they do.
def change_phase(competition: Competition, action: str, now: datetime) -> None:
    """"publish" or "reopen" (status open), "start_voting" (voting opens now), "close" (closed now).

    :raise CompetitionRefused: for an unknown action, or opening one whose closing time has passed.
    """
    if action in ("publish", "reopen"):
        if competition.closes_at and competition.closes_at <= now:
            raise CompetitionRefused(_("The closing time has passed. Change or clear it in the settings first."))
        competition.status = CompetitionStatus.open
    elif action == "start_voting":
        start_voting(competition, now)
    elif action == "close":
        competition.status = CompetitionStatus.closed
    else:
        raise CompetitionRefused(_("Unknown action."))


def start_voting(competition: Competition, now: datetime) -> None:
    """Voting from now on; dates that would contradict it (submissions later, a past close) give way."""
    competition.status = CompetitionStatus.open
    competition.voting_opens_at = now
    if competition.submissions_open_at and competition.submissions_open_at > now:
        competition.submissions_open_at = now
    if competition.closes_at and competition.closes_at <= now:
        competition.closes_at = None


def status_counts(session, competition_ids) -> dict[int, dict[IdeaStatus, int]]:
    """{competition id: {idea status: number of ideas}}, every status present (0 if none)."""
    counts = {cid: {status: 0 for status in IdeaStatus} for cid in competition_ids}
    if counts:
        rows = session.execute(select(Idea.competition_id, Idea.status, func.count())
                               .where(Idea.competition_id.in_(list(counts)))
                               .group_by(Idea.competition_id, Idea.status))
        for cid, status, n in rows:
            counts[cid][status] = n
    return counts


def check_category_name(competition: Competition, name: str, category: Category | None = None) -> str:
    """The name as stored: spaces tidied, NUL dropped (PostgreSQL refuses it).

    :raise CompetitionRefused: for an empty, too long or repeated name.
    """
    name = " ".join(without_nul(name).split())
    if not name:
        raise CompetitionRefused(_("Give the category a name."))
    if len(name) > 100:
        raise CompetitionRefused(_("Use at most %(max)d characters.", max=100))
    if any(c.name.casefold() == name.casefold() and c is not category for c in competition.categories):
        raise CompetitionRefused(_("There is already a category called “%(name)s”.", name=name))
    return name


def add_category(session, competition: Competition, name: str) -> Category:
    name = check_category_name(competition, name)
    position = max((c.position for c in competition.categories), default=-1) + 1
    category = Category(position=position, name=name)
    competition.categories.append(category)
    session.flush()
    return category


def rename_category(session, competition: Competition, category: Category, name: str) -> None:
    category.name = check_category_name(competition, name, category)
    session.flush()


def move_category(session, competition: Competition, category: Category, step: int) -> None:
    """Swap with the neighbour above (step -1) or below (+1); at either end nothing moves."""
    ordered = sorted(competition.categories, key=lambda c: c.position)
    index = ordered.index(category)
    other = index + step
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
        for position, each in enumerate(ordered):
            each.position = position
    session.flush()


def remove_category(session, competition: Competition, category: Category) -> None:
    """:raise CompetitionRefused: if ideas are filed under the category."""
    used = session.scalar(select(func.count(Idea.id)).where(Idea.category_id == category.id))
    if used:
        raise CompetitionRefused(ngettext("“%(name)s” cannot be removed: %(num)d idea is filed under it. "
                                          "Rename it instead.",
                                          "“%(name)s” cannot be removed: %(num)d ideas are filed under it. "
                                          "Rename it instead.", used, name=category.name))
    competition.categories.remove(category)
    for position, each in enumerate(sorted(competition.categories, key=lambda c: c.position)):
        each.position = position
    session.flush()
