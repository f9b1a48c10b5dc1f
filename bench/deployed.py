"""Submissions through the deployed shape: HTTPS via nginx to two app servers on PostgreSQL, next to
one of those app servers asked directly, in the same run.

The stack is the one tests/deploy/ starts from deploy/ (tests.deploy.stack):
nginx with TLS, two gunicorn instances with 2 sync workers each, PostgreSQL
(its own database `bypuls_deploy`, wiped) and Redis. wrk posts the first
screen of the demo survey with a new key per request (bench/submit.lua), as
in section 2, first to one app server over plain HTTP, then to nginx over
HTTPS with keep-alive, as phones reach it. Then whole journeys through nginx
(bench/journeys.py), both ways: completed responses per second as deployed.
"""
import re
import secrets
import string
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from bench import journeys
from bench.load import (
    CONNECTIONS,
    THREADS,
    WARM_UP,
    WAYS,
    WrkRun,
    first_screen,
    journey_run,
    journey_seconds,
    write_keys,
    wrk,
)
from bench.report import seconds, table
from surveys.public import form_token
from tests.deploy.stack import Stack, start_stack

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class DeployedRun:
    direct: WrkRun
    through_nginx: WrkRun
    stored: dict  # label -> (responses, answer rows)
    journey_runs: list[journeys.Journeys] = field(default_factory=list)  # through nginx, both ways


def first_screen_args(base_url: str, prefix: str, secret: str, folder: Path) -> list[str]:
    """submit.lua's arguments: survey, question, choice, keys file, cookie, Referer; checked by one
    submission by hand (303), so the run never measures errors. `secret`: the app servers' SECRET_KEY, which
    the form tokens of the keys are made with (bench.load.write_keys)."""
    with httpx.Client(base_url=base_url, verify=False, timeout=30) as phone:
        page = phone.get("/s/unge-i-bymidten", follow_redirects=True)
        slug, key, question = re.search(r"/s/([^/]+)/([^/]+)/(\d+)$", page.url.path).groups()
        choice = re.search(rf'name="q{question}" id="[^"]+" value="(\d+)"', page.text).group(1)
        if phone.cookies.get("session"):
            raise RuntimeError("The first screen set a session cookie: respondents should get none")
        check_key = "check" + secrets.token_urlsafe(16)
        check = phone.post(f"/s/{slug}/{check_key}/{question}",
                           data={"csrf_token": form_token(slug, check_key, secret), f"q{question}": choice},
                           headers={"Referer": str(page.url)})
    if check.status_code != 303:
        raise RuntimeError(f"A submission by hand through {base_url} gave {check.status_code}, not 303")
    keys = write_keys(folder / f"keys-{prefix}", secret, slug, prefix)
    return [slug, question, choice, str(keys), "-", str(page.url)]


def new_prefix() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(8))


def stored(stack: Stack, prefix: str) -> tuple[int, int]:
    url = stack.database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(DISTINCT r.id), count(a.id) FROM responses r LEFT JOIN answers a ON a.response_id = r.id"
            " WHERE left(r.key, %s) = %s", (len(prefix), prefix)).fetchone()


def run_deployed(folder: Path, pg_url: str, duration: int, log=print) -> DeployedRun:
    stack = start_stack(folder / "stack", pg_url)
    try:
        direct_url = f"http://127.0.0.1:{stack.app_ports[0]}"
        runs, counts = {}, {}
        for label, base in (("direct", direct_url), ("nginx", stack.https_url)):
            secret = stack.settings["SECRET_KEY"]
            wrk("warm-up", 0, "/", WARM_UP, first_screen_args(base, new_prefix(), secret, folder), base=base)
            prefix = new_prefix()
            runs[label] = wrk(label, 0, "/", duration, first_screen_args(base, prefix, secret, folder), number=1,
                              base=base)
            counts[label] = stored(stack, prefix)
            log(f"  {label}: {runs[label].rps:.0f}/s, p99 {seconds(runs[label].p99)}")
        return DeployedRun(runs["direct"], runs["nginx"], counts, whole_journeys(stack, duration, log))
    finally:
        stack.stop()


def whole_journeys(stack: Stack, duration: int, log) -> list[journeys.Journeys]:
    """Closed-loop journeys through nginx over HTTPS, each way from its own poster, counted in the database."""
    screen = first_screen(stack.database_url)
    spare = screen.touchpoints[1:] or screen.touchpoints
    referer = stack.https_url + "/"  # over HTTPS the CSRF check wants a same-origin Referer
    found = []
    for index, mode in enumerate(journeys.MODES):
        journey = journeys.plan(stack.database_url, screen.slug, spare[index % len(spare)])
        walked = journeys.walk(stack.https_url, journey, mode, referer)
        after = journeys.last_response_id(stack.database_url)
        run = journey_run(stack.https_url, mode, journey, walked, journey_seconds(duration), 1, referer)
        if not run.skipped:  # a reply is sent after its commit: what wrk saw confirmed is already stored
            run.stored = journeys.stored(stack.database_url, journey.touchpoint_id, after)
        found.append(run)
        log(f"  journeys {mode}: {journeys.rate_of(run)}")
    return found


def section(result: DeployedRun, duration: int) -> str:
    rows = []
    for label, run in (("one app server directly (HTTP, 2 workers)", result.direct),
                       ("nginx (HTTPS) → two app servers (2 workers each)", result.through_nginx)):
        key = "direct" if run is result.direct else "nginx"
        responses, answers = result.stored[key]
        rows.append([label, f"{run.rps:,.0f}", seconds(run.p50), seconds(run.p99), f"{run.requests:,}",
                     f"{run.statuses.get('303', 0):,}", f"{responses:,} / {answers:,}", f"{run.busy:.0%}"])
    ratio = result.through_nginx.rps / result.direct.rps if result.direct.rps else float("nan")
    return "\n".join([
        "## 4. Submissions as deployed", "",
        "The stack of tests/deploy/ (deploy/nginx/bypuls.conf with TLS, deploy/gunicorn.conf.py, "
        "deploy/systemd/bypuls@.service, PostgreSQL, Redis) with the demo; "
        f"`wrk -t{THREADS} -c{CONNECTIONS} -d{duration}s` posting the first screen with a new key each time, "
        f"after a {WARM_UP} s warm-up. Both rows share the machine's two cores with nginx, PostgreSQL and wrk.",
        "",
        table(["Route", "Submissions/s", "p50", "p99", "Requests", "303s", "Stored (responses / answers)",
               "CPU busy before"], rows), "",
        f"- Through nginx over HTTPS to two app servers: {ratio:.0%} of one app server asked directly.", "",
        f"Whole journeys through nginx (bench/journey.lua, {CONNECTIONS} connections, one person each, "
        f"{journey_seconds(duration)} s; as in section 2):", "",
        table(["Way", "Completed responses/s, latency per journey, database check", "CPU busy before"],
              [[WAYS[r.mode], journeys.summary_of(r), f"{r.busy:.0%}" if not r.skipped else "–"]
               for r in result.journey_runs]), "",
    ])
