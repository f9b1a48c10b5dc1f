"""Completed responses per second: closed-loop journeys through the whole demo survey (bench/journey.lua).

Each of 32 connections is one person who scans a poster (`/q/<code>`), follows
the redirect to the first screen and answers every screen to the thank-you
page, then starts again. Two ways:

- without JavaScript: POST a screen, 303, GET the next screen, ... 303, GET the thank-you page;
- with JavaScript: POST with `X-Bypuls-Inline: 1`, and the reply is the next page itself (200, its
  address in `X-Bypuls-Location`), so a screen costs one request.

Before the load one journey each way is walked by hand and checked; if the
server answers the inline POST with a 303, it does not honour the header yet and
the JavaScript way is reported as not measurable, never measured as the other
way. After the load (server stopped) the completed responses that came in
through the journey's touchpoint are counted in the database and compared with
the completions the server confirmed to wrk.
"""
import re
import urllib.parse
from dataclasses import dataclass, field

import httpx
from sqlalchemy import create_engine, select, text

from bench.scale import bench_app
from extensions import db
from surveys.kinds import KINDS
from surveys.models import Survey

JOURNEY_SCRIPT = "journey.lua"
MODES = ("nojs", "js")
SCREEN = re.compile(r"^/s/[^/]+/[^/?]+/(\d+)(\?.*)?$")
THANKS = re.compile(r"^/s/[^/]+/[^/?]+/tak$")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INLINE = {"X-Bypuls-Inline": "1"}
# What the bench's person answers, by kind: the last option of a choice (for the demo's yes/no that is
# "Nej", which skips its follow-up, so the demo survey takes 8 screens), one pick of several, and
# plain values the demo's limits accept.
TYPED = {"scale": "4", "rating": "8", "number": "12", "short_text": "Ved stationen",
         "long_text": "Flere steder at sidde, der er gratis"}


@dataclass
class Journeys:
    mode: str
    completed: int = 0
    confirmed: int = 0  # POSTs the server answered with the thank-you page's address
    not_inline: int = 0  # 303s to POSTs in mode "js": the header was not honoured
    failures: int = 0
    first_failure: str = "none"
    requests: int = 0
    in_flight: int = 0  # connections with a POST sent and not answered when wrk stopped
    seconds: float = 0.0
    p50: float = float("nan")
    p99: float = float("nan")
    statuses: dict[str, int] = field(default_factory=dict)
    busy: float = 0.0
    round: int = 0
    stored: tuple[int, int, int, int] = (0, 0, 0, 0)  # completed responses, answer rows, min, max per response
    skipped: str = ""  # why the load was not run
    per_journey: int = 0  # requests in one journey walked by hand

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    @property
    def stored_ok(self) -> bool:
        """Nothing lost, nothing doubled: the database holds every confirmed completion, and at most
        the few more whose last POST was still in flight when wrk stopped, each with the same answers."""
        responses, _rows, low, high = self.stored
        return self.confirmed <= responses <= self.confirmed + self.in_flight and low == high


@dataclass
class Plan:
    start: str  # /q/<code>
    touchpoint_id: int
    answers: dict[int, str]  # question id -> form-encoded fields


def plan(url: str, slug: str, touchpoint: tuple[int, str]) -> Plan:
    """What the person answers on each screen of survey `slug`, starting from `touchpoint` (id, code)."""
    with bench_app(url).app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
        answers = {q.id: urllib.parse.urlencode({KINDS[q.kind].field(q): answer_to(q)}) for q in survey.questions}
        db.engine.dispose()
    return Plan(f"/q/{touchpoint[1]}", touchpoint[0], answers)


def answer_to(question) -> str:
    if question.kind == "multiple_choice":
        return str(question.choices[0].id)
    if KINDS[question.kind].has_choices:
        return str(question.choices[-1].id)
    return TYPED[question.kind]


def script_args(mode: str, journey: Plan, cookie: str, token: str, referer: str = "-") -> list[str]:
    return [mode, journey.start, token, cookie, referer,
            "|".join(f"{question}:{fields}" for question, fields in journey.answers.items())]


@dataclass
class Walk:
    """One journey walked by hand: what the bench checks before loading the server."""
    scan_redirects: int
    scan_location: str
    screens: int
    requests: int
    inline: bool | None  # mode "js": did the server answer with the next page (None: not asked)
    cookie: str
    token: str


