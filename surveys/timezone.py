"""Times are stored as naive UTC; staff type and read them in Danish time."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Copenhagen")
# The years a survey, a competition or a results filter can be about. Year 1 or 9999 is a slip of the
# keyboard, and turning it into UTC (or adding a day to it) would overflow: a 500 instead of a message.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def to_local(value: datetime) -> datetime:
    """:raise OverflowError: for a time within hours of year 9999's end (see `plausible`)."""
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL)


def from_local(value: datetime | None) -> datetime | None:
    """:raise OverflowError: for a time within hours of year 1's start (see `plausible`)."""
    if value is None:
        return None
    return value.replace(tzinfo=LOCAL).astimezone(timezone.utc).replace(tzinfo=None)


def plausible(value: date) -> bool:
    """Whether a date or time lies in FIRST_YEAR–LAST_YEAR, where converting it cannot overflow."""
    return FIRST_YEAR <= value.year <= LAST_YEAR
