"""Staff pages for temporary trials: `/staff/trials/...`.

Admins, editors and viewers read the list and a trial's page (with its before/during/after feedback);
admins and editors create and change trials, re-point the place's touchpoints to the feedback survey
and record the decision. Teachers get 403. Every trial is loaded through `load_trial`, which filters
by the user's organisation, so another organisation's trial is a 404 at any address.
"""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engagement.common import charts
from engagement.common.access import builder_required, can_build, reader_required
from engagement.premises import trials, trials_results
from engagement.premises.models import Trial
from engagement.premises.trials_forms import NO_DECISION, DecisionForm, TrialForm
from engagement.touchpoints.links import short_url
from extensions import db, owned_or_404, utcnow
from surveys import map_editing
from surveys.maps import SurveyMap
from surveys.timezone import to_local

bp = Blueprint("trials", __name__, url_prefix="/staff/trials")


def init_trials(app) -> None:
    """The staff pages, and the hooks through which the front page and the ideas' public pages (lower
    layers) show what was tried and decided."""
    from engagement.premises import trials_public
    from extensions import add_hook

    app.register_blueprint(bp)
    add_hook(app, "public_trial_notes", trials_public.public_trial_notes)
    add_hook(app, "idea_trial_notes", trials_public.idea_trial_notes)


def load_trial(trial_id: int) -> Trial:
    """:raise 404: unless the trial belongs to the signed-in user's organisation."""
    return owned_or_404(Trial, trial_id)


def today():
    return to_local(utcnow()).date()


@bp.context_processor
def trial_helpers():
    return {"can_change_trials": lambda: can_build(current_user),
            "premises_page": premises_page, "day": trials_results.day}


def premises_page(premises) -> str | None:
    """The premises' own staff page, once the register's pages are there (engagement.premises)."""
    if premises is None or "premises.show" not in current_app.view_functions:
        return None
    return url_for("premises.show", premises_id=premises.id)


@bp.get("/")
@reader_required
def index():
    return render_template("engagement/premises/trials/index.html",
                           trials=trials.list_trials(db.session, current_user.organisation_id), today=today())


def trial_form(trial: Trial | None) -> TrialForm:
    """The form with the organisation's lists; a trial's stored values on a first visit."""
    form = TrialForm() if request.method == "POST" or trial is None else TrialForm(data=stored(trial))
    organisation_id = current_user.organisation_id
    keep = tuple(idea.id for idea in trial.ideas) if trial else ()
    form.set_options(trials.premises_options(db.session, organisation_id),
                     map_editing.maps_of(db.session, organisation_id),
                     trials.survey_options(db.session, organisation_id),
                     trials.idea_options(db.session, organisation_id, keep))
    return form


def stored(trial: Trial) -> dict:
    return {"title": trial.title, "description": trial.description,
            "premises_id": str(trial.premises_id or ""), "map_id": str(trial.map_id or ""),
            "map_x": percent_text(trial.map_x), "map_y": percent_text(trial.map_y),
            "starts_on": trial.starts_on, "ends_on": trial.ends_on, "survey_id": str(trial.survey_id or ""),
            "ideas": [str(idea.id) for idea in trial.ideas]}


def percent_text(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.2f}".rstrip("0").rstrip(".").replace(".", ",")


@bp.route("/new", methods=["GET", "POST"])
@builder_required
def new():
    form = trial_form(None)
    if form.validate_on_submit():
        try:
            trial, _created = trials.create_trial(db.session, current_user.organisation_id, form.values(),
                                                  current_user.id, status_note(form.title.data.strip()))
        except trials.InvalidChoice as refused:
            return refused_page(form, None, refused)
        db.session.commit()
        flash(_("The trial is saved. Point the place’s poster at the feedback survey below."))
        return redirect(url_for("trials.show", trial_id=trial.id), 303)
    return form_page(form, None)


