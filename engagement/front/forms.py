"""The form that asks to be told when results come, and staff's setting that offers it."""
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, HiddenField
from wtforms.validators import DataRequired, Optional, Regexp, ValidationError

from engagement.common.forms import too_long
from engagement.competitions.idea_form import EMAIL
from engagement.competitions.text import TEXT_FILTERS
from surveys.answering import KEY_PATTERN
from surveys.forms import plausible_year


class SubscribeForm(FlaskForm):
    """E-mail and consent; under the consent box, the day the e-mail is deleted (`promise`)."""
    key = HiddenField(validators=[Regexp(f"^{KEY_PATTERN}$")])
    email = EmailField(_l("Your e-mail"), filters=TEXT_FILTERS, validators=[
        DataRequired(message=_l("Write your e-mail, e.g. navn@eksempel.dk.")), too_long(254)])
    consent = BooleanField(_l("Yes, you may write to me when the results come"), validators=[
        DataRequired(message=_l("Tick the box, so we know that we may write to you."))])
    promised = ""  # shown under the consent box: what the e-mail is used for and the day it is deleted

    def promise(self, keep_until: date) -> None:
        self.promised = _("You only use my e-mail for that, and delete it on %(date)s at the latest.",
                          date=format_date(keep_until, "long"))

    def validate_email(self, field):
        if field.data and not EMAIL.fullmatch(field.data.strip()):
            raise ValidationError(_l("This does not look like an e-mail address, e.g. navn@eksempel.dk."))


class ResultsNoticeForm(FlaskForm):
    """Staff turn the offer on the thank-you page on or off; `today` is set by the view."""
    offered = BooleanField(_l("Offer »Get told when the results come« on the thank-you page"))
    keep_until = DateField(_l("Delete the e-mails on"), validators=[Optional(), plausible_year])
    today: date | None = None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.offered.data and not self.keep_until.data and not self.keep_until.errors:
            # Not an inline validator: Optional() ends the field's checks when it is empty.
            self.keep_until.errors.append(_l("Choose the day the e-mails are deleted."))
            return False
        return valid

    def validate_keep_until(self, field):
        if self.offered.data and self.today and field.data <= self.today:
            raise ValidationError(_l("Choose a day after today: the e-mails are deleted on it."))
