"""A whole class at once: 35 pupils send their answers or ideas within the same minute while the
projector polls. Real concurrent requests, one test client (one cookie jar, one phone) per pupil."""
import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from engagement.competitions.models import Idea
from surveys.models import Answer, Response
from tests.builders import make_competition, make_org, make_survey, make_user
from tests.engagement.classes.builders import answer_whole_survey, make_class_session

PUPILS = 35
SURVEY = [{"kind": "single_choice", "prompt": "Hvad mangler du på Torvet?", "choices": ["Bænke", "Træer", "Læ"]},
          {"kind": "yes_no", "prompt": "Kommer du i bymidten hver uge?"},
          {"kind": "short_text", "prompt": "Hvad skal Algade 12 være?"}]


class Projector:
    """Polls the live endpoint, as projector.js does, until stopped; keeps every status it got."""

    def __init__(self, app, staff_cookie: str, url: str):
        self.client = app.test_client()
        self.client.set_cookie("session", staff_cookie)
        self.url, self.statuses, self.counts = url, [], []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        while not self.stop.is_set():
            response = self.client.get(self.url)
            self.statuses.append(response.status_code)
            if response.status_code == 200:
                self.counts.append(response.get_json()["count"])
            self.stop.wait(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)


def everyone_at_once(work):
    with ThreadPoolExecutor(max_workers=PUPILS) as pool:
        return list(pool.map(work, range(PUPILS)))


def test_35_pupils_answering_at_once_while_the_projector_polls_are_all_stored(app, client, db, staff):
    org = make_org(db)
    survey = make_survey(db, org, SURVEY)
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, survey)
    staff(teacher)
    start = threading.Barrier(PUPILS)

    def pupil(_n):
        phone = app.test_client()
        start.wait(timeout=30)
        return answer_whole_survey(phone, f"/join/{class_session.code}")

    with Projector(app, client.get_cookie("session").value, f"/staff/classes/{class_session.id}/live") as projector:
        receipts = everyone_at_once(pupil)
    assert all(receipt.endswith("/tak") for receipt in receipts)
    assert set(projector.statuses) == {200} and projector.counts == sorted(projector.counts)
    assert db.session.scalar(select(func.count(Response.id)).where(
        Response.class_session_id == class_session.id, Response.completed_at.is_not(None))) == PUPILS
    assert db.session.scalar(select(func.count(Answer.id))) == PUPILS * len(SURVEY)
    assert client.get(f"/staff/classes/{class_session.id}/live").get_json()["count"] == PUPILS


def send_idea(phone, join_url: str, title: str) -> int:
    """Join, follow the class page's link to the idea form, and send an idea; the final status."""
    class_page = phone.get(join_url).get_data(as_text=True)
    form_url = re.search(r'href="([^"]*via=class-[^"]+)"', class_page).group(1).replace("&amp;", "&")
    html = phone.get(form_url).get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="(\w+)"[^>]*value="([^"]*)"', html))
    fields.update(re.findall(r'<input[^>]*name="(\w+)"[^>]*type="hidden"[^>]*value="([^"]*)"', html))
    action = re.search(r'<form[^>]*method="post"[^>]*action="([^"]+)"', html)
    sent = phone.post(action.group(1) if action else form_url.split("?")[0],
                      data={**fields, "title": title, "description": "Et sted hvor unge kan være."})
    return sent.status_code


def test_35_pupils_sending_ideas_at_once_while_the_projector_polls_are_all_stored(app, client, db, staff):
    org = make_org(db)
    competition = make_competition(db, org)
    teacher = make_user(db, org, role="teacher")
    class_session = make_class_session(db, teacher, competition=competition)
    staff(teacher)
    start = threading.Barrier(PUPILS)

    def pupil(number):
        phone = app.test_client()
        start.wait(timeout=30)
        return send_idea(phone, f"/join/{class_session.code}", f"Idé nummer {number}")

    with Projector(app, client.get_cookie("session").value, f"/staff/classes/{class_session.id}/live") as projector:
        statuses = everyone_at_once(pupil)
    assert statuses == [303] * PUPILS
    assert set(projector.statuses) == {200}
    titles = db.session.scalars(select(Idea.title).where(Idea.class_session_id == class_session.id)).all()
    assert sorted(titles) == sorted(f"Idé nummer {n}" for n in range(PUPILS))
    assert client.get(f"/staff/classes/{class_session.id}/live").get_json()["count"] == PUPILS
