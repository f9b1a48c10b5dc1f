"""Staff forms for surveys, questions and maps."""
import math
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from surveys.kinds import KINDS
from surveys.maps import MapProblem, parse_shape
from surveys.timezone import FIRST_YEAR, LAST_YEAR, plausible

SLUG_RULE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def plausible_year(form, field):
    """:raise ValidationError: for a date outside FIRST_YEAR–LAST_YEAR (the typed value stays in the field)."""
    if field.data and not plausible(field.data):
        raise ValidationError(_l("Give a date between the years %(first)d and %(last)d.",
                                 first=FIRST_YEAR, last=LAST_YEAR))


class SurveyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Web address"), validators=[
        Optional(), Length(max=80),
        Regexp(SLUG_RULE, message=_l("Use only small letters a–z, digits and single dashes."))])
    intro = TextAreaField(_l("Introduction"), validators=[Length(max=2000)])
    thanks = TextAreaField(_l("Thank-you text"), validators=[Length(max=2000)])
    language = SelectField(_l("Language of the survey"),
                           choices=[SelectChoice("da", "Dansk"), SelectChoice("en", "English")])
    opens_at = DateTimeLocalField(_l("Opens (Danish time)"), validators=[Optional(), plausible_year])
    closes_at = DateTimeLocalField(_l("Closes (Danish time)"), validators=[Optional(), plausible_year])

    def validate_closes_at(self, field):
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))


class ChoiceForm(Form):
    choice_id = HiddenField()
    label = StringField(_l("Option"), validators=[Length(max=300)])
    remove = BooleanField(_l("Remove"))
    image = FileField(_l("Picture"))
    # A kind with areas: the option's area on the map, typed as corners in percent (surveys.maps.parse_shape).
    area = StringField(_l("Area on the map"), validators=[Length(max=2000)])

    def validate_area(self, field):
        """:raise ValidationError: for a shape parse_shape refuses, or an area without a name."""
        try:
            parse_shape(field.data or "")
        except MapProblem as problem:
            raise ValidationError(str(problem)) from None
        if (field.data or "").strip() and not (self.label.data or "").strip() and not self.remove.data:
            raise ValidationError(_l("Give the area a name, or empty this field."))


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"), choices=[SelectChoice(k.key, k.label) for k in KINDS.values()])
    prompt = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=500)])
    help = StringField(_l("Help text (optional)"), validators=[Length(max=500)])
    required = BooleanField(_l("An answer is required"), default=True)
    show_if = SelectField(_l("Show this question only if"), choices=[], validate_choice=False)
    choices = FieldList(FormField(ChoiceForm), min_entries=0)

    def setting_fields(self):
        return [self[f"setting_{s.name}"] for s in KINDS[self.kind.data].settings if f"setting_{s.name}" in self]


def question_form(kind_key: str, **kwargs) -> QuestionForm:
    """A question form with the setting fields of this kind added."""
    fields = {}
    for setting in KINDS[kind_key].settings:
        if setting.type == "int":
            bounds = NumberRange(min=setting.low, max=setting.high,
                                 message=_l("Give a whole number from %(min)s to %(max)s."))
            fields[f"setting_{setting.name}"] = IntegerField(setting.label, validators=[Optional(), bounds])
        elif setting.type == "bool":
            fields[f"setting_{setting.name}"] = BooleanField(setting.label)
        elif setting.type == "map":
            # Its choices, the organisation's maps, are given by the view: only they pass validation.
            fields[f"setting_{setting.name}"] = SelectField(setting.label, choices=[], validators=[
                DataRequired(message=_l("Pick the map the question is asked on."))])
        else:
            fields[f"setting_{setting.name}"] = StringField(setting.label, validators=[Length(max=100)])
    form_class = type("KindQuestionForm", (QuestionForm,), fields)
    return form_class(**kwargs)


class MapUploadForm(FlaskForm):
    name = StringField(_l("Name of the map"), validators=[DataRequired(message=_l("Give the map a name.")),
                                                          Length(max=200)])
    picture = FileField(_l("Map picture (PNG, JPEG or WebP)"))


class MapNameForm(FlaskForm):
    name = StringField(_l("Name of the map"), validators=[DataRequired(message=_l("Give the map a name.")),
                                                          Length(max=200)])


class MapPictureForm(FlaskForm):
    picture = FileField(_l("New picture (PNG, JPEG or WebP)"))


def coordinate(text: str | None) -> float | None:
    """A number as staff type it: "55,0123", "55.0123" or "12 %"; None for an empty field.

    :raise ValueError: for anything else, also for infinities and NaN.
    """
    text = (text or "").strip().replace("%", "").replace(",", ".").replace("\u2212", "-").strip()
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def number_in(low: float, high: float, message):
    """A validator: empty, or a number (see `coordinate`) from low to high."""
    def check(form, field):
        try:
            value = coordinate(field.data)
        except ValueError:
            raise ValidationError(_l("Write a number, for example 55.0123.")) from None
        if value is not None and not low <= value <= high:
            raise ValidationError(message)
    return check


def latitude():
    return number_in(-90, 90, _l("Write a latitude from −90 to 90."))


def longitude():
    return number_in(-180, 180, _l("Write a longitude from −180 to 180."))


def corner_filled():
    return DataRequired(message=_l("Fill in all four numbers."))


class ControlPointForm(Form):
    """One known point: where it is on the map (percent of its width and height) and on the earth."""
    x = StringField(_l("x"), validators=[number_in(0, 100, _l("Write 0 to 100."))])
    y = StringField(_l("y"), validators=[number_in(0, 100, _l("Write 0 to 100."))])
    lat = StringField(_l("Latitude"), validators=[latitude()])
    lon = StringField(_l("Longitude"), validators=[longitude()])

    def values(self) -> tuple[str, str, str, str]:
        return tuple((f.data or "") for f in (self.x, self.y, self.lat, self.lon))

    def validate(self, extra_validators=None) -> bool:
        """A row is filled in completely or left empty."""
        ok = super().validate(extra_validators)
        typed = [bool(v.strip()) for v in self.values()]
        if ok and any(typed) and not all(typed):
            for field in (self.x, self.y, self.lat, self.lon):
                if not (field.data or "").strip():
                    field.errors = [*field.errors, _l("Fill in all four numbers, or none.")]
            ok = False
        return ok


class GeoreferenceForm(FlaskForm):
    points = FieldList(FormField(ControlPointForm), min_entries=0, max_entries=30)


class CornersForm(FlaskForm):
    """A north-up map's corners: the latitude of its top edge and the longitude of its left edge (the top
    left corner), and those of the bottom right corner."""
    top = StringField(_l("Top left corner: latitude"), validators=[corner_filled(), latitude()])
    left = StringField(_l("Top left corner: longitude"), validators=[corner_filled(), longitude()])
    bottom = StringField(_l("Bottom right corner: latitude"), validators=[corner_filled(), latitude()])
    right = StringField(_l("Bottom right corner: longitude"), validators=[corner_filled(), longitude()])


class ImportForm(FlaskForm):
    file = FileField(_l("Survey file (.json)"))


def slugify_title(title: str) -> str:
    from slugify import slugify

    return slugify(title, max_length=60, word_boundary=True) or "survey"


def is_slug(value: str) -> bool:
    return re.fullmatch(SLUG_RULE, value) is not None
