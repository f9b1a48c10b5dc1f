"""Times are stored as naive UTC; staff type and read them in Danish time."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Copenhagen")


def to_local(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc).astimezone(LOCAL)


def from_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=LOCAL).astimezone(timezone.utc).replace(tzinfo=None)
