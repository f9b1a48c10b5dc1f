"""What every typed text in the competition forms, and every id typed in an address, goes through.

NUL never comes from a keyboard, and PostgreSQL refuses it in text (a 500 instead of a saved
idea), so it is dropped, as surveys.kinds does for answers. The length rule is the touchpoints'
one, so the message is the same everywhere.
"""
from engagement.common.forms import too_long

__all__ = ["TEXT_FILTERS", "parse_id", "too_long", "without_nul"]


def without_nul(text):
    """`text` without NUL characters; None (a field not sent) stays None."""
    return text.replace("\x00", "") if isinstance(text, str) else text


# For every StringField, TextAreaField and EmailField: `filters=TEXT_FILTERS`.
TEXT_FILTERS = (without_nul,)


def parse_id(raw) -> int | None:
    """An id from the query string (`?category=7`), or None unless it is 1–9 plain digits.

    Longer ones cannot be a row's id and would overflow the database's integer (a 500 on
    PostgreSQL), so they are refused before any query, as touchpoints.services.resolve_target does.
    """
    if not isinstance(raw, str) or not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        return None
    return int(raw)
