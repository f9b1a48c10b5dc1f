"""The house rules: package direction, migrations, configuration and security headers."""
import ast
import pathlib
import re

import pytest
from flask_migrate import check

from app import create_app
from config import ConfigError
from tests.builders import make_org, make_survey

ROOT = pathlib.Path(__file__).resolve().parent.parent


def imported_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_survey_engine_never_imports_engagement():
    offenders = {str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path)
                                                     if m == "engagement" or m.startswith("engagement."))
                 for path in (ROOT / "surveys").rglob("*.py")}
    assert {file: mods for file, mods in offenders.items() if mods} == {}


def engagement_layers() -> dict[str, int]:
    """The order written in engagement/__init__.py: a package may import only those before it."""
    import engagement
    return {name: rank for rank, name in enumerate(engagement.LAYERS)}


def test_engagement_packages_import_only_the_packages_below_them():
    layers = engagement_layers()
    upward = {}
    for package, rank in layers.items():
        for path in (ROOT / "engagement" / package).rglob("*.py"):
            above = sorted(m for m in imported_modules(path) if m.startswith("engagement.")
                           and layers.get(m.split(".")[1], -1) > rank)
            if above:
                upward[str(path.relative_to(ROOT))] = above
    assert upward == {}


def test_every_engagement_package_has_its_place_in_the_order():
    packages = {p.name for p in (ROOT / "engagement").iterdir() if (p / "__init__.py").exists()}
    assert packages == set(engagement_layers())


