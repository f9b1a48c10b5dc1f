"""The pages anyone can open: the town's front page, published results, and the page that asks to be
told when results come. No login, no JavaScript."""
from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from engagement.competitions.models import Phase
from engagement.front import notices, services
from engagement.front.forms import SubscribeForm
from engagement.front.models import PublishedSurvey
from engagement.models import Organisation
from extensions import db, hooks, limiter, utcnow
from surveys.answering import new_key
from surveys.models import Survey
from surveys.timezone import to_local

bp = Blueprint("front", __name__)


@bp.get("/")
def index():
    """One organisation: its page. Several: a list, each with its own address."""
    organisations = db.session.scalars(select(Organisation).order_by(func.lower(Organisation.name))).all()
    if len(organisations) == 1:
        return organisation_page(organisations[0])
    return render_template("engagement/front/public/index.html", organisations=organisations)


@bp.get("/o/<slug>")
def organisation(slug):
    """:raise 404: for an unknown organisation."""
    return organisation_page(db.first_or_404(select(Organisation).where(Organisation.slug == slug)))


def organisation_page(org: Organisation):
    now = utcnow()
    return render_template(
        "engagement/front/public/organisation.html", organisation=org, now=now, Phase=Phase,
        surveys=services.open_surveys(db.session, org.id, now),
        competitions=services.open_competitions(db.session, org.id, now),
        published=services.published_surveys(db.session, org.id),
        # What was tried out and decided (engagement.premises, a higher layer: through the hook).
        trial_notes=[note for found in hooks("public_trial_notes") for note in found(db.session, org.id)])


@bp.get("/resultater/<slug>")
def results(slug):
    """"Det sagde I": a survey's published results. :raise 404: unless the survey is published."""
    survey = db.first_or_404(select(Survey).where(Survey.slug == slug))
    published = services.published_for(db.session, survey)
    if published is None:
        return render_template("errors/error.html", code=404, title=_("These results are not published"),
                               hint=_("The partnership has not published results of this survey yet.")), 404
    organisation = db.session.get(Organisation, survey.organisation_id)
    min_group = current_app.config["MIN_GROUP_SIZE"]
    return render_template("engagement/front/public/results.html", survey=survey, published=published,
                           organisation=organisation, min_group=min_group,
                           results=services.public_results(db.session, published, min_group))


def thanks_links(survey) -> list[tuple[str, str]]:
    """The "thanks_links" hook: what a young person can do next after a survey of this organisation:
    ask to be told when the results come (when staff offer it), read what others said (published
    results, or the organisation's page), and send an idea or vote."""
    published = services.published_for(db.session, survey)
    links = [(_("See what others have said"), url_for("front.results", slug=survey.slug)) if published
             else (_("See what else is going on in the town centre"), url_for("front.index"))]
    if notices.offered_notice(db.session, survey, today()):
        links.insert(0, (_("Get told when the results come"), url_for("front.subscribe", slug=survey.slug)))
    for competition in services.open_competitions(db.session, survey.organisation_id, utcnow())[:1]:
        text = (_("Vote for the ideas in »%(title)s«", title=competition.title)
                if competition.phase is Phase.voting
                else _("Do you have an idea? Send it to »%(title)s«", title=competition.title))
        links.append((text, url_for("competition.show", slug=competition.slug)))
    return links


def today():
    return to_local(utcnow()).date()


def offered(slug: str):
    """(survey, notice) while the survey offers to tell people when its results come.

    :raise 404: for an unknown survey, or one that does not offer it (any more).
    """
    survey = db.first_or_404(select(Survey).where(Survey.slug == slug))
    g.content_language = survey.language
    notice = notices.offered_notice(db.session, survey, today())
    if notice is None:
        abort(404)
    return survey, notice


def subscribe_limit() -> str:
    return current_app.config["SUBSCRIBE_RATE_LIMIT"]


@bp.route("/resultater/<slug>/besked", methods=["GET", "POST"])
@limiter.limit(subscribe_limit, methods=["POST"])
def subscribe(slug):
    """"Få besked, når resultaterne kommer": e-mail and consent, on a page of its own (never tied to a
    response). Once the results are out, the results themselves. :raise 404: when not offered."""
    if db.session.scalar(select(PublishedSurvey.id).join(Survey).where(Survey.slug == slug)):
        return redirect(url_for("front.results", slug=slug), 303)  # a page kept open until they came
    survey, notice = offered(slug)
    form = SubscribeForm() if request.method == "POST" else SubscribeForm(formdata=None, key=new_key())
    form.promise(notice.keep_until)
    if form.validate_on_submit():
        try:
            notices.subscribe(db.session, survey, notice, form.key.data, form.email.data.strip(), today())
            db.session.commit()
        except IntegrityError:  # the same form sent twice at the same moment: the other post stored it
            db.session.rollback()
        return redirect(url_for("front.subscribed", slug=slug), 303)
    return render_subscribe(survey, notice, form), 422 if form.errors else 200


def render_subscribe(survey, notice, form, expired=False):
    return render_template("engagement/front/public/subscribe.html", survey=survey, notice=notice, form=form,
                           expired=expired)


@bp.errorhandler(CSRFError)
def expired_form(error):
    """A lost session must not lose the typed address: the form comes back with it and a fresh token."""
    try:
        if request.endpoint != "front.subscribe":
            abort(400)
        survey, notice = offered((request.view_args or {}).get("slug", ""))
        form = SubscribeForm()
        form.promise(notice.keep_until)
        return render_subscribe(survey, notice, form, expired=True), 400
    except HTTPException as problem:
        # An abort inside an error handler is not handled again (Flask would answer 500): hand it on.
        return current_app.handle_http_exception(problem)


@bp.get("/resultater/<slug>/besked/tak")
def subscribed(slug):
    survey = db.first_or_404(select(Survey).where(Survey.slug == slug))
    g.content_language = survey.language
    return render_template("engagement/front/public/subscribed.html", survey=survey)
