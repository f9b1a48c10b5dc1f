"""Staff forms for surveys and questions."""
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
        else:
            fields[f"setting_{setting.name}"] = StringField(setting.label, validators=[Length(max=100)])
    form_class = type("KindQuestionForm", (QuestionForm,), fields)
    return form_class(**kwargs)


class ImportForm(FlaskForm):
    file = FileField(_l("Survey file (.json)"))


def slugify_title(title: str) -> str:
    from slugify import slugify

    return slugify(title, max_length=60, word_boundary=True) or "survey"


def is_slug(value: str) -> bool:
    return re.fullmatch(SLUG_RULE, value) is not None
