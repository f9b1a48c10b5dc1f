"""A photo far bigger than a phone makes gets the app's "the file is too big" page (413), in the person's
language, over a real socket too: not a connection reset, not a 500. The browser journey is in
tests/browser/test_upload_limit.py. A 12 MB photo, as phones write them, gets through and is cleaned."""
import http.client
import io
import random
import re
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select

from config import from_environment
from engagement.competitions.models import IdeaPhoto
from tests.browser.conftest import live_server  # noqa: F401  (a real server on a real socket)
from tests.builders import make_competition, make_org
from tests.engagement.competitions.test_public_sending import open_form, send

MB = 1024 * 1024
TOO_BIG_TITLE = "The file is too big"


def heading(page: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", page, re.S).group(1).strip()


def test_a_20_mb_post_gets_the_too_big_page_in_the_persons_language(client):
    client.get("/staff/login?lang=en")
    response = client.post("/staff/login", data=b"email=a%40b.dk&password=" + b"x" * (20 * MB),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert heading(response.get_data(as_text=True)) == TOO_BIG_TITLE
    assert "Choose a smaller file" in response.get_data(as_text=True)


def twelve_mb_phone_photo() -> bytes:
    """A 12 MP JPEG of noise (which does not compress), about the size a phone camera writes."""
    pixels = random.Random(12).randbytes(4000 * 3000 * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (4000, 3000), pixels).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_12_mb_phone_photo_sent_with_an_idea_is_stored_cleaned(client, db):
    competition = make_competition(db, make_org(db))
    photo = twelve_mb_phone_photo()
    assert 12 * MB <= len(photo) < 15 * MB
    response = send(client, competition, open_form(client, competition), photo=photo, filename="IMG_0042.jpg")
    assert response.status_code == 303
    stored = db.session.scalar(select(IdeaPhoto))
    assert (stored.content_type, stored.width, stored.height) == ("image/webp", 1600, 1200)
    assert len(stored.data) < MB


def test_the_limit_is_set_in_megabytes_and_is_15_mb_unless_set(monkeypatch, tmp_path):
    monkeypatch.delenv("MAX_UPLOAD_MB", raising=False)
    assert from_environment(str(tmp_path))["MAX_CONTENT_LENGTH"] == 15 * MB
    monkeypatch.setenv("MAX_UPLOAD_MB", "25")
    assert from_environment(str(tmp_path))["MAX_CONTENT_LENGTH"] == 25 * MB


def post_over_a_socket(base_url: str, path: str, body: bytes, cookie: str = "") -> tuple[int, str]:
    """Status and page of a POST sent by http.client over a real TCP connection; a reset raises."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request("POST", path, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def english_session_cookie(base_url: str) -> str:
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("GET", "/staff/login?lang=en")
    response = connection.getresponse()
    response.read()
    connection.close()
    return next(cookie.split(";")[0] for cookie in response.msg.get_all("Set-Cookie")
                if cookie.startswith("session="))


@pytest.mark.parametrize("attempt", range(3))
def test_a_20_mb_post_over_a_real_socket_gets_the_page_not_a_connection_reset(live_server, attempt):  # noqa: F811
    cookie = english_session_cookie(live_server)
    status, page = post_over_a_socket(live_server, "/staff/login", b"password=" + b"x" * (20 * MB), cookie)
    assert status == 413
    assert heading(page) == TOO_BIG_TITLE
