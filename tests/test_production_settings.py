"""Settings that only matter in production, each tested in the shape it has there.

The whole stack (nginx, two app servers, PostgreSQL, Redis) is driven in
tests/deploy/; here are the rules that can be shown on one app: whom the app
believes about a client's address, what it refuses to start with, and what
`/healthz` says when a backing service is gone.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import config
from app import create_app
from tests.builders import make_org, make_user
from tests.conftest import IsolatedClient, csrf_token

ROOT = Path(__file__).resolve().parents[1]


def app_behind(app, hops: int):
    """An app on the test database with TRUSTED_PROXY_HOPS=`hops` and a login limit of 2 a minute."""
    behind = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key", "RATELIMIT_STORAGE_URI": "memory://",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "TRUSTED_PROXY_HOPS": str(hops), "LOGIN_RATE_LIMIT": "2 per minute"})
    behind.test_client_class = IsolatedClient
    return behind


def wrong_logins(client, user, forwarded_for: str, times: int) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "http"}
    token = csrf_token(client, "/staff/login")
    return [client.post("/staff/login", headers=headers, data={
        "csrf_token": token, "email": user.email, "password": "wrong password"}).status_code
        for _ in range(times)]


def test_behind_one_proxy_each_visitor_has_their_own_login_budget(app, db, caplog):
    user = make_user(db, make_org(db))
    behind = app_behind(app, hops=1)
    assert wrong_logins(behind.test_client(), user, "93.162.1.2", 3) == [422, 422, 429]
    assert wrong_logins(behind.test_client(), user, "93.162.1.3", 1) == [422]
    # The operator sees the limit being hit, and never whose address hit it.
    assert "Rate limit hit on POST accounts.login" in caplog.text and "93.162" not in caplog.text


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_buy_new_tries(app, db):
    user = make_user(db, make_org(db))
    direct = app_behind(app, hops=0)
    assert wrong_logins(direct.test_client(), user, "93.162.1.2", 2) == [422, 422]
    assert wrong_logins(direct.test_client(), user, "93.162.1.3", 1) == [429]


@pytest.mark.parametrize("hops", ["two", "-1", "9"])
def test_a_proxy_count_that_is_not_a_small_number_stops_the_start_with_a_message(hops):
    with pytest.raises(config.ConfigError, match="TRUSTED_PROXY_HOPS"):
        config.check_production({"BYPULS_ENV": "development", "TRUSTED_PROXY_HOPS": hops})


def test_production_refuses_an_http_address_because_its_cookies_are_https_only():
    settings = {"BYPULS_ENV": "production", "SECRET_KEY": "x" * 48, "TRUSTED_PROXY_HOPS": "1",
                "PUBLIC_BASE_URL": "http://bypuls.vordingborg.dk"}
    with pytest.raises(config.ConfigError, match="https://"):
        config.check_production(settings)
    config.check_production({**settings, "PUBLIC_BASE_URL": "https://bypuls.vordingborg.dk"})


def health_of(database_url: str, redis_url: str) -> tuple[int, dict]:
    """GET /healthz of an app with these services, in a process of its own (the rate limiter's storage
    is shared by every app in a process, so a dead Redis must not reach the other tests)."""
    script = (
        "import json, sys; from app import create_app; "
        "app = create_app({'SQLALCHEMY_DATABASE_URI': sys.argv[1], 'RATELIMIT_STORAGE_URI': sys.argv[2]}); "
        "r = app.test_client().get('/healthz'); print(json.dumps([r.status_code, r.get_json()]))")
    run = subprocess.run([sys.executable, "-c", script, database_url, redis_url], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    status, body = json.loads(run.stdout.strip().splitlines()[-1])
    return status, body


def test_health_check_is_ok_when_the_database_and_redis_answer(app, client):
    answered = client.get("/healthz")
    assert answered.status_code == 200 and answered.get_json()["database"] == "ok"
    assert answered.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in answered.headers
    status, body = health_of(app.config["SQLALCHEMY_DATABASE_URI"], "redis://127.0.0.1:6379/5")
    assert (status, body) == (200, {"status": "ok", "database": "ok", "redis": "ok"})


def test_health_check_says_503_and_which_service_is_gone(tmp_path, app):
    missing_database = f"sqlite:///{tmp_path}/no/such/folder/bypuls.sqlite3"
    assert health_of(missing_database, "memory://") == (503, {"status": "failing", "database": "failing"})
    # Port 9 (discard) has nothing listening on this machine: Redis is "gone".
    status, body = health_of(app.config["SQLALCHEMY_DATABASE_URI"], "redis://127.0.0.1:9/0")
    assert (status, body["database"], body["redis"]) == (503, "ok", "failing")


def test_static_addresses_change_when_the_file_changes_so_a_year_of_caching_is_safe(client):
    page = client.get("/staff/login").get_data(as_text=True)
    css = next(part for part in page.split('"') if part.startswith("/static/css/staff.css?v="))
    assert client.get(css).headers["Cache-Control"] == "public, max-age=31536000"
    assert "max-age=31536000" not in client.get("/static/css/staff.css").headers.get("Cache-Control", "")


def test_nginx_lets_through_what_the_app_accepts_and_a_little_more():
    """client_max_body_size is one MB above MAX_UPLOAD_MB, so the app answers 15-16 MB itself."""
    site = (ROOT / "deploy" / "nginx" / "bypuls.conf").read_text()
    default_mb = config.from_environment("/tmp")["MAX_CONTENT_LENGTH"] // (1024 * 1024)
    assert f"client_max_body_size {default_mb + 1}m;" in site


def test_every_setting_the_app_reads_is_explained_in_the_env_example(monkeypatch):
    read = []
    monkeypatch.setattr(config.os.environ, "get", lambda key, default=None: read.append(key) or default)
    config.from_environment("/tmp")
    example = (ROOT / "deploy" / ".env.example").read_text()
    missing = [key for key in read if f"\n{key}=" not in example and f"\n# {key}=" not in example]
    assert read and not missing, f"deploy/.env.example lacks {missing}"
