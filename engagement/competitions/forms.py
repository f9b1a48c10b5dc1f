"""Staff forms for competitions and their ideas. Every message is translated; what was typed stays."""
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, NumberRange, Optional, Regexp, ValidationError

from engagement.competitions.editing import CompetitionValues
from engagement.competitions.models import IdeaOutcome, PhotoRule, VotingMode
from engagement.competitions.moderation import ANSWER_MAX
from engagement.competitions.text import TEXT_FILTERS, too_long
from extensions import db
from surveys.forms import SLUG_RULE, plausible_year
from surveys.timezone import from_local, to_local

PHOTO_RULE_LABELS = {PhotoRule.none: _l("No photos"), PhotoRule.optional: _l("A photo is optional"),
                     PhotoRule.required: _l("A photo is required")}
VOTING_MODE_LABELS = {VotingMode.single: _l("One vote per idea"),
                      VotingMode.dots: _l("Dots: each phone spreads a number of dots over the ideas")}
DATE_FIELDS = ("submissions_open_at", "voting_opens_at", "closes_at")
# The first format is what the field shows: the browser's own "2027-06-15T12:00".
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class CompetitionForm(FlaskForm):
    title = StringField(_l("Title"), filters=TEXT_FILTERS, validators=[
        DataRequired(message=_l("Give the competition a title.")), too_long(200)])
    slug = StringField(_l("Web address"), filters=TEXT_FILTERS, validators=[Optional(), too_long(80), Regexp(
        SLUG_RULE, message=_l("Use only small letters a–z, digits and single dashes."))])
    brief = TextAreaField(_l("The question or task"), filters=TEXT_FILTERS, validators=[
        DataRequired(message=_l("Say what ideas you are looking for.")), too_long(4000)])
    premises_id = SelectField(_l("The premises or place it is about (optional)"), choices=[], validate_choice=False)
    language = SelectField(_l("Language of the competition"),
                           choices=[SelectChoice("da", "Dansk"), SelectChoice("en", "English")])
    photo_rule = SelectField(_l("Photos of sketches or models"),
                             choices=[SelectChoice(k.value, v) for k, v in PHOTO_RULE_LABELS.items()],
                             default=PhotoRule.optional.value)
    moderated = BooleanField(_l("Read ideas before they are shown in public"), default=True)
    voting_mode = SelectField(_l("How people vote"), default=VotingMode.single.value,
                              choices=[SelectChoice(k.value, v) for k, v in VOTING_MODE_LABELS.items()])
    dots_per_device = IntegerField(_l("Dots per phone"), default=5, validators=[
        Optional(), NumberRange(min=1, max=50, message=_l("Give a number from 1 to 50."))])
    submissions_open_at = DateTimeLocalField(_l("Ideas can be sent from (Danish time)"), format=LOCAL_FORMATS,
                                             validators=[Optional(), plausible_year])
    voting_opens_at = DateTimeLocalField(_l("Voting opens (Danish time)"), format=LOCAL_FORMATS,
                                         validators=[Optional(), plausible_year])
    closes_at = DateTimeLocalField(_l("Closes (Danish time)"), format=LOCAL_FORMATS,
                                   validators=[Optional(), plausible_year])
    contacts_kept_until = DateField(_l("Delete the e-mails on"), validators=[Optional(), plausible_year])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.premises_id.choices = premises_choices(current_user.organisation_id)

    def validate_premises_id(self, field):
        check_premises_choice(field)

    def chosen_premises_id(self) -> int | None:
        return chosen_premises(self.premises_id)

    def validate_dots_per_device(self, field):
        if self.voting_mode.data == VotingMode.dots.value and field.data is None:
            raise ValidationError(_l("Give a number from 1 to 50."))

    def validate_voting_opens_at(self, field):
        if field.data and self.submissions_open_at.data and field.data <= self.submissions_open_at.data:
            raise ValidationError(_l("Voting must open after ideas can be sent."))

    def validate_closes_at(self, field):
        if field.data and self.voting_opens_at.data and field.data <= self.voting_opens_at.data:
            raise ValidationError(_l("The competition must close after voting opens."))
        if field.data and self.submissions_open_at.data and field.data <= self.submissions_open_at.data:
            raise ValidationError(_l("The competition must close after ideas can be sent."))

    def validate_contacts_kept_until(self, field):
        if field.data and self.closes_at.data and field.data <= self.closes_at.data.date():
            raise ValidationError(_l("Keep the e-mails until after the close: that is when ideas are answered."))

    def fill_from(self, competition) -> None:
        """Show stored UTC times as Danish wall-clock times and the stored choices (only on GET: a POST
        keeps what was typed). `obj=` alone gives the selects an enum, which matches no option, so
        the page would show, and a save would store, the first one."""
        for name in DATE_FIELDS:
            value = getattr(competition, name)
            self[name].data = value and to_local(value).replace(tzinfo=None)
        self.photo_rule.data = competition.photo_rule.value
        self.voting_mode.data = competition.voting_mode.value
        self.premises_id.data = str(competition.premises_id or "")

    def values(self) -> CompetitionValues:
        return CompetitionValues(
            title=self.title.data.strip(), brief=self.brief.data.strip(), language=self.language.data,
            slug=(self.slug.data or "").strip(), photo_rule=PhotoRule(self.photo_rule.data),
            moderated=bool(self.moderated.data), voting_mode=VotingMode(self.voting_mode.data),
            dots_per_device=self.dots_per_device.data or 5, contacts_kept_until=self.contacts_kept_until.data,
            premises_id=self.chosen_premises_id(),
            **{name: from_local(self[name].data) for name in DATE_FIELDS})


def premises_choices(organisation_id: int) -> list[SelectChoice]:
    """The organisation's premises and places, "none" first, for a competition or touchpoint to be about one.
    Read by table name: the register (engagement.premises) builds on competitions and touchpoints."""
    premises = db.metadata.tables["premises"]
    rows = db.session.execute(select(premises.c.id, premises.c.address).where(
        premises.c.organisation_id == organisation_id).order_by(func.lower(premises.c.address), premises.c.id))
    return [SelectChoice("", _l("No premises or place"))] + [SelectChoice(str(pid), address) for pid, address in rows]


def check_premises_choice(field) -> None:
    if (field.data or "") not in {choice.value for choice in field.choices}:
        raise ValidationError(_l("Choose one of your organisation’s premises and places from the list."))


def chosen_premises(field) -> int | None:
    """The id of the premises picked, if it is one of the list's; None for "none" and anything else."""
    value = field.data or ""
    return int(value) if value in {choice.value for choice in field.choices} - {""} else None


class IdeaTextForm(FlaskForm):
    """Correcting obvious typos; the text as sent stays in the audit log."""
    title = StringField(_l("Title"), filters=TEXT_FILTERS,
                        validators=[DataRequired(message=_l("An idea needs a title.")), too_long(120)])
    description = TextAreaField(_l("Description"), filters=TEXT_FILTERS, validators=[too_long(4000)])


class IdeaAnswerForm(FlaskForm):
    """What became of a published idea, with the partnership's public answer."""
    outcome = SelectField(_l("What happens with the idea"),
                          choices=[SelectChoice(o.value, o.label) for o in IdeaOutcome])
    answer = TextAreaField(_l("Your answer, shown on the idea's page"), filters=TEXT_FILTERS, validators=[
        DataRequired(message=_l("Write a short answer: it is what the sender and everyone else will read.")),
        too_long(ANSWER_MAX)])
