"""A 20 MB upload sent in chunks (Transfer-Encoding: chunked, no Content-Length) gets the "file is too
big" page (413), not "the page had expired" (a CSRF error from a form read as empty), and stores nothing.

Werkzeug reads a chunked body only when the WSGI server marks it as ended (wsgi.input_terminated, as
werkzeug's own server and gunicorn do); Flask's test client does not, like any server that passes the
chunks on as they come. Both kinds of server are tried.
"""
import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from engagement.competitions.models import Idea
from surveys.models import Survey
from tests.builders import make_competition, make_org, make_user
from tests.conftest import csrf_token
from tests.engagement.competitions.test_public_sending import open_form

MB = 1024 * 1024
SERVERS = {"server_passes_chunks_on": {}, "server_ends_the_body": {"wsgi.input_terminated": True}}


def post_in_chunks(client, url: str, fields: dict, file_field: str, server: dict):
    """`fields` and a 20 MB file as multipart/form-data, announced as chunked and without a length."""
    photo = FileStorage(io.BytesIO(b"\xff" * (20 * MB)), "IMG_0042.jpg", content_type="image/jpeg")
    stream, _length, boundary = stream_encode_multipart({**fields, file_field: photo})
    return client.post(url, input_stream=stream, content_type=f"multipart/form-data; boundary={boundary}",
                       headers={"Transfer-Encoding": "chunked"}, environ_overrides=server)


@pytest.mark.parametrize("server", SERVERS.values(), ids=SERVERS.keys())
def test_young_person_who_sends_a_20_mb_photo_in_chunks_sees_the_too_big_page(client, db, server):
    competition = make_competition(db, make_org(db))
    fields = {**open_form(client, competition), "title": "Et værksted for cykler"}
    response = post_in_chunks(client, f"/c/{competition.slug}", fields, "photo", server)
    assert response.status_code == 413
    assert "The file is too big" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Idea.id))) == 0


@pytest.mark.parametrize("server", SERVERS.values(), ids=SERVERS.keys())
def test_editor_who_uploads_a_20_mb_survey_file_in_chunks_sees_the_too_big_page(client, db, staff, server):
    staff(make_user(db, make_org(db), role="editor"))
    token = csrf_token(client, "/staff/surveys/import?lang=en")
    response = post_in_chunks(client, "/staff/surveys/import", {"csrf_token": token}, "file", server)
    assert response.status_code == 413
    assert "The file is too big" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Survey.id))) == 0
