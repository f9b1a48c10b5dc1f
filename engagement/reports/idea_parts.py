"""The blocks of a report's competition section and class-session section.

Only published ideas (approved or winner) appear, with their title, text,
category and photo: never the nickname, the age or the contact someone left.
Votes are those cast in the report's period, so a closed period always counts
the same. A class session fewer than `min_group` pupils took part in shows
"fewer than 5" instead of its numbers.
"""
from datetime import date, datetime, time, timedelta

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from engagement.classes.models import ClassSession
from engagement.classes.services import competition_counts, survey_counts
from engagement.competitions.models import PUBLISHED_STATUSES, Competition, Idea, IdeaPhoto, Vote, Voter
from engagement.competitions.results import CLASS_BALLOTS, IdeaResult, votes_figure
from engagement.reports.document import Chart, IdeaCard, KeyFigures, Notice, Table
from surveys.timezone import from_local, to_local

TOP_IDEAS = 5


def moments(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """The period's Danish days as stored (UTC) times: from the start of `since` to the end of `until`."""
    start = from_local(datetime.combine(since, time())) if since else None
    end = from_local(datetime.combine(until + timedelta(days=1), time())) if until else None
    return start, end


def within(column, start, end) -> list:
    return [condition for condition in (column >= start if start else None, column < end if end else None)
            if condition is not None]


def competition_blocks(session, competition: Competition, since: date | None, until: date | None,
                       key: str) -> list:
    start, end = moments(since, until)
    ideas = session.scalars(select(Idea).where(Idea.competition_id == competition.id,
                                               Idea.status.in_(PUBLISHED_STATUSES))
                            .options(selectinload(Idea.category))).all()
    sent = session.scalar(select(func.count()).select_from(Idea).where(
        Idea.competition_id == competition.id, *within(Idea.submitted_at, start, end)))
    # One labelled expression: written twice, PostgreSQL would see two expressions and refuse the GROUP BY.
    in_class = Voter.ballot.like(CLASS_BALLOTS).label("in_class")
    votes = session.execute(
        select(Vote.idea_id, in_class, func.sum(Vote.dots)).join(Voter, Voter.id == Vote.voter_id)
        .where(Vote.idea_id.in_([idea.id for idea in ideas]), *within(Vote.cast_at, start, end))
        .group_by(Vote.idea_id, in_class)).all()
    public = {idea_id: int(n) for idea_id, is_class, n in votes if not is_class}
    classes = {idea_id: int(n) for idea_id, is_class, n in votes if is_class}
    voters = session.scalar(select(func.count(func.distinct(Voter.id))).join(Vote, Vote.voter_id == Voter.id).where(
        Voter.competition_id == competition.id, *within(Vote.cast_at, start, end)))
    ranked = sorted((IdeaResult(idea, public.get(idea.id, 0), classes.get(idea.id, 0)) for idea in ideas),
                    key=lambda r: (-r.total, r.idea.submitted_at, r.idea.id))
    blocks = [KeyFigures([(_("Ideas sent in the period"), format_number(sent)),
                          (_("Ideas published"), format_number(len(ideas))),
                          (_("Devices that voted"), format_number(voters or 0))])]
    if not ranked:
        return blocks + [Notice(_("No ideas have been published in this competition."))]
    if any(r.total for r in ranked):
        table = Table([_("Idea"), _("Public votes"), _("Class votes"), _("Votes in all")],
                      [[r.idea.title, format_number(r.public), format_number(r.classes), format_number(r.total)]
                       for r in ranked])
        blocks.append(Chart(f"{key}-votes", _("Votes per idea"), votes_figure(ranked), table))
    else:
        blocks.append(Notice(_("No votes were cast in this period.")))
    top = ranked[:TOP_IDEAS]
    photos = dict(session.execute(select(IdeaPhoto.idea_id, IdeaPhoto.print_jpeg).where(
        IdeaPhoto.idea_id.in_([r.idea.id for r in top]))).all())
    for result in top:
        idea = result.idea
        meta = [ngettext("%(num)d vote", "%(num)d votes", result.total)]
        if idea.category:
            meta.append(_("Category: %(name)s", name=idea.category.name))
        if idea.status.value == "winner":
            meta.append(_("Winner"))
        blocks.append(IdeaCard(idea.title, idea.description, " · ".join(meta), photos.get(idea.id) or None))
    return blocks


def class_blocks(session, organisation_id: int, since: date | None, until: date | None, min_group: int) -> list:
    """The class sessions started in the period: how many, and per session what the class did."""
    start, end = moments(since, until)
    sessions = session.scalars(select(ClassSession).where(
        ClassSession.organisation_id == organisation_id, *within(ClassSession.created_at, start, end))
        .options(selectinload(ClassSession.survey), selectinload(ClassSession.competition))
        .order_by(ClassSession.created_at, ClassSession.id)).all()
    if not sessions:
        return [Notice(_("No class sessions were held in this period."))]
    fewer = _("fewer than %(num)d", num=min_group)
    rows, finished, ideas = [], 0, 0
    for class_session in sessions:
        day = to_local(class_session.created_at).strftime("%d.%m.%Y")
        if class_session.survey_id:
            done, _started = survey_counts(session, class_session)
            finished += done
            what, result = class_session.survey.title, (ngettext("%(num)d pupil answered", "%(num)d pupils answered",
                                                                 done) if done >= min_group else fewer)
        else:
            counts = competition_counts(session, class_session)
            ideas += counts["ideas"]
            what = class_session.competition.title
            result = (ngettext("%(num)d idea", "%(num)d ideas", counts["ideas"]) + " · "
                      + ngettext("%(num)d pupil voted", "%(num)d pupils voted", counts["voters"])
                      if counts["voters"] >= min_group or (counts["ideas"] and not counts["voters"]) else fewer)
        rows.append([day, class_session.name, what, result])
    return [KeyFigures([(_("Class sessions"), format_number(len(sessions))),
                        (_("Pupils' answers"), format_number(finished)),
                        (_("Ideas from classes"), format_number(ideas))]),
            Table([_("Date"), _("Class"), _("Worked on"), _("Result")], rows)]
