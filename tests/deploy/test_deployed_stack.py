"""Bypuls as the README deploys it: HTTPS through nginx, two app servers, PostgreSQL and Redis.

Every journey a person takes on the development server is taken here over
HTTPS in Chromium (Secure cookies, HSTS, the CSRF check that wants a
same-origin Referer), and what only matters in production is checked in this
shape: each visitor's own rate limit behind the proxy, masked addresses in
the access log, sessions shared by both app servers, and no acknowledged
answer lost when one app server is killed.
"""
import io
import os
import re
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urljoin

import httpx
import psycopg
import pytest
from lxml import html as lxml_html
from PIL import Image
from playwright.sync_api import expect

from engagement.demo.seed import DEMO_EMAIL, DEMO_PASSWORD
from tests.deploy.stack import (
    APP_UNIT,
    INSTALLED_AT,
    PURGE_TIMER,
    PURGE_UNIT,
    client_from,
    form_token,
    on_this_machine,
    unit_command,
)

pytestmark = pytest.mark.browser

THANKS = re.compile(r"/tak$")
SEND_MAIL_UNIT = PURGE_UNIT.with_name("bypuls-send-mail.service")
SEND_MAIL_TIMER = PURGE_UNIT.with_name("bypuls-send-mail.timer")


def rows(stack, sql: str, *params) -> list[tuple]:
    with psycopg.connect(stack.database_url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return conn.execute(sql, params).fetchall()


def answer_whatever_is_asked(page) -> None:
    """Answer one survey screen the way a hurried teenager would: the first option, a short text."""
    form = page.locator("form.screen")
    for kind in ("radio", "checkbox"):
        options = form.locator(f"input[type={kind}]")
        if options.count():
            options.first.check()
    for box in form.locator("input[inputmode=numeric], input[inputmode=decimal], input[type=number]").all():
        box.fill("10")
    for box in form.locator("input[type=text]:not([inputmode]), textarea").all():
        box.fill("Mere lys ved havnen")


def log_in(page, email: str, password: str) -> None:
    page.goto("/staff/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile("/login"))


def noisy_photo(megabytes: float) -> bytes:
    """A PNG of random pixels: it does not compress, so it weighs what its pixels do."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG", compress_level=0)
    return out.getvalue()


def test_plain_http_goes_to_https_and_https_asks_browsers_to_stay(stack):
    with client_from("127.0.0.1", stack.http_url) as plain:
        moved = plain.get("/s/unge-i-bymidten?lang=en")
    assert moved.status_code == 301
    assert moved.headers["location"] == f"{stack.https_url}/s/unge-i-bymidten?lang=en"
    with client_from("127.0.0.1", stack.https_url) as client:
        page = client.get("/staff/login")
    assert page.headers["strict-transport-security"] == "max-age=63072000"
    assert "Secure" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]


def test_static_files_come_compressed_and_phones_keep_them_for_a_year(stack):
    with client_from("127.0.0.1", stack.https_url) as client:
        screen = client.get("/s/unge-i-bymidten", follow_redirects=True)
        css = re.search(r'href="(/static/css/public\.css\?v=[0-9a-f]+)"', screen.text).group(1)
        sheet = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert sheet.status_code == 200
    assert sheet.headers["content-encoding"] == "gzip"
    assert "max-age=31536000" in sheet.headers["cache-control"]
    assert sheet.num_bytes_downloaded < len(sheet.content) / 2
    # The page itself is compressed by nginx too (the app sends it plain): the first round trip holds it.
    with client_from("127.0.0.1", stack.https_url) as client:
        client.cookies = screen.cookies
        again = client.get(screen.url.path, headers={"Accept-Encoding": "gzip"})
    assert again.headers["content-encoding"] == "gzip"
    assert again.num_bytes_downloaded + sheet.num_bytes_downloaded < 14 * 1024


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_young_person_answers_the_demo_survey_over_https(stack, open_page, js):
    page = open_page(js=js)
    page.goto("/s/unge-i-bymidten")
    for _ in range(15):
        expect(page.locator("form.screen, .thanks")).to_be_visible()
        if THANKS.search(page.url):
            break
        answer_whatever_is_asked(page)
        before = page.url
        page.locator("form.screen button[type=submit]").click()
        # The next screen's own address: a new page without JavaScript, the same page shown anew with it
        # (survey.js), so wait for the address, not for a load.
        page.wait_for_url(lambda url, before=before: url != before)
    expect(page).to_have_url(THANKS)
    key = re.search(r"/s/unge-i-bymidten/([^/]+)/tak$", page.url).group(1)
    assert rows(stack, "SELECT completed_at IS NOT NULL FROM responses WHERE key = %s", key) == [(True,)]


def test_staff_builds_a_competition_a_phone_sends_a_10_mb_photo_and_another_votes(stack, open_page):
    staff = open_page(viewport={"width": 1280, "height": 900})
    log_in(staff, DEMO_EMAIL, DEMO_PASSWORD)
    staff.goto("/staff/competitions/new?lang=en")
    staff.get_by_label("Title").fill("Hvad skal Algade 14 være?")
    staff.get_by_label("Web address").fill("algade-14")
    staff.get_by_label("The question or task").fill("Butikken på Algade 14 står tom. Hvad skal der ske?")
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Hvad skal Algade 14 være?")
    staff.get_by_role("button", name="Publish").click()
    expect(staff.get_by_role("button", name="Start voting now")).to_be_visible()

    phone = open_page(js=True)
    phone.goto("/c/algade-14?lang=en")
    phone.locator("#title").fill("Klatrevæg i baggården")
    phone.locator("#description").fill("Se min model af pap.")
    photo = noisy_photo(10.2)
    assert len(photo) > 10 * 1024 * 1024
    phone.locator("#photo").set_input_files(files=[{"name": "model.png", "mimeType": "image/png",
                                                    "buffer": photo}])
    phone.locator(".idea-form button[type=submit]").click()
    expect(phone.locator("h1")).to_have_text("Thank you! Your idea is saved.", timeout=60_000)

    staff.goto(staff.url.split("?")[0] + "/ideas?lang=en")
    staff.get_by_role("button", name=re.compile(r"^Approve\s*: Klatrevæg i baggården$")).click()
    expect(staff.get_by_role("status")).to_contain_text("is approved")
    staff.goto(staff.url.split("/ideas")[0])
    staff.get_by_role("button", name="Start voting now").click()
    expect(staff.get_by_role("status")).to_contain_text("Voting is open")

    for number, js in enumerate((True, False), start=1):
        voter = open_page(js=js)
        voter.goto("/c/algade-14/ideas?lang=en")
        voter.get_by_role("button", name=re.compile("^Vote")).first.click()
        expect(voter.locator(".votes").first).to_have_text(f"{number} vote" + ("s" if number > 1 else ""))
    assert rows(stack, "SELECT count(*) FROM votes v JOIN ideas i ON i.id = v.idea_id "
                       "WHERE i.title = %s", "Klatrevæg i baggården") == [(2,)]
    staff.get_by_role("button", name="Log out").click()
    expect(staff).to_have_url(re.compile("/staff/login"))


def test_teacher_starts_a_class_session_and_a_pupil_joins_with_the_code(stack, open_page):
    teacher = open_page(viewport={"width": 1280, "height": 900})
    log_in(teacher, "laerer@vordingborg.example", DEMO_PASSWORD)
    teacher.goto("/staff/classes/new?lang=en")
    teacher.get_by_label("Name of the session").fill("8.b Kulsbjerg Skole")
    teacher.get_by_label("What the class works on").select_option(label="Unge i bymidten")
    teacher.get_by_role("button", name="Start the session").click()
    code = teacher.locator(".join-code").inner_text().replace(" ", "")

    pupil = open_page(js=False)
    pupil.goto("/join?lang=en")
    pupil.get_by_label("The code on the board").fill(code.lower())
    pupil.get_by_role("button", name="Join").click()
    expect(pupil.locator("form.screen")).to_be_visible()
    assert rows(stack, "SELECT count(*) FROM class_sessions WHERE code = %s", code) == [(1,)]


def test_each_visitor_has_their_own_login_budget_and_the_log_keeps_no_full_address(stack):
    with client_from("127.0.0.2", stack.https_url) as guesser:
        token = form_token(guesser, "/staff/login")
        answers = [guesser.post("/staff/login", data={"csrf_token": token, "email": DEMO_EMAIL,
                                                      "password": f"wrong-{n}"}).status_code
                   for n in range(11)]
    assert answers == [422] * 10 + [429]
    with client_from("127.0.0.3", stack.https_url) as colleague:
        token = form_token(colleague, "/staff/login")
        signed_in = colleague.post("/staff/login", data={"csrf_token": token, "email": DEMO_EMAIL,
                                                         "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, signed_in.text
    log = stack.access_log.read_text()
    assert "127.0.0.0 " in log
    assert not re.search(r"127\.0\.0\.[1-9]", log.split("upstream=")[0]) and "127.0.0.2 " not in log
    assert not re.search(r"/s/unge-i-bymidten/[A-Za-z0-9_-]{20,}", log)


def test_a_session_and_its_form_token_from_one_app_server_work_on_the_other(stack):
    """Straight to each app server, with the headers nginx adds, so we know which server answers."""
    first, second = (f"http://127.0.0.1:{port}" for port in stack.app_ports)
    through_nginx = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.9",
                     "Host": stack.https_url.removeprefix("https://"),
                     "Referer": f"{stack.https_url}/staff/login"}

    def session_cookie(response) -> str:
        # The cookie is Secure-only, so an http:// client would not send it back by itself.
        return re.search(r"session=([^;]+)", response.headers["set-cookie"]).group(1)

    with client_from("127.0.0.1", first) as server:
        login_page = server.get("/staff/login", headers=through_nginx)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page.text).group(1)
    with client_from("127.0.0.1", second) as server:
        signed_in = server.post("/staff/login", headers={**through_nginx,
                                                         "Cookie": f"session={session_cookie(login_page)}"},
                                data={"csrf_token": token, "email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302, signed_in.text
    with client_from("127.0.0.1", first) as server:
        surveys = server.get("/staff/surveys/", headers={**through_nginx,
                                                        "Cookie": f"session={session_cookie(signed_in)}"})
    assert surveys.status_code == 200 and "Unge i bymidten" in surveys.text


def test_a_photo_too_big_for_nginx_gets_the_apps_own_page_in_danish(stack):
    # nginx refuses it before the app sees it (client_max_body_size), so any idea form will do.
    with client_from("127.0.0.4", stack.https_url) as phone:
        phone.get("/c/algade-12-ideer")
        refused = phone.post("/c/algade-12-ideer", data={"title": "Stort billede"},
                             files={"photo": ("huge.jpg", b"\xff" * (20 * 1024 * 1024), "image/jpeg")})
    assert refused.status_code == 413
    assert "Filen er for stor" in refused.text


def test_the_nightly_purge_runs_from_its_unit_as_systemd_would(stack):
    command, folder = unit_command(PURGE_UNIT, stack.env_file)
    run = subprocess.run(command, cwd=folder, env=stack.environment(), capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Deleted the e-mail address of" in run.stdout
    # The mail queue's unit, every minute: with nothing due it sends nothing and ends well.
    command, folder = unit_command(SEND_MAIL_UNIT, stack.env_file)
    run = subprocess.run(command, cwd=folder, env=stack.environment(), capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and "Sent 0 mail(s)" in run.stdout, run.stderr
    units = stack.folder / "units"
    units.mkdir(exist_ok=True)
    for unit in (APP_UNIT, PURGE_UNIT, PURGE_TIMER, SEND_MAIL_UNIT, SEND_MAIL_TIMER):
        text = unit.read_text()
        (units / unit.name).write_text(on_this_machine(text, stack.env_file) if INSTALLED_AT in text else text)
    verify = subprocess.run(["systemd-analyze", "verify", str(units / "bypuls@8001.service"),
                             *(str(units / unit.name) for unit in (PURGE_UNIT, PURGE_TIMER, SEND_MAIL_UNIT,
                                                                   SEND_MAIL_TIMER))],
                            capture_output=True, text=True)
    assert verify.returncode == 0 and not verify.stderr.strip(), verify.stderr


def phone_answers(base_url: str, address: str) -> str:
    """One phone answers the shop survey over HTTPS like a browser without JavaScript, following the
    forms; returns the response key once the thank-you page has come back (the acknowledgement)."""
    with client_from(address, base_url) as phone:
        page = phone.get("/s/algade-12", follow_redirects=True)
        for _ in range(12):
            if THANKS.search(page.url.path):
                return page.url.path.split("/")[-2]
            assert page.status_code == 200, (page.status_code, page.url)
            form = lxml_html.fromstring(page.text).xpath("//form[contains(@class, 'screen')]")[0]
            page = phone.post(urljoin(str(page.url), form.get("action")), data=fill(form),
                              follow_redirects=True)
    raise AssertionError(f"the survey did not end: {page.url}")


def fill(form) -> dict:
    data = {}
    for field in form.xpath(".//input | .//textarea"):
        name, kind = field.get("name"), field.get("type", "text")
        if not name or (kind in ("radio", "checkbox") and name in data):
            continue
        data[name] = field.get("value") if kind in ("hidden", "radio", "checkbox") else "10" if \
            field.get("inputmode") in ("numeric", "decimal") or kind == "number" else "Et sted at være"
    return data


def test_killing_one_app_server_while_twenty_phones_answer_loses_no_acknowledged_answer(stack):
    acknowledged, failures, killed = [], [], threading.Event()
    killed_server = f"upstream=127.0.0.1:{stack.app_ports[0]}, 127.0.0.1:{stack.app_ports[1]}"

    def phone(n: int) -> None:
        for round_ in range(3):
            if n == 0 and round_ == 1:
                stack.kill_app(0)
                killed.set()
            try:
                acknowledged.append(phone_answers(stack.https_url, f"127.0.1.{n + 1}"))
            except Exception as error:  # noqa: BLE001 - a phone that saw an error page is counted
                failures.append(f"phone {n}: {error!r}")

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            list(pool.map(phone, range(20)))
    finally:
        if "app0" not in stack.processes:
            stack.start_app(0)
    assert killed.is_set()
    assert killed_server in stack.access_log.read_text(), "nginx never had to send a request on"
    assert not failures, failures[:5]
    stored = dict(rows(stack, "SELECT key, completed_at IS NOT NULL FROM responses WHERE key = ANY(%s)",
                       acknowledged))
    assert len(acknowledged) == 60
    assert all(stored.get(key) for key in acknowledged), [k for k in acknowledged if not stored.get(k)]
    survey_questions = rows(stack, "SELECT count(*) FROM questions q JOIN surveys s ON s.id = q.survey_id "
                                   "WHERE s.slug = 'algade-12'")[0][0]
    answered = rows(stack, "SELECT r.key, count(DISTINCT a.question_id) FROM responses r "
                           "JOIN answers a ON a.response_id = r.id WHERE r.key = ANY(%s) GROUP BY r.key",
                    acknowledged)
    assert {count for _, count in answered} == {survey_questions}


def test_the_demo_report_makes_its_pdf_and_a_partner_opens_its_share_link_over_https(stack, open_page, tmp_path):
    """The board pack as deployed: the PDF's charts are drawn by Chromium from inside a gunicorn worker
    (well inside its 30 s), and a partner with no account opens the share link from another address."""
    staff = open_page(viewport={"width": 1280, "height": 900})
    log_in(staff, DEMO_EMAIL, DEMO_PASSWORD)
    staff.goto("/staff/reports/?lang=en")
    staff.get_by_role("link", name="Bymidten set med unges øjne").click()
    expect(staff.locator("[data-figure] svg.main-svg").first).to_be_visible()
    with staff.expect_download(timeout=30_000) as pdf:
        staff.get_by_role("link", name="Download PDF").click()
    path = tmp_path / "rapport.pdf"
    pdf.value.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Bymidten set med unges øjne" in text and "Vordingborg bymidte" in text and "Page 2 of" in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert images.count(" png ") + images.count(" image ") >= 10

    staff.get_by_role("link", name="Share with partners").click()
    staff.get_by_label("Who is it for?").fill("Handelsstandsforeningen")
    staff.get_by_role("button", name="Make the link").click()
    address = staff.locator("input[readonly]").first.input_value()
    assert address.startswith(stack.https_url + "/del/")
    with client_from("127.0.0.5", stack.https_url) as partner:
        shared = partner.get(address.removeprefix(stack.https_url))
    assert shared.status_code == 200 and "Bymidten set med unges øjne" in shared.text
    assert shared.headers["Referrer-Policy"] == "no-referrer" and "set-cookie" not in shared.headers
    assert "/staff/" not in shared.text
    token = address.rsplit("/", 1)[1]
    # nginx writes the line as it finishes the request, which may be just after the partner has the page.
    deadline = time.monotonic() + 10
    while '"GET /del/-" 200' not in (log := stack.access_log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert '"GET /del/-" 200' in log and token not in log  # the key to the report never reaches the log


def test_a_worker_gunicorn_replaces_is_a_fork_of_the_built_app_and_answers_with_its_own_connections(stack):
    """gunicorn replaces each worker after max_requests. Built anew, a worker took about 2 s of CPU while the
    other took its share of the requests (the bench's submissions as deployed: p99 1.5 s against p50 74 ms).
    With preload_app the master builds the app once and a new worker is a fork of it, ready at once; its
    post_fork hook leaves the master's database connections to the master."""
    port, master = stack.app_ports[1], stack.processes["app1"].pid
    log = stack.folder / "logs" / f"app-{port}.log"
    # The master itself holds the built app: the PostgreSQL driver the app loads is in its memory.
    assert "psycopg_binary" in Path(f"/proc/{master}/maps").read_text(), "the master has not built the app"
    built = log.read_text().count("Bypuls starting")
    workers = worker_pids(master)
    assert len(workers) == 2

    os.kill(workers[0], signal.SIGTERM)  # as a worker that has served its max_requests leaves
    deadline = time.monotonic() + 30
    while len(set(worker_pids(master)) - {workers[0]}) < 2:
        assert time.monotonic() < deadline, f"no new worker after 30 s: {worker_pids(master)}"
        time.sleep(0.05)

    def health(_n: int) -> tuple[int, str]:
        got = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
        return got.status_code, got.json().get("database")
    with ThreadPoolExecutor(max_workers=8) as pool:  # both workers at once, each on the database
        assert set(pool.map(health, range(64))) == {(200, "ok")}
    assert log.read_text().count("Bypuls starting") == built, "a worker built the app again"


def worker_pids(master: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
