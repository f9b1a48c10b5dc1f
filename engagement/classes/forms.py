"""The teacher's form for a new class session and the pupils' join form. Messages are translated;
what was typed stays in the form."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from engagement.classes.services import SessionValues
from extensions import utcnow
from surveys.timezone import from_local, to_local

DEFAULT_LENGTH = timedelta(minutes=90)  # a double lesson, with time to spare
LONGEST = timedelta(days=14)


def without_nul(value: str | None) -> str | None:
    """The text without NUL characters, which PostgreSQL refuses to store (and nobody types on purpose)."""
    return value.replace("\x00", "") if isinstance(value, str) else value


class ClassSessionForm(FlaskForm):
    name = StringField(_l("Name of the session"), filters=[without_nul], validators=[
        DataRequired(message=_l("Give the session a name, e.g. “2.g Vordingborg Gymnasium, bymidten”.")),
        Length(max=200, message=_l("Use at most %(max)d characters."))])
    target = SelectField(_l("What the class works on"), choices=[], validate_choice=False)
    dots_per_pupil = IntegerField(_l("Dots per pupil for voting (optional)"), validators=[
        Optional(), NumberRange(min=1, max=20, message=_l("Give a number from 1 to 20."))])
    ends_at = DateTimeLocalField(_l("Ends (Danish time)"), validators=[
        DataRequired(message=_l("Give a date and time like 2026-05-31 10:30."))])
    publish_at_once = BooleanField(_l("Show ideas in the class at once (the public gallery still waits for review)"))

    def set_targets(self, options) -> None:
        """`options` from services.target_options; the first choice asks the teacher to pick."""
        self.target.choices = [SelectChoice("", _l("Choose a survey or competition"))] + [
            SelectChoice(value, title) for value, title in options]
        if self.ends_at.data is None and not self.is_submitted():
            self.ends_at.data = to_local(utcnow() + DEFAULT_LENGTH).replace(tzinfo=None, second=0, microsecond=0)

    def validate_target(self, field):
        if not field.data or field.data not in {choice.value for choice in self.target.choices}:
            raise ValidationError(_l("Choose an open survey or competition from the list."))

    def validate_ends_at(self, field):
        # Compared in Danish time first: from_local() overflows for a year like 0001.
        local_now = to_local(utcnow()).replace(tzinfo=None)
        if field.data <= local_now - timedelta(days=1):
            raise ValidationError(_l("The end must be later than now."))
        if field.data >= local_now + LONGEST + timedelta(days=1):
            raise ValidationError(_l("A class session lasts at most 14 days."))
        ends = from_local(field.data)
        if ends <= utcnow():
            raise ValidationError(_l("The end must be later than now."))
        if ends - utcnow() > LONGEST:
            raise ValidationError(_l("A class session lasts at most 14 days."))

    def values(self) -> SessionValues:
        return SessionValues(name=self.name.data.strip(), target=self.target.data,
                             ends_at=from_local(self.ends_at.data),
                             dots_per_pupil=self.dots_per_pupil.data, publish_at_once=bool(self.publish_at_once.data))
