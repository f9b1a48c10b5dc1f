"""A survey for the owners of empty shops, its list of people, and the helpers to upload and answer.

The mail fixtures (a real aiosmtpd server, `mail_app`, `signed_in`, `send_mail`) are the mail tests' own.
"""
import io
import re
from datetime import date

import pytest
from openpyxl import Workbook

from tests.builders import make_org, make_survey, make_user
from tests.conftest import CSRF, csrf_token
from tests.engagement.mail.conftest import mail_app, phone, send_mail, signed_in, smtp  # noqa: F401

QUESTIONS = [
    {"kind": "single_choice", "prompt": "Vil du samarbejde om lokalet?", "choices": ["Ja", "Måske", "Nej"]},
    {"kind": "long_text", "prompt": "Hvad skal der til?", "required": False},
]
INTRO = "Byen vil gerne høre, hvad I som ejere har lyst til at samarbejde om."
KEEP_UNTIL = date(2099, 6, 1)
OWNERS = [
    ["navn", "e-mail", "adresse"],
    ["Åse Ørnsø", "aase@example.dk", "Algade 12, 4760 Vordingborg"],
    ["Bent Hansen", "", "Slotsgade 3\n4760 Vordingborg"],
    ["Carla Jensen", "carla@example.dk", ""],
]


@pytest.fixture
def org(db):
    return make_org(db, name="Vordingborg bymidte")


@pytest.fixture
def survey(db, org):
    return make_survey(db, org, QUESTIONS, slug="ejere", title="Tomme butikker", intro=INTRO)


@pytest.fixture
def editor(client, db, org, staff):
    return staff(make_user(db, org, role="editor"))


def page_url(survey) -> str:
    return f"/staff/surveys/{survey.id}/invitations"


def csv_bytes(rows, sep=";", bom=False, encoding="utf-8") -> bytes:
    lines = []
    for row in rows:
        cells = [f'"{cell}"' if sep in cell or "\n" in cell else cell for cell in row]
        lines.append(sep.join(cells))
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def save_settings(client, survey, named=False, keep_until=KEEP_UNTIL):
    data = {"csrf_token": csrf_token(client, page_url(survey)), "keep_until": keep_until.isoformat()}
    if named:
        data["named"] = "y"
    return client.post(f"{page_url(survey)}/settings", data=data)


def upload(client, survey, data: bytes, name="ejere.csv"):
    return client.post(f"{page_url(survey)}/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, page_url(survey)), "file": (io.BytesIO(data), name)})


def post_action(client, survey, action: str):
    """Press "Send invitations" (`send`) or "Send a reminder" (`remind`) on the page as it is now."""
    page = client.get(page_url(survey)).get_data(as_text=True)
    data = {"csrf_token": CSRF.search(page).group(1)}
    shown = re.search(r'name="shown_at" value="([^"]+)"', page)
    if shown:
        data["shown_at"] = shown.group(1)
    return client.post(f"{page_url(survey)}/{action}", data=data)


def answer_through(client, url: str, choice_id: int, text: str = "Et værksted"):
    """Open a personal link and answer both screens; returns the last post's response."""
    opened = client.get(url)
    assert opened.status_code == 303, opened.status_code
    first = client.get(opened.location)
    html = first.get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    via = re.search(r'name="via" value="([^"]+)"', html)
    data = {"csrf_token": CSRF.search(html).group(1), "q" + action.rsplit("/", 1)[1].split("?")[0]: str(choice_id)}
    if via:
        data["via"] = via.group(1)
    second = client.post(action, data=data)
    assert second.status_code == 303, second.get_data(as_text=True)[-500:]
    html = client.get(second.location).get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    return client.post(action, data={"csrf_token": CSRF.search(html).group(1),
                                     "q" + action.rsplit("/", 1)[1]: text})


def make_invitations(db, survey, named=False, rows=OWNERS):
    """The survey's settings and list, stored as the staff page stores them; the invitations in order."""
    from sqlalchemy import select

    from engagement.invitations import lists, services
    from engagement.invitations.models import Invitation
    from extensions import utcnow

    services.save_settings(db.session, survey, named, KEEP_UNTIL, date.today())
    result = services.import_list(db.session, survey, lists.read_list(csv_bytes(rows)), date.today(), utcnow())
    assert result.outcome is services.Imported.imported, result
    db.session.commit()
    return list(db.session.scalars(select(Invitation).order_by(Invitation.id)))


def choice(survey, label: str) -> int:
    return next(c.id for c in survey.questions[0].choices if c.label == label)
