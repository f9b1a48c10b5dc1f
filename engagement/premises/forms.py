"""The staff forms for a premises. Every message is translated; what was typed stays in the form."""
import re
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, StopValidation, ValidationError

from engagement.competitions.idea_form import EMAIL
from engagement.competitions.text import TEXT_FILTERS, too_long
from engagement.premises.models import KIND_LABELS, STATUS_LABELS, PremisesKind, PremisesStatus
from engagement.premises.register import PremisesValues
from engagement.touchpoints.forms import MapPlaceForm, filled
from surveys.forms import plausible_year

CONTACT_KEPT_AT_MOST = timedelta(days=3 * 365)  # then the register asks again whether it is needed
PHONE = re.compile(r"\+?[\d\s()-]{6,}")
# The lazy labels, not `.label`: that is text in the language of the moment, and this is import time.
STATUS_CHOICES = [SelectChoice(status.value, STATUS_LABELS[status]) for status in PremisesStatus]


def needed_with_a_contact(form, field):
    """An empty day is no error without a contact, and the one thing to say with one."""
    if field.raw_data and field.raw_data[0].strip():
        return
    field.errors[:] = []  # not "this is not a date"
    if form.has_contact():
        raise StopValidation(_l("Choose the day the contact is deleted: a contact is kept only until a set day."))
    raise StopValidation()


def status_field():
    return SelectField(_l("Status"), choices=STATUS_CHOICES)


def status_note_field():
    return StringField(_l("Note on the change of status (optional)"), filters=TEXT_FILTERS,
                       validators=[too_long(500)])


class StatusForm(FlaskForm):
    """A new status with a note, from the premises page."""
    status = status_field()
    status_note = status_note_field()


class PremisesForm(MapPlaceForm):
    """`today` (the Danish date) is set by the view before validating; `set_maps` gives the map choices."""
    address = StringField(_l("Address"), filters=TEXT_FILTERS, validators=[
        DataRequired(message=_l("Give the address, e.g. »Algade 12«.")), too_long(200)])
    kind = SelectField(_l("Kind of place"), choices=[SelectChoice(k.value, KIND_LABELS[k]) for k in PremisesKind],
                       default=PremisesKind.empty_shop.value)
    status = status_field()
    status_note = status_note_field()
    owner_name = StringField(_l("Owner’s name"), filters=TEXT_FILTERS, validators=[too_long(200)])
    owner_email = StringField(_l("Owner’s e-mail"), filters=TEXT_FILTERS, validators=[too_long(254)])
    owner_phone = StringField(_l("Owner’s phone"), filters=TEXT_FILTERS, validators=[too_long(40)])
    contact_purpose = TextAreaField(_l("What the contact is kept for"), filters=TEXT_FILTERS,
                                    validators=[too_long(1000)])
    contact_delete_on = DateField(
        _l("Delete the contact on"), validators=[needed_with_a_contact, plausible_year],
        invalid_value_message=_l("This is not a date. Choose the day the contact is deleted."))
    notes = TextAreaField(_l("Notes for staff (optional)"), filters=TEXT_FILTERS, validators=[too_long(4000)])
    today: date | None = None


    def has_contact(self) -> bool:
        return any(filled(field) for field in (self.owner_name, self.owner_email, self.owner_phone))

    def validate_owner_email(self, field):
        if filled(field) and not EMAIL.fullmatch(field.data.strip()):
            raise ValidationError(_l("Write an e-mail address like name@example.dk."))

    def validate_owner_phone(self, field):
        if filled(field) and not PHONE.fullmatch(field.data.strip()):
            raise ValidationError(_l("Write a phone number with digits, e.g. 55 36 00 00."))

    def validate_contact_purpose(self, field):
        if self.has_contact() and not filled(field):
            raise ValidationError(_l("Say what the contact is kept for, e.g. »To talk with the owner about "
                                     "a trial in the shop«."))

    def validate_contact_delete_on(self, field):
        if field.errors:  # not a date, or an odd year: said already
            return
        if self.has_contact() and self.today is not None:
            if field.data <= self.today:
                raise ValidationError(_l("Choose a day after today."))
            if field.data > self.today + CONTACT_KEPT_AT_MOST:
                raise ValidationError(_l("Keep a contact for at most three years: choose %(date)s or earlier.",
                                         date=format_date(self.today + CONTACT_KEPT_AT_MOST, "long")))

    def values(self) -> PremisesValues:
        place = self.map_place() if self.chosen_map_id() is not None else None
        contact = self.has_contact()
        return PremisesValues(
            address=" ".join(self.address.data.split()), kind=PremisesKind(self.kind.data),
            status=PremisesStatus(self.status.data),
            map_id=self.chosen_map_id() if place else None, map_x=place[0] if place else None,
            map_y=place[1] if place else None,
            owner_name=text(self.owner_name), owner_email=text(self.owner_email), owner_phone=text(self.owner_phone),
            contact_purpose=text(self.contact_purpose) if contact else "",
            contact_delete_on=self.contact_delete_on.data if contact else None,
            notes=text(self.notes), status_note=text(self.status_note))


def text(field) -> str:
    return (field.data or "").strip()