@bp.route("/<int:trial_id>/edit", methods=["GET", "POST"])
@builder_required
def edit(trial_id):
    trial = load_trial(trial_id)
    form = trial_form(trial)
    if form.validate_on_submit():
        try:
            trials.update_trial(db.session, trial, form.values(), current_user.id,
                                status_note(form.title.data.strip()))
        except trials.InvalidChoice as refused:
            return refused_page(form, trial, refused)
        db.session.commit()
        flash(_("The trial is saved."))
        return redirect(url_for("trials.show", trial_id=trial.id), 303)
    return form_page(form, trial)


def status_note(title: str) -> str:
    """The line in a premises' status history when a trial makes it "in trial"."""
    return _("Trial: %(title)s", title=title)


def refused_page(form: TrialForm, trial: Trial | None, refused: trials.InvalidChoice):
    """Something chosen was not the organisation's after all (changed since the form was shown)."""
    db.session.rollback()
    field = getattr(form, refused.field)
    field.errors = [*field.errors, _("Choose from the list: this is not one of your organisation’s.")]
    return form_page(form, trial)


def form_page(form: TrialForm, trial: Trial | None):
    return render_template("engagement/premises/trials/form.html", form=form, trial=trial), \
        422 if form.errors else 200


@bp.get("/<int:trial_id>")
@reader_required
def show(trial_id):
    trial = load_trial(trial_id)
    return show_page(trial, DecisionForm(formdata=None, data=decision_data(trial)))


def decision_data(trial: Trial) -> dict:
    return {"decision": trial.decision.value if trial.decision else NO_DECISION, "public_note": trial.public_note}


def show_page(trial: Trial, decision_form: DecisionForm, status: int = 200):
    results = trials_results.trial_results(db.session, trial, today())
    touchpoints = trials.place_touchpoints(db.session, trial)
    leading = [t for t in touchpoints if trial.survey_id and t.survey_id == trial.survey_id]
    base = current_app.config["PUBLIC_BASE_URL"]
    survey_map = db.session.get(SurveyMap, trial.map_id) if trial.map_id else None
    return render_template(
        "engagement/premises/trials/show.html", trial=trial, results=results, decision_form=decision_form,
        touchpoints=touchpoints, leading=leading, survey_map=survey_map, short_url=lambda t: short_url(base, t.code),
        periods_args=trials_results.periods_link_args(results) if results else None,
        percent=charts.percent, format_median=charts.format_median, today=today()), status


@bp.post("/<int:trial_id>/repoint")
@builder_required
def repoint(trial_id):
    """The chosen touchpoints (`touchpoint` ids) lead to the trial's feedback survey from now on."""
    trial = load_trial(trial_id)
    if trial.survey is None:
        flash(_("Choose the trial’s feedback survey first: edit the trial."), "error")
        return redirect(url_for("trials.show", trial_id=trial.id, _anchor="poster"), 303)
    chosen = [int(v) for v in request.form.getlist("touchpoint") if v.isascii() and v.isdigit() and len(v) < 10]
    if not chosen:
        flash(_("Tick the touchpoints that should lead to the feedback survey."), "error")
        return redirect(url_for("trials.show", trial_id=trial.id, _anchor="poster"), 303)
    changed = trials.repoint(db.session, trial, chosen)
    db.session.commit()
    flash(trials.repointed_message(changed, trial.survey.title))
    return redirect(url_for("trials.show", trial_id=trial.id, _anchor="poster"), 303)


@bp.post("/<int:trial_id>/decision")
@builder_required
def decide(trial_id):
    trial = load_trial(trial_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return show_page(trial, form, 422)
    trials.decide(db.session, trial, form.chosen(), (form.public_note.data or "").strip(), utcnow())
    db.session.commit()
    flash(_("The decision is saved and shown on your front page and on the ideas the trial came from.")
          if trial.decision else _("The trial has no decision now; nothing about it is shown in public."))
    return redirect(url_for("trials.show", trial_id=trial.id, _anchor="the-decision"), 303)
