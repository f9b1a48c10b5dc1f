"""Staff's forms for a report: its headline, introduction and period, and a new section. Messages are
translated; what was typed stays in the form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from engagement.classes.forms import without_nul

TEXT_LIMIT = 5000


class ReportForm(FlaskForm):
    title = StringField(_l("Headline"), filters=[without_nul], validators=[
        DataRequired(message=_l("Give the report a headline, e.g. “Bymidten i foråret 2026”.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))])
    introduction = TextAreaField(_l("Introduction (optional)"), filters=[without_nul], validators=[
        Length(max=TEXT_LIMIT, message=_l("Use at most %(max)d characters."))])
    since = DateField(_l("From (optional)"), validators=[Optional()],
                      render_kw={"aria-describedby": "period-hint"})
    until = DateField(_l("To (optional)"), validators=[Optional()], render_kw={"aria-describedby": "period-hint"})

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The period ends before it starts. Give a “to” date on or after the “from” date."))


class SectionForm(FlaskForm):
    """A new section: what it shows (a survey, its places, a competition or the class sessions)."""
    target = SelectField(_l("What the section shows"), choices=[], validate_choice=False)

    def validate_target(self, field):
        if not field.data or field.data not in {value for value, _label in self.target.choices}:
            raise ValidationError(_l("Choose what the section shows from the list."))


class SectionTextForm(FlaskForm):
    text = TextAreaField(_l("Your text under the heading"), filters=[without_nul], validators=[
        Length(max=TEXT_LIMIT, message=_l("Use at most %(max)d characters."))])
