"""The mail settings, and the upgrade that moved the e-mails left with ideas into subscriptions."""
from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

import config
from app import create_app
from extensions import utcnow
from surveys.timezone import to_local

BEFORE = "5d1c7e2a9b40"


def test_tls_and_ssl_together_stop_the_start_with_a_message():
    with pytest.raises(config.ConfigError, match="MAIL_USE_TLS"):
        config.check_production({"BYPULS_ENV": "development", "TRUSTED_PROXY_HOPS": "0",
                                 "MAIL_USE_TLS": True, "MAIL_USE_SSL": True})


def test_mail_settings_come_from_the_environment(monkeypatch):
    for key, value in {"MAIL_SERVER": "smtp.vordingborg.dk", "MAIL_PORT": "587", "MAIL_USE_TLS": "true",
                       "MAIL_USERNAME": "bypuls", "MAIL_PASSWORD": "hemmeligt",
                       "MAIL_DEFAULT_SENDER": "B <b@v.dk>"}.items():
        monkeypatch.setenv(key, value)
    settings = config.from_environment("/tmp")
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"], settings["MAIL_USE_TLS"], settings["MAIL_USE_SSL"]) == (
        "smtp.vordingborg.dk", 587, True, False)
    assert (settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"]) == ("bypuls", "hemmeligt")


def test_the_upgrade_keeps_old_emails_until_the_close_their_form_promised(tmp_path):
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision=BEFORE)
    engine = create_engine(url)
    competition = ("INSERT INTO competitions (id, organisation_id, slug, title, brief, language, status, photo_rule, "
                   "moderated, voting_mode, dots_per_device, closes_at, created_at, updated_at) VALUES (:id, 1, :slug, "
                   "'C', '', 'da', 'open', 'optional', 1, 'single', 5, :closes, '2026-01-01', '2026-01-01')")
    idea = ("INSERT INTO ideas (id, competition_id, key, title, description, nickname, age_band, contact_email, "
            "contact_consent, status, rejection_reason, submitted_at, updated_at) VALUES (:id, :competition, :key, "
            "'Idé', '', '', '', :email, :consent, 'approved', '', '2026-01-01', '2026-01-01')")
    with engine.begin() as sql:
        sql.execute(text("INSERT INTO organisations (id, slug, name, created_at) VALUES (1, 'o', 'O', '2026-01-01')"))
        sql.execute(text(competition), {"id": 1, "slug": "lukker", "closes": "2027-02-28 23:30:00"})
        sql.execute(text(competition), {"id": 2, "slug": "aaben", "closes": None})
        for n, (competition_id, email) in enumerate([(1, "a@x.dk"), (2, "b@x.dk"), (1, None)], 1):
            sql.execute(text(idea), {"id": n, "competition": competition_id, "key": f"{n:043d}", "email": email,
                                     "consent": email is not None})
    with app.app_context():
        upgrade()
    with engine.connect() as sql:
        moved = sql.execute(text("SELECT i.id, s.email, s.keep_until FROM ideas i "
                                 "LEFT JOIN mail_subscriptions s ON s.id = i.contact_id ORDER BY i.id")).all()
    # Closing at 00:30 Danish time on 1 March: kept until that day. Without a closing day: until the next purge.
    assert moved[0][:2] == (1, "a@x.dk") and date.fromisoformat(str(moved[0][2])) == date(2027, 3, 1)
    # Today in Denmark, as the migration counts it (an hour or two ahead of UTC, so not the machine's date).
    assert moved[1][1] == "b@x.dk" and date.fromisoformat(str(moved[1][2])) <= to_local(utcnow()).date()
    assert moved[2] == (3, None, None)
    with app.app_context():
        downgrade(revision=BEFORE)
    with engine.connect() as sql:
        assert sql.execute(text("SELECT contact_email, contact_consent FROM ideas ORDER BY id")).all() == [
            ("a@x.dk", 1), ("b@x.dk", 1), (None, 0)]
