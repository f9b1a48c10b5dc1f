"""Builders for touchpoint tests, in the style of tests/builders.py: plain functions with overrides."""
from itertools import count

from engagement.touchpoints.links import new_code
from engagement.touchpoints.models import Scan, Touchpoint, TouchpointKind

_numbers = count(1)


def make_touchpoint(db, org, survey=None, **overrides) -> Touchpoint:
    n = next(_numbers)
    touchpoint = Touchpoint(organisation_id=org.id, survey_id=survey.id if survey else None, **{
        "code": new_code(), "name": f"Sted {n}", "kind": TouchpointKind.skate_park, **overrides})
    db.session.add(touchpoint)
    db.session.commit()
    return touchpoint


CURRENT = object()


def add_scans(db, touchpoint, number: int, survey=CURRENT, **overrides) -> None:
    """`number` scans of `touchpoint` that were sent on to `survey` (default: its current survey;
    None: a scan that was not sent on, e.g. while the survey was closed)."""
    survey_id = touchpoint.survey_id if survey is CURRENT else survey.id if survey else None
    db.session.add_all(Scan(touchpoint_id=touchpoint.id, survey_id=survey_id, **overrides) for _ in range(number))
    db.session.commit()
