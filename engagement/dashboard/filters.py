"""Results filters from the address, so a filtered view can be bookmarked and sent."""
from datetime import date

from flask_babel import gettext as _
from flask_login import current_user

from engagement.classes import services as classes
from engagement.touchpoints import services as touchpoints
from extensions import db
from surveys.models import Survey
from surveys.results import Filters
from surveys.timezone import FIRST_YEAR, LAST_YEAR, plausible


def filters_from_args(survey: Survey, args) -> tuple[Filters, list[str]]:
    """Read `from`, `to` (YYYY-MM-DD), `a` (choice ids, repeatable), `incomplete=1`, `t` (a touchpoint
    id) and `class_session` (the id of a class session of this survey).

    A value that cannot be read is left out, and named in the returned messages,
    so a mistyped link still shows results instead of an error page.
    """
    problems = []
    since, until = (_date(args.get(name), label, problems)
                    for name, label in (("from", _("From")), ("to", _("To"))))
    if since and until and since > until:
        problems.append(_("“From” is after “To”, so the dates were swapped."))
        since, until = until, since
    known = {c.id for q in survey.questions for c in q.choices}
    answered = []
    for raw in args.getlist("a"):
        if raw.isascii() and raw.isdigit() and int(raw) in known:
            answered.append(int(raw))
        elif raw:
            problems.append(_("A filter on an answer that is not in this survey was left out."))
    attribution = ()
    touchpoint = args.get("t", "")
    if touchpoint:
        known_touchpoints = {tid for tid, _name in touchpoint_options(survey.organisation_id)}
        if touchpoint.isascii() and touchpoint.isdigit() and int(touchpoint) in known_touchpoints:
            attribution = (("touchpoint_id", int(touchpoint)),)
        else:
            problems.append(_("A filter on a touchpoint that does not exist was left out."))
    attribution += class_session_filter(survey, args.get("class_session", ""), problems)
    return Filters(since, until, tuple(sorted(set(answered))), args.get("incomplete") == "1",
                   attribution), problems


def class_session_filter(survey: Survey, raw: str, problems: list) -> tuple:
    """(("class_session_id", id),) for a class session of this survey that the user may see, else ()."""
    if not raw:
        return ()
    known = {sid for sid, _name in class_session_options(survey)}
    if raw.isascii() and raw.isdigit() and int(raw) in known:
        return (("class_session_id", int(raw)),)
    problems.append(_("A filter on a class session that does not exist was left out."))
    return ()


def class_session_options(survey: Survey) -> list[tuple[int, str]]:
    """The survey's class sessions the signed-in user may see: a teacher's own, else the organisation's."""
    if not current_user.is_authenticated:  # e.g. a shared report: class sessions are staff business
        return []
    return classes.filter_options(db.session, current_user, survey.id)


def touchpoint_options(organisation_id: int) -> list[tuple[int, str]]:
    return touchpoints.filter_options(db.session, organisation_id)


def filter_args(filters: Filters) -> dict:
    """The address parameters that give these filters back (for links and exports)."""
    args = {}
    if filters.since:
        args["from"] = filters.since.isoformat()
    if filters.until:
        args["to"] = filters.until.isoformat()
    if filters.answered:
        args["a"] = list(filters.answered)
    if filters.include_incomplete:
        args["incomplete"] = "1"
    for column, value in filters.attribution:
        if column == "touchpoint_id":
            args["t"] = value
        elif column == "class_session_id":
            args["class_session"] = value
    return args


def filters_to_json(filters: Filters) -> dict:
    """Filters already checked against the request (the user's class sessions, the organisation's touchpoints)
    as plain JSON, for an export made later in the background (`filters_from_json` gives them back)."""
    return {"since": filters.since.isoformat() if filters.since else None,
            "until": filters.until.isoformat() if filters.until else None,
            "answered": list(filters.answered), "include_incomplete": filters.include_incomplete,
            "attribution": [[column, value] for column, value in filters.attribution]}


def filters_from_json(data: dict) -> Filters:
    return Filters(date.fromisoformat(data["since"]) if data["since"] else None,
                   date.fromisoformat(data["until"]) if data["until"] else None,
                   tuple(data["answered"]), data["include_incomplete"],
                   tuple((column, value) for column, value in data["attribution"]))


def _date(raw, label, problems):
    """The date in `raw`, or None (with a message in `problems`) for one that cannot be read, or whose
    year lies outside FIRST_YEAR–LAST_YEAR (year 1 or 9999 cannot be turned into UTC)."""
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        problems.append(_("%(field)s: “%(value)s” is not a date like 2026-05-31, so it was left out.",
                          field=label, value=raw[:20]))
        return None
    if not plausible(value):
        problems.append(_("%(field)s: “%(value)s” is not between the years %(first)d and %(last)d, so it was "
                          "left out.", field=label, value=raw[:20], first=FIRST_YEAR, last=LAST_YEAR))
        return None
    return value
