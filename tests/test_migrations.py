"""Upgrading an installation that already holds answers keeps every answer."""
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from app import create_app

FIRST = "c6ec0d5d6ac5"


def test_upgrading_a_sqlite_database_with_answers_loses_none(tmp_path):
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision=FIRST)
    engine = create_engine(url)
    with engine.begin() as sql:
        sql.execute(text("INSERT INTO organisations (id, slug, name, created_at) VALUES (1, 'o', 'O', '2026-01-01')"))
        sql.execute(text("INSERT INTO surveys (id, organisation_id, slug, title, intro, thanks, language, status, "
                         "created_at, updated_at) "
                         "VALUES (1, 1, 's', 'S', '', '', 'da', 'open', '2026-01-01', '2026-01-01')"))
        sql.execute(text("INSERT INTO questions (id, survey_id, position, kind, prompt, help, required, settings) "
                         "VALUES (1, 1, 1, 'short_text', 'Q', '', 1, '{}')"))
        sql.execute(text("INSERT INTO responses (id, survey_id, key, started_at, updated_at) "
                         "VALUES (1, 1, 'kkkkkkkkkkkkkkkkkkkkkkkk', '2026-01-01', '2026-01-01')"))
        sql.execute(text("INSERT INTO answers (id, response_id, question_id, text) VALUES (1, 1, 1, 'svar')"))
    with app.app_context():
        upgrade()
    with engine.connect() as sql:
        assert sql.execute(text("SELECT text FROM answers")).scalars().all() == ["svar"]
        assert sql.execute(text("PRAGMA foreign_key_check")).all() == []
    with app.app_context():
        downgrade(revision=FIRST)
    with engine.connect() as sql:
        assert sql.execute(text("SELECT count(*) FROM answers")).scalar() == 1
