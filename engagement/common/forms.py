"""Form helpers that several staff forms share. Every message is translated."""
from flask_babel import lazy_gettext as _l
from wtforms.validators import Length


def too_long(limit: int) -> Length:
    return Length(max=limit, message=_l("Use at most %(max)d characters."))
