"""Builders for class-session tests, in the style of tests/builders.py: plain functions with overrides."""
from datetime import timedelta
from itertools import count

from engagement.classes.models import ClassSession
from engagement.classes.services import new_code
from extensions import utcnow

_numbers = count(1)


def make_class_session(db, teacher, survey=None, competition=None, **overrides) -> ClassSession:
    """A live session (ends in an hour) of `survey` or `competition`, taught by `teacher`."""
    class_session = ClassSession(
        organisation_id=teacher.organisation_id, teacher_id=teacher.id,
        survey_id=survey.id if survey else None, competition_id=competition.id if competition else None,
        **{"name": f"2.g nr. {next(_numbers)}", "code": new_code(), "ends_at": utcnow() + timedelta(hours=1),
           **overrides})
    db.session.add(class_session)
    db.session.commit()
    return class_session


def answer_whole_survey(client, url: str) -> str:
    """Answer every screen of a survey of choice and text questions from `url`, picking the first
    option each time; the thank-you page's address."""
    import re

    response = client.get(url)
    while response.status_code in (302, 303):
        location = response.location
        if location.split("?")[0].endswith("/tak"):
            return location
        page = client.get(location)
        if page.status_code in (302, 303):
            response = page
            continue
        html = page.get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
        field = re.search(r'name="(q\d+)"', html).group(1)
        option = re.search(rf'name="{field}"[^>]*value="([^"]+)"', html)
        value = option.group(1) if option else "Et værksted for cykler"  # a text question
        via = re.search(r'name="via" value="([^"]+)"', html)
        response = client.post(action, data={"csrf_token": token, field: value,
                                             **({"via": via.group(1)} if via else {})})
    raise AssertionError(f"the survey flow stopped with {response.status_code}")
