"""The projector's refresh endpoint under load: `/staff/classes/<id>/live`, as projector.js polls it.

A class session of the demo's young-people survey is added to the demo
database, taught by the demo teacher, with 28 of the survey's responses (one
class) tagged with it, so each request computes the class's live results
(`summarise` filtered by the session) and returns them as JSON. wrk sends the
teacher's session cookie, got by signing in through the real login form.
"""
import urllib.parse
from datetime import timedelta

from sqlalchemy import select, update

from bench.scale import bench_app
from engagement.classes.models import ClassSession
from engagement.classes.services import new_code
from engagement.demo.seed import DEMO_PASSWORD
from engagement.models import User
from extensions import db, utcnow
from surveys.models import Response, Survey

TEACHER_EMAIL = "laerer@vordingborg.example"
CLASS_SIZE = 28


def add_class_session(url: str, slug: str) -> int:
    """A live session of the survey `slug` with CLASS_SIZE of its responses; its id."""
    with bench_app(url).app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
        teacher = db.session.scalar(select(User).where(User.email == TEACHER_EMAIL))
        class_session = ClassSession(organisation_id=survey.organisation_id, teacher_id=teacher.id,
                                     name="2.g Vordingborg Gymnasium, bymidten", code=new_code(),
                                     survey_id=survey.id, ends_at=utcnow() + timedelta(days=1))
        db.session.add(class_session)
        db.session.flush()
        chosen = select(Response.id).where(Response.survey_id == survey.id).order_by(Response.id).limit(CLASS_SIZE)
        db.session.execute(update(Response).where(Response.id.in_(chosen.scalar_subquery()))
                           .values(class_session_id=class_session.id))
        db.session.commit()
        session_id = class_session.id
        db.engine.dispose()
    return session_id


def teacher_cookie(port: int, fetch, csrf_pattern) -> str:
    """The session cookie of the demo teacher, signed in through the login form.

    :raise RuntimeError: if the login does not redirect (the bench would measure the login page).
    """
    status, headers, html = fetch(port, "GET", "/staff/login")
    cookie = headers["Set-Cookie"].split(";")[0]
    body = urllib.parse.urlencode({"csrf_token": csrf_pattern.search(html).group(1), "email": TEACHER_EMAIL,
                                   "password": DEMO_PASSWORD})
    status, headers, _html = fetch(port, "POST", "/staff/login", body,
                                   {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status not in (302, 303) or not headers.get("Set-Cookie"):
        raise RuntimeError(f"The demo teacher's login gave {status}: the projector cannot be measured")
    return headers["Set-Cookie"].split(";")[0]


def check_live(port: int, fetch, path: str, cookie: str) -> None:
    status, _headers, body = fetch(port, "GET", path, headers={"Cookie": cookie})
    if status != 200 or '"count":' not in body.replace(" ", ""):
        raise RuntimeError(f"GET {path} gave {status}: the benchmark would measure errors")