def test_committed_migrations_match_the_models(app):
    with app.app_context():
        check()  # raises when a model change has no migration


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.setenv("BYPULS_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_with_a_real_secret_key_starts_with_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("BYPULS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://bypuls.example.dk")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite3")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_refusal_is_a_clear_message_on_the_command_line(monkeypatch):
    import subprocess
    import sys

    env = {"BYPULS_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "routes"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_every_response_carries_the_security_headers(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "short_text", "prompt": "Hej"}])
    for url in (f"/s/{survey.slug}", "/staff/login", "/s/findes-ikke"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        # Same origin only: our own forms need it over HTTPS (the CSRF check); other sites never get it.
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite_lax(client, db):
    survey = make_survey(db, make_org(db), [{"kind": "short_text", "prompt": "Hej"}])
    # A respondent's session holds only a chosen language (a screen's form token needs none).
    cookie = client.get(f"/s/{survey.slug}?lang=en").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# A report's self-contained HTML file is opened from disk, never served: it inlines its styles and scripts
# so that it needs nothing outside itself (tests/browser/test_report_file.py opens it with the network off).
STANDS_ALONE = {"engagement/reports/standalone.html"}


def test_no_template_has_an_inline_script_or_style():
    for path in (ROOT / "templates").rglob("*.html"):
        if path.relative_to(ROOT / "templates").as_posix() in STANDS_ALONE:
            continue
        text = path.read_text(encoding="utf-8")
        assert "<script>" not in text and " style=" not in text and "<style" not in text, path


def test_sqlite_runs_in_wal_mode(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("WAL is a SQLite setting; this run uses PostgreSQL")
    assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"


def test_every_ui_text_has_a_danish_translation():
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    with open(ROOT / "translations/da/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue
                  if m.id and m.string and "fuzzy" not in m.flags}
    sources = [("surveys/**.py", "python"), ("engagement/**.py", "python"), ("app.py", "python"),
               ("web.py", "python"), ("templates/**.html", "jinja2")]
    found = {msg[2] if isinstance(msg[2], str) else msg[2][0]
             for msg in extract_from_dir(str(ROOT), method_map=sources,
                                         keywords={"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)})}
    assert len(found) > 100  # the extraction really ran
    assert sorted(found - translated) == []


def test_login_rate_limits_can_be_counted_in_redis(tmp_path):
    """Several app servers share their counts through Redis (it runs on 127.0.0.1:6379 here and in CI).

    Run in a separate process: the limiter is one object per process, and this
    test must not switch the other tests' limiter to Redis.
    """
    import subprocess
    import sys
    import uuid

    import redis

    prefix = uuid.uuid4().hex
    script = f"""
from flask_migrate import upgrade
from app import create_app
app = create_app({{"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "LOGIN_RATE_LIMIT": "2 per minute",
                  "RATELIMIT_KEY_PREFIX": "{prefix}", "WTF_CSRF_ENABLED": False,
                  "SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/r.sqlite3"}})
with app.app_context():
    upgrade()
client = app.test_client()
print([client.post("/staff/login", data={{"email": "x@example.dk", "password": "no"}}).status_code
       for n in range(3)])
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "[422, 422, 429]", result.stderr[-2000:]
    assert redis.Redis(host="127.0.0.1", port=6379).keys(f"*/{prefix}/*")  # the count lives in Redis


def test_plotly_is_served_by_the_app_and_cached_by_the_browser(client):
    response = client.get("/static/vendor/plotly-basic-4.1.1.min.js")
    assert response.status_code == 200 and len(response.data) > 1_000_000
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert client.get("/static/css/public.css").cache_control.max_age is None  # our own files revalidate


def test_ids_beyond_the_databases_integers_are_not_found_on_any_route(app, client, db, staff, monkeypatch):
    """Every `<int:...>` in every route, at 10**20: a friendly 404 (or a refusal), never a 500."""
    from werkzeug.routing import AnyConverter, IntegerConverter

    from tests.builders import make_org, make_user

    staff(make_user(db, make_org(db), role="admin"))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # as in production
    checked = 0
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if not ints:
            continue
        values = {name: 10**20 if name in ints else sorted(conv.items)[0] if isinstance(conv, AnyConverter) else "abc"
                  for name, conv in rule._converters.items()}
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            assert response.status_code in (400, 404, 405), (method, path, response.status_code)
            checked += 1
    assert checked > 40


def test_plug_in_points_belong_to_the_app_that_added_them(app):
    from extensions import HOOKS, add_hook, hooks

    other = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        before = {name: hooks(name) for name in HOOKS}
    add_hook(other, "export_columns", lambda session, survey: [])
    with app.app_context():
        assert {name: hooks(name) for name in HOOKS} == before  # the second app changed nothing here
        assert len(hooks("survey_attribution")) == 3  # a touchpoint's code, a class session and a personal invitation
    with other.app_context():
        assert len(hooks("export_columns")) == 3
    with pytest.raises(KeyError, match="HOOKS"):
        add_hook(other, "survey_atribution", lambda survey, via: {})


def danish_texts() -> list[str]:
    """Every Danish text of the interface, as the catalogue has it."""
    from babel.messages.pofile import read_po

    with open(ROOT / "translations/da/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    return [text for message in catalogue if message.id
            for text in (message.string if isinstance(message.string, tuple) else (message.string,)) if text]


def test_danish_texts_quote_with_danish_quotation_marks():
    """»Stem«, not “Stem” or "Stem": Danish typography, as in Retskrivningsordbogen."""
    assert [text for text in danish_texts() if re.search(r'[“”„"]', text)] == []


# A question word starting a clause: "Vi gemmer ikke, hvem du er". Before it comes a comma, unless the
# clause follows "og", "eller", "men" or "fx" ("... og hvornår det sker"), or opens a sentence.
CLAUSE = re.compile(r"(\w+) (hvem|hvad|hvor|hvornår|hvordan|hvorfor|hvilke|hvilken|hvilket) \w")


def test_danish_question_clauses_after_a_verb_have_their_comma():
    missing = [text for text in danish_texts() for before, _word in CLAUSE.findall(text)
               if before.lower() not in ("og", "eller", "men", "fx")]
    assert missing == []


def test_danish_texts_spell_idea_with_an_accent():
    """One spelling in the interface and the demo: idé, idéen, idéer, idéerne."""
    plain = re.compile(r"\b[Ii]de(er|en|erne|ens)?\b")
    demo = [(ROOT / "engagement/demo" / name).read_text(encoding="utf-8") for name in ("seed.py", "competition.py")]
    texts = danish_texts() + [line for source in demo for line in source.splitlines() if "SLUG" not in line]
    assert [text for text in texts if plain.search(text)] == []


def test_no_request_may_hold_an_app_server_past_gunicorns_default_thirty_seconds():
    """Files that take longer are made in the background (engagement.prepared); the deploy kit must not give
    requests more time instead, and nginx waits only a little longer than gunicorn, so gunicorn decides."""
    import runpy
    import shlex

    from gunicorn.config import Config

    config = Config()
    for name, value in runpy.run_path(str(ROOT / "deploy/gunicorn.conf.py")).items():
        if name in config.settings:
            config.set(name, value)
    assert config.timeout <= 30
    unit = (ROOT / "deploy/systemd/bypuls@.service").read_text(encoding="utf-8")
    command = shlex.split(next(line for line in unit.splitlines() if line.startswith("ExecStart=")))
    assert not [arg for arg in command if arg in ("-t", "--timeout") or arg.startswith("--timeout=")]
    site = (ROOT / "deploy/nginx/bypuls.conf").read_text(encoding="utf-8")
    waits = [int(seconds) for seconds in re.findall(r"^\s*proxy_(?:read|send)_timeout (\d+)s;", site, re.MULTILINE)]
    assert waits and all(30 < seconds <= 45 for seconds in waits)
