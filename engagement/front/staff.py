"""Staff publish a survey's results ("Det sagde I"), keep "Det gør vi nu" up to date, and may offer
on the thank-you page to tell people by e-mail when the results come (`results_notice`)."""
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField

from engagement.common.access import builder_required
from engagement.common.forms import too_long
from engagement.front import notices, services
from engagement.front.forms import ResultsNoticeForm
from extensions import db, utcnow
from surveys.staff import load_survey
from surveys.timezone import to_local

bp = Blueprint("publishing", __name__, url_prefix="/staff/surveys")
NOTICE_KEPT = timedelta(days=183)  # the day first proposed for deleting the e-mails: about half a year


class PublishForm(FlaskForm):
    """The chosen questions come as `question` values next to these fields."""
    show_texts = BooleanField(_l("Show free-text answers too (read them first: nobody may be named)"))
    doing_now = TextAreaField(_l("What we do now"), validators=[too_long(services.DOING_NOW_MAX)],
                              description=_l("In words a teenager understands: what you decided, and when "
                                             "something happens. You can update it later."))


@bp.route("/<int:survey_id>/publish", methods=["GET", "POST"])
@builder_required
def publish(survey_id):
    """Publish chosen questions, update the page, or take it down (`action=unpublish`)."""
    survey = load_survey(survey_id)
    published = services.published_for(db.session, survey)
    form = PublishForm(obj=published)
    chosen, problem = chosen_questions(published), None
    if form.validate_on_submit():
        if request.form.get("action") == "unpublish":
            services.unpublish(db.session, survey)
            db.session.commit()
            flash(_("The results page is taken down."))
            return redirect(url_for("publishing.publish", survey_id=survey.id), 303)
        try:
            services.publish(db.session, survey, chosen, form.show_texts.data, form.doing_now.data or "", utcnow())
        except ValueError:
            problem = _("Choose at least one question to show.")
        else:
            db.session.commit()
            flash(_("The results are published."))
            return redirect(url_for("publishing.publish", survey_id=survey.id), 303)
    return render_publish(survey, published, form, chosen, problem)


def render_publish(survey, published, form, chosen, problem=None, notice_form=None):
    notice = notices.notice_for(db.session, survey)
    if notice_form is None:
        notice_form = ResultsNoticeForm(formdata=None, obj=notice)
        notice_form.keep_until.data = notice.keep_until if notice else today() + NOTICE_KEPT
    failed = form.errors or problem or notice_form.errors
    return render_template("engagement/front/staff/publish.html", survey=survey, published=published, form=form,
                           chosen=set(chosen), problem=problem, notice_form=notice_form,
                           subscribers=notices.subscriber_count(db.session, survey)), 422 if failed else 200


def today():
    return to_local(utcnow()).date()


@bp.post("/<int:survey_id>/results-notice")
@builder_required
def results_notice(survey_id):
    """Offer (or stop offering) "Get told when the results come" on the thank-you page, with the day the
    e-mails are deleted. :raise 404: for another organisation's survey."""
    survey = load_survey(survey_id)
    notice_form = ResultsNoticeForm()
    notice_form.today = today()
    if notice_form.validate():
        notices.set_notice(db.session, survey, notice_form.offered.data, notice_form.keep_until.data)
        db.session.commit()
        flash(_("The thank-you page offers to tell people when the results come.") if notice_form.offered.data
              else _("The thank-you page no longer offers to tell people when the results come."))
        return redirect(url_for("publishing.publish", survey_id=survey.id, _anchor="notice"), 303)
    published = services.published_for(db.session, survey)
    return render_publish(survey, published, PublishForm(formdata=None, obj=published),
                          list(published.question_ids) if published else [], notice_form=notice_form)


def chosen_questions(published) -> list[int]:
    """The ticked questions of a post; on a first visit, what is published (or every question)."""
    if request.method == "POST":
        return [int(v) for v in request.form.getlist("question") if v.isascii() and v.isdigit() and len(v) < 10]
    return list(published.question_ids) if published else []
