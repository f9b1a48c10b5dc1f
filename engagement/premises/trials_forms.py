"""Staff's forms for a trial and its decision. Every message is translated; what was typed stays in the
form. The lists hold only the organisation's own premises, maps, surveys and ideas, so an id typed
into a post from anywhere else is refused with the field's message."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from engagement.classes.forms import without_nul
from engagement.common.forms import too_long
from engagement.premises.models import DECISION_LABELS, TrialDecision
from engagement.premises.trials import TrialValues
from engagement.touchpoints.forms import filled, parse_percent, percent
from surveys.forms import plausible_year

TEXT_LIMIT = 5000
NOT_A_DATE = _l("This is not a date. Write it like 2026-06-01.")


class TrialForm(FlaskForm):
    title = StringField(_l("What is tried out"), filters=[without_nul], validators=[
        DataRequired(message=_l("Give the trial a title, e.g. “Pop-up værksted i Algade 12”.")), too_long(200)])
    description = TextAreaField(_l("Description (optional)"), filters=[without_nul], validators=[too_long(TEXT_LIMIT)])
    premises_id = SelectField(_l("Premises or place in the register"), choices=[], validate_choice=False)
    map_id = SelectField(_l("Or a point on a map"), choices=[], validate_choice=False)
    map_x = StringField(_l("x (per cent from the left)"), validators=[too_long(30)])
    map_y = StringField(_l("y (per cent from the top)"), validators=[too_long(30)])
    starts_on = DateField(_l("From"), invalid_value_message=_l("Give the first day of the trial, e.g. 2026-06-01."),
                          validators=[DataRequired(message=_l("Give the first day of the trial, e.g. 2026-06-01.")),
                                      plausible_year])
    ends_on = DateField(_l("To"), invalid_value_message=_l("Give the last day of the trial, e.g. 2026-06-30."),
                        validators=[DataRequired(message=_l("Give the last day of the trial, e.g. 2026-06-30.")),
                                    plausible_year])
    survey_id = SelectField(_l("Feedback survey"), choices=[], validate_choice=False)
    ideas = SelectMultipleField(_l("The ideas it came from (optional)"), choices=[], validate_choice=False)

    def set_options(self, premises, maps, surveys, idea_groups) -> None:
        """The organisation's premises, maps, surveys and (competition, ideas) groups as the lists' choices."""
        self.premises_id.choices = [SelectChoice("", _l("Not one of the premises"))] + [
            SelectChoice(str(p.id), f"{p.address} ({p.status.label})") for p in premises]
        self.map_id.choices = [SelectChoice("", _l("Not on a map"))] + [SelectChoice(str(m.id), m.name) for m in maps]
        self.survey_id.choices = [SelectChoice("", _l("No feedback survey yet"))] + [
            SelectChoice(str(s.id), s.title) for s in surveys]
        self.ideas.choices = [(str(idea.id), idea.title) for _competition, ideas in idea_groups for idea in ideas]
        self.idea_groups = idea_groups

    def chosen(self, field) -> int | None:
        """The id picked in a select, if it is one of the list's; None for the empty choice and anything else."""
        listed = {choice.value for choice in field.choices} - {""}
        return int(field.data) if (field.data or "") in listed else None

    def validate_premises_id(self, field):
        if field.data and self.chosen(field) is None:
            raise ValidationError(_l("Choose one of your organisation’s premises from the list."))
        if not field.data and not self.map_id.data:
            raise ValidationError(_l("Choose the premises, or a point on one of your maps."))
        if field.data and self.map_id.data:
            raise ValidationError(_l("Choose the premises or a point on a map, not both."))

    def validate_map_id(self, field):
        if field.data and self.chosen(field) is None:
            raise ValidationError(_l("Choose one of your organisation’s maps from the list."))

    def validate_map_x(self, field):
        percent(field, _l("Write x as a number from 0 to 100 (per cent of the map’s width), e.g. 42,5."))
        if self.map_id.data and not (filled(field) and filled(self.map_y)):
            raise ValidationError(_l("Give the place on the map: x and y."))
        if not self.map_id.data and (filled(field) or filled(self.map_y)):
            raise ValidationError(_l("Choose the map the place is on, or empty x and y."))

    def validate_map_y(self, field):
        percent(field, _l("Write y as a number from 0 to 100 (per cent of the map’s height), e.g. 57."))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The trial ends before it starts. Give a last day on or after the first."))

    def validate_survey_id(self, field):
        if field.data and self.chosen(field) is None:
            raise ValidationError(_l("Choose one of your organisation’s surveys from the list."))

    def validate_ideas(self, field):
        listed = {value for value, _label in field.choices}
        if not set(field.data or []) <= listed:
            raise ValidationError(_l("Choose the ideas from the list: published ideas of your competitions."))

    def values(self) -> TrialValues:
        on_map = self.chosen(self.map_id)
        return TrialValues(
            title=self.title.data.strip(), description=(self.description.data or "").strip(),
            starts_on=self.starts_on.data, ends_on=self.ends_on.data, premises_id=self.chosen(self.premises_id),
            map_id=on_map, map_x=share(self.map_x.data) if on_map else None,
            map_y=share(self.map_y.data) if on_map else None, survey_id=self.chosen(self.survey_id),
            idea_ids=sorted({int(value) for value in self.ideas.data or []}))


def share(raw: str | None) -> float | None:
    value = parse_percent(raw)
    return None if value is None else round(value / 100, 5)


NO_DECISION = ""


class DecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[], validate_choice=False)
    public_note = TextAreaField(_l("Note for the town"), filters=[without_nul], validators=[too_long(TEXT_LIMIT)],
                                description=_l("Shown on your front page and on the ideas the trial came from, "
                                               "e.g. what you learned and what happens now."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.decision.choices = [SelectChoice(NO_DECISION, _l("Not decided yet"))] + [
            SelectChoice(d.value, DECISION_LABELS[d]) for d in TrialDecision]

    def validate_decision(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose a decision from the list."))

    def validate_public_note(self, field):
        if self.decision.data and not (field.data or "").strip():
            raise ValidationError(_l("Tell the town in a few words what you decided and why."))

    def chosen(self) -> TrialDecision | None:
        return TrialDecision(self.decision.data) if self.decision.data else None
