"""A competition's results: votes per idea (public and class ballots), ideas per category, and their charts.

Counts are SQL aggregates. Figures are plain Plotly dicts built like
`engagement.common.charts`: every idea title and category name goes
through `plain`, so people's words are shown as text, never as markup.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from engagement.common.charts import BASE_LAYOUT, GREEN, plain
from engagement.competitions.models import Competition, Idea, IdeaStatus, Vote, Voter
from engagement.competitions.services import vote_counts

CLASS_BALLOTS = "class-%"  # a class session's own vote: services.class_ballot(id)
CLASS_COLOUR = "#8fc1a9"
CHART_LIMIT = 40  # more bars than this cannot be read; the table beside the chart has them all


@dataclass
class IdeaResult:
    idea: Idea
    public: int
    classes: int

    @property
    def total(self) -> int:
        return self.public + self.classes


def class_vote_counts(session, idea_ids) -> dict[int, int]:
    """{idea id: dots received in all class sessions' ballots}; ideas without class votes are missing."""
    ids = list(idea_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Vote.idea_id, func.sum(Vote.dots)).join(Voter, Voter.id == Vote.voter_id)
        .where(Vote.idea_id.in_(ids), Voter.ballot.like(CLASS_BALLOTS)).group_by(Vote.idea_id))
    return {idea_id: int(total) for idea_id, total in rows}


def idea_results(session, competition: Competition) -> list[IdeaResult]:
    """Every idea that was not rejected, most votes (public and class together) first."""
    ideas = session.scalars(select(Idea).where(Idea.competition_id == competition.id,
                                               Idea.status != IdeaStatus.rejected)
                            .order_by(Idea.submitted_at, Idea.id)).all()
    ids = [idea.id for idea in ideas]
    public, classes = vote_counts(session, ids), class_vote_counts(session, ids)
    results = [IdeaResult(idea, public.get(idea.id, 0), classes.get(idea.id, 0)) for idea in ideas]
    return sorted(results, key=lambda r: (-r.total, r.idea.submitted_at, r.idea.id))


def category_counts(session, competition: Competition) -> list[tuple[str, int]]:
    """(category name, ideas not rejected) in the categories' order, then ideas without a category if any;
    [] for a competition without categories."""
    if not competition.categories:
        return []
    rows = dict(session.execute(select(Idea.category_id, func.count()).where(
        Idea.competition_id == competition.id, Idea.status != IdeaStatus.rejected).group_by(Idea.category_id)).all())
    counts = [(category.name, rows.get(category.id, 0)) for category in competition.categories]
    if rows.get(None):
        counts.append((_("No category"), rows[None]))
    return counts


def short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def votes_figure(results: list[IdeaResult]) -> dict:
    """Votes per idea as horizontal bars, public and class votes stacked, most votes on top."""
    shown = results[:CHART_LIMIT]
    # Two ideas may have the same title: the number keeps each its own bar.
    labels = [plain(f"{short(r.idea.title)} (#{r.idea.id})") for r in shown]
    traces = [("public", _("Public votes"), GREEN)]
    if any(r.classes for r in shown):
        traces.append(("classes", _("Class votes"), CLASS_COLOUR))
    data = [{"type": "bar", "orientation": "h", "name": plain(name), "y": labels,
             "x": [getattr(r, key) for r in shown], "marker": {"color": colour},
             "hovertemplate": "%{y}: %{x}<extra>" + plain(name) + "</extra>"} for key, name, colour in traces]
    return {"data": data,
            "layout": {**BASE_LAYOUT, "barmode": "stack", "showlegend": len(traces) > 1,
                       "legend": {"orientation": "h", "y": -0.12}, "height": 90 + 34 * len(shown),
                       "yaxis": {"autorange": "reversed", "automargin": True},
                       "xaxis": {"rangemode": "tozero", "automargin": True}}}


def categories_figure(counts: list[tuple[str, int]]) -> dict:
    return {"data": [{"type": "bar", "orientation": "h", "y": [plain(short(name)) for name, _n in counts],
                      "x": [n for _name, n in counts], "marker": {"color": GREEN}, "text": [str(n) for _l, n in counts],
                      "textposition": "auto", "hoverinfo": "skip"}],
            "layout": {**BASE_LAYOUT, "height": 60 + 42 * len(counts),
                       "yaxis": {"autorange": "reversed", "automargin": True},
                       "xaxis": {"rangemode": "tozero", "automargin": True}}}
