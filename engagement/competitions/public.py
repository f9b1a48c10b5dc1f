"""Public competition pages: `/c/<slug>` is printed on posters and must work for ever.

`/c/<slug>` shows the brief and, while ideas are collected, the form that
sends one; the gallery (`/ideas`) and each idea's page show published ideas
only, with votes during the voting phase. Every page is plain HTML forms and
links, so it works without JavaScript; each post is followed by a redirect.
"""
import re
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from engagement.competitions import device, services
from engagement.competitions.idea_form import IdeaForm
from engagement.competitions.models import Competition, Idea, IdeaPhoto, Phase
from engagement.competitions.photos import THUMBNAIL_SIDE
from engagement.competitions.text import parse_id
from extensions import db, hooks, limiter
from surveys.answering import KEY_PATTERN, VIA_PATTERN, new_key

bp = Blueprint("competition", __name__, url_prefix="/c")

SORTS = ("newest", "votes")
PHOTO_MAX_AGE = 3600  # short: a photo hidden by a moderator must leave caches soon


def load(slug: str) -> Competition:
    """:raise 404: if no competition has this slug, or it is still a draft."""
    competition = services.load_competition(db.session, slug)
    if competition is None:
        abort(404)
    g.content_language = competition.language
    return competition


def valid_via() -> str | None:
    """The attribution token (`?via=` in the address, or the form's hidden field), if well-formed."""
    via = request.values.get("via", "")
    return via if re.fullmatch(VIA_PATTERN, via) else None


def valid_key(key: str) -> bool:
    return re.fullmatch(KEY_PATTERN, key or "") is not None


@bp.get("/<slug>")
def show(slug):
    competition = load(slug)
    form = None
    if competition.phase is Phase.submitting:
        form = IdeaForm(formdata=None, key=new_key(), via=valid_via() or "")
        form.set_competition(competition)
    return render_show(competition, form)


def idea_limit() -> str:
    return current_app.config["IDEA_RATE_LIMIT"]


@bp.post("/<slug>")
@limiter.limit(idea_limit)
def send(slug):
    """Store the idea once per form (its `key`) and go to the receipt.

    Posts are limited per address (IDEA_RATE_LIMIT): cleaning a photo costs the server
    about a second and a half, and a school class shares one address.

    :raise 400: for a form without a well-formed key.
    :raise 429: when the address has sent too many ideas (the app's friendly page).
    """
    competition = load(slug)
    key = request.form.get("key", "")
    if not valid_key(key):
        abort(400)
    sent_before = find_idea(competition, key)
    if sent_before is not None:  # a double tap or a resend: the same receipt
        return redirect(receipt_url(competition, key), 303)
    if competition.phase is not Phase.submitting:
        return render_show(competition, None, late=True), 409
    form = IdeaForm()
    form.set_competition(competition)
    if not form.validate():
        return render_show(competition, form), 422
    try:
        services.submit_idea(db.session, competition, key, form.values(), photo=form.clean_photo,
                             **services.attribution_for(competition, valid_via(), hooks("idea_attribution")))
    except services.KeyTaken:
        db.session.rollback()
        abort(400)
    target = receipt_url(competition, key)
    db.session.commit()
    return redirect(target, 303)


@bp.errorhandler(CSRFError)
def expired_form(error):
    """A lost session (browser restarted, cookies cleared) must not lose the typed idea.

    The form comes back with what was typed and a fresh token; nothing is
    stored. A browser cannot keep a chosen file, so the page asks for the
    photo again. An expired vote goes back to where it came from.
    """
    try:
        return keep_typed_idea()
    except HTTPException as problem:
        # An abort inside an error handler is not handled again (Flask would answer 500): hand it on.
        return current_app.handle_http_exception(problem)


