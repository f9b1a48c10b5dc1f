"""A big export as deployed: started through nginx over HTTPS, made in the background by the app server
that took the request, its progress polled through nginx (which sends the polls to both app servers in
turn), and the finished file fetched from whichever server answers: it is kept in PostgreSQL."""
import io
import re
import time

import pytest
from openpyxl import load_workbook

from engagement.demo.seed import DEMO_EMAIL, DEMO_PASSWORD
from tests.deploy.stack import client_from, form_token
from tests.deploy.test_deployed_stack import rows

pytestmark = pytest.mark.browser

# The demo's young people's survey has a few hundred responses: above this, its export is made in the background.
STACK_SETTINGS = {"EXPORT_DIRECT_LIMIT": "10"}
POLLS_AT_LEAST = 4


def test_a_big_export_made_in_the_background_is_polled_on_both_app_servers_and_downloads(stack):
    [(survey_id, completed)] = rows(stack, "SELECT s.id, count(r.completed_at) FROM surveys s JOIN responses r "
                                           "ON r.survey_id = s.id WHERE s.slug = 'unge-i-bymidten' GROUP BY s.id")
    with client_from("127.0.0.7", stack.https_url) as staff:
        signed_in = staff.post("/staff/login", data={"csrf_token": form_token(staff, "/staff/login"),
                                                     "email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302
        started = staff.get(f"/staff/surveys/{survey_id}/export.xlsx")
        assert started.status_code == 303, started.text[:500]
        page = started.headers["location"]
        assert re.fullmatch(r"/staff/downloads/\d+", page)
        assert "Svarene på »Unge i bymidten« som Excel-fil" in staff.get(page).text

        deadline, polls = time.monotonic() + 60, 0
        while True:  # as the page's script does, a little faster
            state = staff.get(f"{page}/progress").json()
            polls += 1
            if state["status"] in ("ready", "failed") and polls >= POLLS_AT_LEAST:
                break
            assert time.monotonic() < deadline, state
            time.sleep(0.2)
        assert state["status"] == "ready", state
        got = staff.get(state["file_url"])
    assert got.status_code == 200 and got.headers["content-disposition"].endswith(".xlsx")
    assert load_workbook(io.BytesIO(got.content)).active.max_row == completed + 1

    # nginx writes each line as it finishes the request: the last poll's may come a moment later.
    expected = {f"upstream=127.0.0.1:{port}" for port in stack.app_ports}
    deadline = time.monotonic() + 10
    while True:
        answered_by = set(re.findall(rf'"GET {page}/progress" 200 \d+ \S+ (upstream=\S+)',
                                     stack.access_log.read_text()))
        if answered_by >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert answered_by >= expected, answered_by
