"""The moderation queue, an idea's photo for staff, typo corrections and the audit log.

Admins and editors moderate; only admins read the audit log. Every action goes
through `engagement.competitions.moderation`, which records who did what.
"""
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from engagement.common.access import admin_required
from engagement.competitions import editing, moderation
from engagement.competitions.access import load_competition, load_idea, moderator_required
from engagement.competitions.forms import IdeaAnswerForm, IdeaTextForm
from engagement.competitions.models import Idea, IdeaOutcome, IdeaStatus
from engagement.competitions.services import vote_counts
from engagement.competitions.staff import bp
from engagement.competitions.text import parse_id, without_nul
from extensions import db, utcnow
from surveys.ages import age_label

ACTION_DONE = {"approved": _l("“%(title)s” is approved and shown in the gallery."),
               "rejected": _l("“%(title)s” is rejected. It is not shown in public."),
               "winner": _l("“%(title)s” is marked as a winner."),
               "unwinner": _l("“%(title)s” is no longer a winner."),
               "reopened": _l("“%(title)s” is waiting for review again.")}
ACTION_LABELS = {"approved": _l("Approved"), "rejected": _l("Rejected"), "winner": _l("Marked as winner"),
                 "unwinner": _l("Winner mark removed"), "reopened": _l("Back to review"),
                 "edited": _l("Text corrected"), "answered": _l("Answered in public")}


def queue_filters(values) -> dict:
    """The queue's filters from query or form values: {"status": ..., "category": ...}, unreadable ones left out.
    Without a status the queue shows the ideas waiting for review ("all" shows every idea)."""
    filters = {}
    status = values.get("status", "pending")
    if status == "all" or status in IdeaStatus.__members__:
        filters["status"] = status
    category = parse_id(values.get("category", ""))
    if category is not None:
        filters["category"] = str(category)
    return filters


@bp.get("/<int:competition_id>/ideas")
@moderator_required
def queue(competition_id):
    competition = load_competition(competition_id)
    filters = queue_filters(request.args)
    status = IdeaStatus[filters["status"]] if filters.get("status", "all") != "all" else None
    category_id = int(filters["category"]) if "category" in filters else None
    page = request.args.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100_000 else 1
    ideas, pages = moderation.queue(db.session, competition, status, category_id, page)
    return render_template("engagement/competitions/staff/queue.html", competition=competition, ideas=ideas,
                           filters=filters, page=min(page, pages), pages=pages, age_label=age_label,
                           counts=editing.status_counts(db.session, [competition.id])[competition.id],
                           votes=vote_counts(db.session, [i.id for i in ideas]))


@bp.post("/<int:competition_id>/ideas/<int:idea_id>/status")
@moderator_required
def set_status(competition_id, idea_id):
    """Approve, reject (with an optional reason kept for staff), mark or unmark a winner, or reopen."""
    competition = load_competition(competition_id)
    idea = load_idea(competition, idea_id)
    action = request.form.get("action", "")
    if action not in moderation.STATUS_ACTIONS:
        flash(_("Unknown action."), "error")
    elif not allowed(idea, action):
        flash(_("This cannot be done to an idea that is “%(status)s”.", status=idea.status.label), "error")
    elif moderation.set_status(db.session, idea, current_user, action, reason=typed_reason()):
        db.session.commit()
        flash(str(ACTION_DONE[action]) % {"title": idea.title})
    else:  # another moderator was quicker, or a double tap: say so rather than claim a change
        flash(_("“%(title)s” was already “%(status)s”. Nothing changed.", title=idea.title,
                status=idea.status.label))
    return back_to_queue(competition, idea)


def typed_reason() -> str:
    return without_nul(request.form.get("reason", ""))[:2000]


def allowed(idea: Idea, action: str) -> bool:
    """A winner must be a published idea; only a winner can lose the mark, and only through "unwinner"
    ("approved" would silently take it away: the queue shows no Approve button on a winner)."""
    if action == "winner":
        return idea.status in (IdeaStatus.approved, IdeaStatus.winner)
    if action == "unwinner":
        return idea.status is IdeaStatus.winner
    if action == "approved":
        return idea.status is not IdeaStatus.winner
    return True


def back_to_queue(competition, idea: Idea):
    filters = queue_filters(request.form)
    return redirect(url_for("competitions.queue", competition_id=competition.id, **filters,
                            _anchor=f"idea-{idea.id}"), 303)


@bp.route("/<int:competition_id>/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit_idea(competition_id, idea_id):
    """Correct obvious typos in an idea's title and description; the log keeps both texts."""
    competition = load_competition(competition_id)
    idea = load_idea(competition, idea_id)
    form = IdeaTextForm(obj=idea)
    if form.validate_on_submit():
        if moderation.edit_text(db.session, idea, current_user, form.title.data, form.description.data or ""):
            db.session.commit()
            flash(_("The text is corrected. The text as it was sent is kept in the audit log."))
        return redirect(url_for("competitions.queue", competition_id=competition.id, status="all",
                                _anchor=f"idea-{idea.id}"), 303)
    return render_template("engagement/competitions/staff/edit_idea.html", competition=competition, idea=idea,
                           form=form), 422 if form.errors else 200


@bp.route("/<int:competition_id>/ideas/<int:idea_id>/answer", methods=["GET", "POST"])
@moderator_required
def answer_idea(competition_id, idea_id):
    """Tell in public what became of a published idea; its page shows every answer as a history."""
    competition = load_competition(competition_id)
    idea = load_idea(competition, idea_id)
    if not idea.status.published:
        flash(_("Only an idea shown in the gallery can be answered in public."), "error")
        return back_to_queue(competition, idea)
    form = IdeaAnswerForm(outcome=idea.outcome.value if idea.outcome else None)
    if form.validate_on_submit():
        moderation.answer_idea(db.session, idea, current_user, IdeaOutcome(form.outcome.data), form.answer.data,
                               utcnow())
        db.session.commit()
        flash(_("“%(title)s”: the answer is on the idea's page.", title=idea.title))
        return redirect(url_for("competitions.queue", competition_id=competition.id, status="all",
                                _anchor=f"idea-{idea.id}"), 303)
    return render_template("engagement/competitions/staff/answer_idea.html", competition=competition, idea=idea,
                           form=form), 422 if form.errors else 200


@bp.get("/<int:competition_id>/ideas/<int:idea_id>/photo")
@moderator_required
def photo(competition_id, idea_id):
    """The idea's photo, whatever its status (the public route shows published ideas only)."""
    return photo_response(competition_id, idea_id, "data")


@bp.get("/<int:competition_id>/ideas/<int:idea_id>/thumbnail")
@moderator_required
def thumbnail(competition_id, idea_id):
    return photo_response(competition_id, idea_id, "thumbnail")


def photo_response(competition_id: int, idea_id: int, rendition: str):
    """:raise 404: for another organisation's idea, or an idea without a photo."""
    idea = load_idea(load_competition(competition_id), idea_id)
    if idea.photo is None:
        abort(404)
    response = make_response(getattr(idea.photo, rendition))
    response.mimetype = idea.photo.content_type
    # Pending and rejected photos are not public: no shared cache may keep them.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.get("/<int:competition_id>/log")
@admin_required
def audit_log(competition_id):
    competition = load_competition(competition_id)
    entries = [(event, idea, moderation.detail(event)) for event, idea in moderation.events(db.session, competition)]
    return render_template("engagement/competitions/staff/log.html", competition=competition, entries=entries,
                           action_labels=ACTION_LABELS, outcome_labels={o.value: o.label for o in IdeaOutcome})
