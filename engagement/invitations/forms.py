"""The forms on a survey's invitations page."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FileField
from wtforms.validators import DataRequired

from surveys.forms import plausible_year


class SettingsForm(FlaskForm):
    named = BooleanField(_l("Tie the answers to the person invited"))
    keep_until = DateField(_l("Delete the list on"), validators=[
        DataRequired(message=_l("Choose the day the names and addresses are deleted.")), plausible_year])


class UploadForm(FlaskForm):
    file = FileField(_l("The list (CSV or Excel)"))
