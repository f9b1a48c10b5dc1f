"""The public form that sends an idea. Every message is translated; what was typed stays in the form.

The photo is the one thing a browser cannot keep on a page that comes back
with an error, so the page says to choose it again (`photo_lost`).
"""
import logging
import re
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from engagement.competitions import photos
from engagement.competitions.models import Competition, PhotoRule
from engagement.competitions.services import CleanPhoto, IdeaValues
from engagement.competitions.text import TEXT_FILTERS, too_long
from extensions import utcnow
from surveys.ages import AGE_BANDS
from surveys.answering import KEY_PATTERN, VIA_PATTERN
from surveys.timezone import to_local

log = logging.getLogger(__name__)

TITLE_MAX = 120  # Idea.title
DESCRIPTION_MAX = 3000
NICKNAME_MAX = 40  # Idea.nickname
# Good enough to catch a typo; the address is only used if staff write to the person.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class IdeaForm(FlaskForm):
    clean_photo: CleanPhoto | None = None  # set by validate_photo
    key = HiddenField(validators=[Regexp(f"^{KEY_PATTERN}$")])
    via = HiddenField(validators=[Optional(), Regexp(f"^{VIA_PATTERN}$")])
    title = StringField(_l("Give your idea a short title"), filters=TEXT_FILTERS, validators=[
        DataRequired(message=_l("Write a title, e.g. “A roof over the skate ramp”.")), too_long(TITLE_MAX)])
    description = TextAreaField(_l("Describe your idea"), filters=TEXT_FILTERS, validators=[
        DataRequired(message=_l("Write a few words about your idea.")), too_long(DESCRIPTION_MAX)])
    category = SelectField(_l("Theme"), choices=[], validate_choice=False)
    photo = FileField(_l("Photo of your sketch or model"))
    nickname = StringField(_l("Your first name or a nickname (optional)"), filters=TEXT_FILTERS,
                           validators=[too_long(NICKNAME_MAX)])
    age_band = SelectField(_l("Your age (optional)"),
                           choices=[SelectChoice("", _l("I would rather not say"))]
                           + [SelectChoice(key, label) for key, label in AGE_BANDS.items()],
                           validate_choice=False)
    email = EmailField(_l("Your e-mail (optional)"), filters=TEXT_FILTERS, validators=[too_long(254)])
    consent = BooleanField()  # its label names the day the e-mail is deleted (set_competition)
    # That day as the page showed it: if the page is sent after midnight, the later day a new page would
    # show does not count; nobody's address is kept past what they read.
    kept_until = HiddenField()
    contact_deadline: date | None = None

    def set_competition(self, competition: Competition) -> None:
        """Fit the form to the competition: its categories, whether a photo is asked for, and until when
        an e-mail is kept (none asked for when the competition's date for deleting them has passed)."""
        self.competition = competition
        self.category.choices = [SelectChoice("", _l("Choose a theme"))] + [
            SelectChoice(str(c.id), c.name) for c in competition.categories]
        deadline = competition.contact_deadline(to_local(utcnow()).date())
        shown = self.promised_day()
        self.contact_deadline = min(deadline, shown) if deadline and shown else deadline
        if self.contact_deadline:
            self.kept_until.data = self.contact_deadline.isoformat()
            self.consent.label.text = _(
                "Yes, you may write to me about what happens with my idea. You only use my e-mail for that, "
                "and delete it on %(date)s at the latest.", date=format_date(self.contact_deadline, "long"))

    def promised_day(self) -> date | None:
        try:
            return date.fromisoformat(self.kept_until.data or "")
        except ValueError:
            return None

    def validate_category(self, field):
        if not self.competition.categories:
            field.data = ""
            return
        if field.data not in {str(c.id) for c in self.competition.categories}:
            raise ValidationError(_l("Choose the theme your idea fits best."))

    def validate_photo(self, field):
        """Cleans the photo (engagement.competitions.photos) into `clean_photo`; its refusal is the field's error."""
        data = self.photo_bytes()
        if not data:
            if self.competition.photo_rule is PhotoRule.required:
                raise ValidationError(_l("Add a photo of your sketch or model."))
            return
        try:
            self.clean_photo = photos.clean_photo(data)
        except photos.PhotoProblem as problem:
            log.info("Refused an idea photo of %d bytes: %s", len(data), problem)
            raise ValidationError(str(problem)) from None

    def validate_age_band(self, field):
        if (field.data or "") not in ("", *AGE_BANDS):
            raise ValidationError(_l("Choose your age from the list."))

    def validate_email(self, field):
        if self.contact_deadline is None:  # not asked for
            field.data, self.consent.data = "", False
            return
        address = (field.data or "").strip()
        if address and not EMAIL.fullmatch(address):
            raise ValidationError(_l("This does not look like an e-mail address, e.g. navn@eksempel.dk."))
        if address and not self.consent.data:
            raise ValidationError(_l("Tick the box below if we may write to you, or remove your e-mail."))

    def photo_bytes(self) -> bytes:
        """The uploaded photo, b"" when none was chosen (or the competition takes no photos)."""
        if self.competition.photo_rule is PhotoRule.none:
            return b""
        upload = self.photo.data
        if not upload or not getattr(upload, "filename", None):
            return b""
        if not hasattr(self, "_photo_bytes"):
            self._photo_bytes = upload.read()
        return self._photo_bytes

    def values(self) -> IdeaValues:
        email = (self.email.data or "").strip()
        consent = bool(email) and bool(self.consent.data)
        return IdeaValues(
            title=self.title.data.strip(), description=self.description.data.strip(),
            category_id=int(self.category.data) if self.category.data else None,
            nickname=(self.nickname.data or "").strip(), age_band=self.age_band.data or "",
            contact_email=email if consent else None, contact_consent=consent,
            contact_kept_until=self.contact_deadline if consent else None)
