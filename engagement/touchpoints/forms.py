"""The staff form for a touchpoint. Every message is translated; what was typed stays in the form."""
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from engagement.common.forms import too_long
from engagement.competitions.forms import check_premises_choice, chosen_premises, premises_choices
from engagement.competitions.models import Competition
from engagement.touchpoints.models import TouchpointKind
from engagement.touchpoints.services import TouchpointValues

HEADLINE_MAX = 90  # three lines of large type on the poster


class MapPlaceForm(FlaskForm):
    """A place on one of the organisation's maps, typed as x and y in per cent (or clicked, with
    JavaScript): the touchpoint form and the premises form (engagement.premises) both ask for one."""
    map_id = SelectField(_l("Map"), choices=[], validate_choice=False)
    map_x = StringField(_l("x (per cent from the left)"), validators=[too_long(30)])
    map_y = StringField(_l("y (per cent from the top)"), validators=[too_long(30)])

    def set_maps(self, maps) -> None:
        """`maps`: the organisation's maps (surveys.map_editing.maps_of); the first choice is "no map"."""
        self.map_id.choices = [SelectChoice("", _l("Not on a map"))] + [
            SelectChoice(str(survey_map.id), survey_map.name) for survey_map in maps]

    def chosen_map_id(self) -> int | None:
        """The id of the map picked, if it is one of the list's; None for "no map" and anything else."""
        value = self.map_id.data or ""
        listed = {choice.value for choice in self.map_id.choices} - {""}
        return int(value) if value in listed else None

    def validate_map_id(self, field):
        if (field.data or "") and self.chosen_map_id() is None:
            raise ValidationError(_l("Choose one of your organisation’s maps from the list."))
        if not field.data and (filled(self.map_x) or filled(self.map_y)):
            raise ValidationError(_l("Choose the map the place is on, or empty x and y."))

    def validate_map_x(self, field):
        percent(field, _l("Write x as a number from 0 to 100 (per cent of the map’s width), e.g. 42,5."))
        if filled(field) != filled(self.map_y):
            raise ValidationError(_l("Give both x and y, or neither."))
        if self.chosen_map_id() is not None and not filled(field):
            raise ValidationError(_l("Give the place on the map: x and y."))

    def validate_map_y(self, field):
        percent(field, _l("Write y as a number from 0 to 100 (per cent of the map’s height), e.g. 57."))

    def map_place(self) -> tuple[float, float] | None:
        """The place typed, as shares of the map; None unless both x and y are numbers 0–100."""
        try:
            x, y = parse_percent(self.map_x.data), parse_percent(self.map_y.data)
        except ValueError:
            return None
        if x is None or y is None or not (0 <= x <= 100 and 0 <= y <= 100):
            return None
        return round(x / 100, 5), round(y / 100, 5)


class TouchpointForm(MapPlaceForm):
    name = StringField(_l("Name of the place"), validators=[
        DataRequired(message=_l("Give the place a name, e.g. “Skateparken ved Havnen”.")), too_long(200)])
    kind = SelectField(_l("Kind of place"), choices=[SelectChoice(k.value, k.label) for k in TouchpointKind],
                       default=TouchpointKind.other.value)
    target = SelectField(_l("Where the code leads"), choices=[], validate_choice=False)
    headline = StringField(_l("Headline on the poster (optional)"), validators=[too_long(HEADLINE_MAX)])
    address = StringField(_l("Address (optional)"), validators=[too_long(300)])
    premises_id = SelectField(_l("The premises or place it hangs at (optional)"), choices=[], validate_choice=False)
    latitude = StringField(_l("Latitude (optional)"), validators=[too_long(30)])
    longitude = StringField(_l("Longitude (optional)"), validators=[too_long(30)])
    note = TextAreaField(_l("Note for staff (optional)"), validators=[too_long(2000)])
    # Its place on one of the organisation's maps (surveys.maps), typed in percent of the map.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.premises_id.choices = premises_choices(current_user.organisation_id)

    def validate_premises_id(self, field):
        check_premises_choice(field)

    def chosen_premises_id(self) -> int | None:
        return chosen_premises(self.premises_id)

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
        place = self.map_place() if self.chosen_map_id() is not None else None
        return TouchpointValues(
            name=self.name.data.strip(), kind=TouchpointKind(self.kind.data),
            headline=(self.headline.data or "").strip(),
            address=(self.address.data or "").strip(), latitude=parse_coordinate(self.latitude.data),
            longitude=parse_coordinate(self.longitude.data), note=(self.note.data or "").strip(),
            target=self.target.data or "", map_id=self.chosen_map_id() if place else None,
            map_x=place[0] if place else None, map_y=place[1] if place else None,
            premises_id=self.chosen_premises_id())


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


def filled(field) -> bool:
    return bool((field.data or "").strip())


def parse_percent(raw: str | None) -> float | None:
    """A share of a map typed in percent: "42,5", "42.5" or "42,5 %". None when empty.

    :raise ValueError: if it is not a number.
    """
    return parse_coordinate((raw or "").replace("%", ""))


def percent(field, message) -> None:
    try:
        value = parse_percent(field.data)
    except ValueError:
        raise ValidationError(message) from None
    if value is not None and not 0 <= value <= 100:
        raise ValidationError(message)


def coordinate(field, low: float, high: float, message) -> None:
    try:
        value = parse_coordinate(field.data)
    except ValueError:
        raise ValidationError(message) from None
    if value is not None and not low <= value <= high:
        raise ValidationError(message)