def keep_typed_idea():
    """:raise 404: for a competition that is not there (or a slug that cannot be one)."""
    args = request.view_args or {}
    competition = load(args.get("slug", ""))
    if request.endpoint == "competition.vote":
        back = back_url(competition, request.form.get("next"), args.get("idea_id"))
        return render_notice(competition, _("The page had expired. Tap the button again."), back), 400
    key = request.form.get("key", "")
    if request.endpoint == "competition.send" and valid_key(key) and find_idea(competition, key):
        return redirect(receipt_url(competition, key), 303)  # sent before the session was lost
    if request.endpoint != "competition.send" or competition.phase is not Phase.submitting or not valid_key(key):
        return render_notice(competition, _("The page had expired. Please try again."),
                             url_for("competition.show", slug=competition.slug)), 400
    form = IdeaForm()
    form.set_competition(competition)
    return render_show(competition, form, expired=True), 400


def render_show(competition, form, late=False, expired=False):
    photo_lost = bool(form is not None and (form.errors or expired) and request.files.get("photo")
                      and request.files["photo"].filename)
    return render_template("engagement/competitions/public/show.html", competition=competition, form=form,
                           phase=competition.phase, late=late, expired=expired, photo_lost=photo_lost,
                           published=published_count(competition))


def published_count(competition: Competition) -> int:
    return db.session.scalar(select(func.count(Idea.id)).where(
        Idea.competition_id == competition.id, Idea.status.in_(services.PUBLISHED)))


@bp.get("/<slug>/sent/<key>")
def sent(slug, key):
    """The receipt: what happens next with the idea. Anyone else lands on the brief."""
    competition = load(slug)
    idea = find_idea(competition, key) if valid_key(key) else None
    if idea is None:
        return redirect(url_for("competition.show", slug=slug), 303)
    # A place the idea was sent from (a class session) may say what happens next there instead.
    note = next(filter(None, (hook(competition, idea) for hook in hooks("idea_receipt"))), None)
    return render_template("engagement/competitions/public/sent.html", competition=competition, idea=idea,
                           via=valid_via(), note=note)


def find_idea(competition: Competition, key: str) -> Idea | None:
    return db.session.scalar(select(Idea).where(Idea.key == key, Idea.competition_id == competition.id))


def receipt_url(competition: Competition, key: str) -> str:
    return url_for("competition.sent", slug=competition.slug, key=key, via=valid_via())


@bp.get("/<slug>/ideas")
def gallery(slug):
    """Published ideas, paged; `?sort=newest|votes`, `?category=<id>`, `?page=<n>` keep the state in the URL."""
    competition = load(slug)
    ballot = ballot_view(competition)
    sort = request.args.get("sort") if request.args.get("sort") in SORTS and ballot["counts"] else "newest"
    category = chosen_category(competition)
    page = services.gallery(db.session, competition, category_id=category, sort=sort,
                            page=request.args.get("page", 1, type=int))
    return render_template("engagement/competitions/public/gallery.html", competition=competition, page=page,
                           sort=sort, category=category, ballot=ballot, here=request.full_path.rstrip("?"))


def chosen_category(competition: Competition) -> int | None:
    """The `?category=<id>` of one of the competition's categories; None for any other value."""
    chosen = parse_id(request.args.get("category"))
    return chosen if chosen in {c.id for c in competition.categories} else None


@bp.get("/<slug>/idea/<int:idea_id>")
def idea(slug, idea_id):
    competition = load(slug)
    shown = published_idea(competition, idea_id)
    ballot = ballot_view(competition)
    votes = services.vote_counts(db.session, [shown.id]).get(shown.id, 0)
    # The trials the idea led to (engagement.premises, a higher layer: through the hook).
    trial_notes = [note for found in hooks("idea_trial_notes") for note in found(db.session, shown)]
    return render_template("engagement/competitions/public/idea.html", competition=competition, idea=shown,
                           votes=votes, ballot=ballot, here=request.path, trial_notes=trial_notes)


def published_idea(competition: Competition, idea_id: int) -> Idea:
    """:raise 404: unless the idea belongs to the competition and is published (approved or winner)."""
    return db.first_or_404(select(Idea).where(Idea.id == idea_id, Idea.competition_id == competition.id,
                                              Idea.status.in_(services.PUBLISHED)))