def walk(base: str, journey: Plan, mode: str, referer: str | None = None) -> Walk:
    """One journey from the scan to the thank-you page, checking every step.

    :raise RuntimeError: if a step answers otherwise than a working survey would (the load would
        measure errors). In mode "js" a 303 to the first POST is not an error: `inline` is False then.
    """
    headers = {"Referer": referer} if referer else {}
    with httpx.Client(base_url=base, verify=False, timeout=30, headers=headers) as phone:
        reply = phone.get(journey.start)
        scan_location, redirects = reply.headers.get("Location", ""), 0
        while reply.status_code in (302, 303):
            redirects += 1
            reply = phone.get(local(reply.headers["Location"]))
        address = reply.url.raw_path.decode()
        cookie = "session=" + phone.cookies["session"] if phone.cookies.get("session") else "-"
        token = CSRF.search(reply.text).group(1)
        phone.cookies.clear()  # sent by hand from here on, as wrk does (also over plain HTTP to a Secure one)
        screens, requests, inline = 0, redirects + 1, None if mode == "nojs" else True
        while not THANKS.match(address):
            found = SCREEN.match(address)
            if reply.status_code != 200 or not found:
                raise RuntimeError(f"{mode} journey: {address} gave {reply.status_code}, not a screen")
            screens += 1
            body = f"csrf_token={urllib.parse.quote(token)}&{journey.answers[int(found.group(1))]}"
            via = urllib.parse.parse_qs(urllib.parse.urlsplit(address).query).get("via")
            body += f"&via={via[0]}" if via else ""
            extra = INLINE if mode == "js" else {}
            sent_cookie = {"Cookie": cookie} if cookie != "-" else {}
            reply = phone.post(address.split("?")[0], content=body, headers={
                **sent_cookie, "Content-Type": "application/x-www-form-urlencoded", **extra})
            requests += 1
            if reply.status_code == 303:
                inline = False if mode == "js" else inline
                address = local(reply.headers["Location"])
                reply = phone.get(address, headers=sent_cookie)
                requests += 1
            elif reply.status_code == 200 and mode == "js" and reply.headers.get("X-Bypuls-Location"):
                address = local(reply.headers["X-Bypuls-Location"])
                if SCREEN.match(address) and 'name="csrf_token"' not in reply.text:
                    raise RuntimeError(f"js journey: the reply for {address} is not that screen's page")
            else:
                raise RuntimeError(f"{mode} journey: POST {address} gave {reply.status_code}")
        if reply.status_code != 200:
            raise RuntimeError(f"{mode} journey: the thank-you page gave {reply.status_code}")
    return Walk(redirects, local(scan_location), screens, requests, inline, cookie, token)


def local(address: str) -> str:
    return re.sub(r"^https?://[^/]+", "", address)


def parse(mode: str, out: str) -> Journeys:
    line = re.search(r"^journeys: (.*)$", out, re.MULTILINE).group(1)
    values = dict(part.split("=", 1) for part in line.split())
    statuses_line = re.search(r"^statuses: (.*)$", out, re.MULTILINE).group(1)
    return Journeys(mode, int(values["completed"]), int(values["confirmed"]), int(values["not_inline"]),
                    int(values["failures"]), values["first_failure"], int(values["requests_done"]),
                    int(values["in_flight_post"]), float(values["seconds"]), float(values["p50"]),
                    float(values["p99"]), dict(part.split("=") for part in statuses_line.split()))


def last_response_id(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT coalesce(max(id), 0) FROM responses")).scalar()
    finally:
        engine.dispose()


def stored(url: str, touchpoint_id: int, after_id: int) -> tuple[int, int, int, int]:
    """Completed responses through `touchpoint_id` with ids above `after_id`: how many, their answer rows,
    and the fewest and most rows one of them has."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(text(
                "SELECT count(*), coalesce(sum(n), 0), coalesce(min(n), 0), coalesce(max(n), 0) FROM ("
                " SELECT r.id, count(a.id) AS n FROM responses r LEFT JOIN answers a ON a.response_id = r.id"
                " WHERE r.touchpoint_id = :touchpoint AND r.id > :after AND r.completed_at IS NOT NULL"
                " GROUP BY r.id) AS done"), {"touchpoint": touchpoint_id, "after": after_id}).one())
    finally:
        engine.dispose()


def rate_of(run: Journeys) -> str:
    """The rate and latencies alone, for the Targets table."""
    if run.skipped:
        return "not measured (inline answers not honoured)"
    return f"{run.rate:,.1f}/s, p50 {run.p50 * 1000:,.0f} ms, p99 {run.p99 * 1000:,.0f} ms"


def summary_of(run: Journeys) -> str:
    """One line for the report: the rate, latencies and the database check."""
    if run.skipped:
        return f"not measured: {run.skipped}"
    # All connections start at once and run alike, so completions come in waves: the request rate over
    # the requests of one journey says the same more smoothly.
    smooth = run.requests / run.seconds / run.per_journey if run.seconds and run.per_journey else float("nan")
    responses, rows, low, high = run.stored
    check = "ok" if run.stored_ok else "**mismatch**"
    return (f"{run.rate:,.1f}/s ({run.completed:,} in {run.seconds:.1f} s; {run.requests / run.seconds:,.0f} "
            f"requests/s ÷ {run.per_journey} per journey = {smooth:,.1f}/s), "
            f"p50 {run.p50 * 1000:,.0f} ms, p99 {run.p99 * 1000:,.0f} ms; stored {responses:,} completed "
            f"({rows:,} answers, {low}–{high} each) for {run.confirmed:,} confirmed + {run.in_flight} in "
            f"flight: {check}")
