"""The staff form for a touchpoint. Every message is translated; what was typed stays in the form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from engagement.common.forms import too_long
from engagement.competitions.models import Competition
from engagement.touchpoints.models import TouchpointKind
from engagement.touchpoints.services import TouchpointValues

HEADLINE_MAX = 90  # three lines of large type on the poster


class TouchpointForm(FlaskForm):
    name = StringField(_l("Name of the place"), validators=[
        DataRequired(message=_l("Give the place a name, e.g. “Skateparken ved Havnen”.")), too_long(200)])
    kind = SelectField(_l("Kind of place"), choices=[SelectChoice(k.value, k.label) for k in TouchpointKind],
                       default=TouchpointKind.other.value)
    target = SelectField(_l("Where the code leads"), choices=[], validate_choice=False)
    headline = StringField(_l("Headline on the poster (optional)"), validators=[too_long(HEADLINE_MAX)])
    address = StringField(_l("Address (optional)"), validators=[too_long(300)])
    latitude = StringField(_l("Latitude (optional)"), validators=[too_long(30)])
    longitude = StringField(_l("Longitude (optional)"), validators=[too_long(30)])
    note = TextAreaField(_l("Note for staff (optional)"), validators=[too_long(2000)])

    def set_targets(self, options) -> None:
        """`options` from services.target_options; the first choice is "no target yet", then the
        surveys and the competitions, each under its own heading."""
        self.target.choices = [SelectChoice("", _l("No survey yet (the code shows what is open)"))] + [
            SelectChoice(value, f"{target.title} ({target_state(target)})",
                         optgroup=str(TARGET_GROUPS[value.partition(":")[0]]))
            for value, target in options]

    def validate_target(self, field):
        if field.data not in {choice.value for choice in self.target.choices}:
            raise ValidationError(_l("Choose a survey or an idea competition from the list."))

    def validate_latitude(self, field):
        coordinate(field, -90, 90, _l("A latitude is a number from -90 to 90, e.g. 55,0123."))
        if bool((field.data or "").strip()) != bool((self.longitude.data or "").strip()):
            raise ValidationError(_l("Give both latitude and longitude, or neither."))

    def validate_longitude(self, field):
        coordinate(field, -180, 180, _l("A longitude is a number from -180 to 180, e.g. 11,9012."))

    def values(self) -> TouchpointValues:
        return TouchpointValues(
            name=self.name.data.strip(), kind=TouchpointKind(self.kind.data),
            headline=(self.headline.data or "").strip(),
            address=(self.address.data or "").strip(), latitude=parse_coordinate(self.latitude.data),
            longitude=parse_coordinate(self.longitude.data), note=(self.note.data or "").strip(),
            target=self.target.data or "")


STATE_LABELS = {"draft": _l("Draft"), "scheduled": _l("Opens later"), "open": _l("Open"), "closed": _l("Closed")}
TARGET_GROUPS = {"survey": _l("Surveys"), "competition": _l("Idea competitions")}


def state_label(survey) -> str:
    return str(STATE_LABELS[survey.state.value])


def target_state(target) -> str:
    """A survey's state, or the phase a competition is in (Collecting ideas, Voting, ...)."""
    return str(target.phase.label) if isinstance(target, Competition) else state_label(target)


def parse_coordinate(raw: str | None) -> float | None:
    """Decimal degrees, with a Danish comma or a point: "55,0123" or "55.0123". None when empty.

    :raise ValueError: if it is not a number.
    """
    text = (raw or "").strip().replace(",", ".").replace("°", "")
    if not text:
        return None
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return value


def coordinate(field, low: float, high: float, message) -> None:
    try:
        value = parse_coordinate(field.data)
    except ValueError:
        raise ValidationError(message) from None
    if value is not None and not low <= value <= high:
        raise ValidationError(message)