def ballot_view(competition: Competition) -> dict:
    """What the pages show of the vote: whether counts are shown, whether this device may vote,
    the dots it gave ({idea id: dots}) and, in dot voting, how many it has left."""
    phase = competition.phase
    budget = services.public_budget(competition)
    mine = services.device_votes(db.session, competition, device.current_device()) if phase is Phase.voting else {}
    return {"counts": phase in (Phase.voting, Phase.closed), "open": phase is Phase.voting, "budget": budget,
            "mine": mine, "left": None if budget is None else max(0, budget - sum(mine.values()))}


def vote_limit() -> str:
    return current_app.config["VOTE_RATE_LIMIT"]


@bp.post("/<slug>/idea/<int:idea_id>/vote")
@limiter.limit(vote_limit)
def vote(slug, idea_id):
    """Give (or take back) this device's vote on a published idea, then go back to the page it came from.

    `dots` is the number the idea should have from this device (1 or 0 in single
    mode), not a change, so a double tap changes nothing the second time.
    :raise 400: for a `dots` that is not a whole number.
    """
    competition = load(slug)
    shown = published_idea(competition, idea_id)
    back = back_url(competition, request.form.get("next"), shown.id)
    if competition.phase is not Phase.voting:
        return render_notice(competition, not_voting_message(competition), back), 409
    dots = request.form.get("dots", type=int)
    if dots is None or not 0 <= dots <= 1000:
        abort(400)
    try:
        services.set_vote(db.session, competition, shown, device.current_device(create=True), dots,
                          budget=services.public_budget(competition))
    except services.VoteRefused:
        db.session.rollback()
        message = _("You have used all your dots. Take a dot back from another idea first.")
        return render_notice(competition, message, back), 409
    db.session.commit()
    return redirect(back, 303)


def not_voting_message(competition: Competition) -> str:
    if competition.phase is Phase.closed:
        return _("Voting has closed. Your vote was not counted.")
    return _("Voting has not started yet. Come back when it opens.")


def back_url(competition: Competition, target: str | None, idea_id: int | None = None) -> str:
    """Where a vote returns to: the competition's own page it came from, at the idea's card.

    Only a path under `/c/<slug>` is accepted, never another site (browsers read
    backslashes as slashes and drop tabs, so such paths are refused too).
    """
    prefix = url_for("competition.show", slug=competition.slug)
    path = (target or "").split("#", 1)[0]
    if not (path.isprintable() and (path == prefix or path.startswith(prefix + "/") or path.startswith(prefix + "?"))
            and "\\" not in path and not urlsplit(path).netloc):
        path = url_for("competition.gallery", slug=competition.slug)
    return f"{path}#idea-{idea_id}" if idea_id is not None else path


def render_notice(competition: Competition, message: str, back: str):
    return render_template("engagement/competitions/public/notice.html", competition=competition,
                           message=message, back=back)


@bp.get("/<slug>/idea/<int:idea_id>/photo")
def photo(slug, idea_id):
    return photo_response(slug, idea_id, IdeaPhoto.data)


@bp.get("/<slug>/idea/<int:idea_id>/thumb")
def thumbnail(slug, idea_id):
    return photo_response(slug, idea_id, IdeaPhoto.thumbnail)


def photo_response(slug: str, idea_id: int, column):
    """The photo bytes of a published idea, cached briefly by browsers.

    :raise 404: for an idea that is not published or has no photo.
    """
    shown = published_idea(load(slug), idea_id)
    found = db.session.execute(select(IdeaPhoto.content_type, column).where(IdeaPhoto.idea_id == shown.id)).first()
    if found is None:
        abort(404)
    response = make_response(found[1])
    response.content_type = found[0]
    response.cache_control.public = True
    response.cache_control.max_age = PHOTO_MAX_AGE
    response.add_etag()
    return response.make_conditional(request)


@bp.app_template_global("competition_thumbnail_size")
def thumbnail_size(picture: IdeaPhoto) -> tuple[int, int]:
    """The thumbnail's width and height, for the img attributes that keep the page from jumping."""
    scale = min(1.0, THUMBNAIL_SIDE / max(picture.width, picture.height, 1))
    return max(1, round(picture.width * scale)), max(1, round(picture.height * scale))

