"""Bare Flask routes, served the same way as Bypuls in the same run: the ceilings this machine allows.

`/` returns "hello": the ceiling for a page. POST `/insert` does what an
answer cannot do without: one INSERT of a new row with a unique key and one
COMMIT, to the database of DATABASE_URL through SQLAlchemy with the app's own
engine settings (importing `extensions` installs its SQLite tuning: WAL,
synchronous=FULL, busy_timeout), so it is the ceiling for an answer POST.
Its table is made by `create_insert_table` before the server starts.
"""
import os
import secrets

from flask import Flask
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func, insert, select

import extensions  # noqa: F401  (its connect hook tunes SQLite exactly as the app's engine)
from config import engine_options
from extensions import ping_when_idle, utcnow

app = Flask(__name__)
metadata = MetaData()
hits = Table("bench_inserts", metadata, Column("id", Integer, primary_key=True),
             Column("key", String(43), unique=True, nullable=False), Column("created_at", DateTime, nullable=False))
_engine = None


def engine():
    """One engine per worker, made at its first insert (hello alone never touches the database)."""
    global _engine
    if _engine is None:
        url = os.environ["DATABASE_URL"]
        _engine = create_engine(url, **engine_options(url))  # the app's engine options
        ping_when_idle(_engine)  # and its check of a connection that lay unused
    return _engine


def create_insert_table(url: str) -> None:
    """The table of POST /insert, emptied; made before gunicorn starts so two workers never race to it."""
    bench_engine = create_engine(url)
    try:
        metadata.drop_all(bench_engine)
        metadata.create_all(bench_engine)
    finally:
        bench_engine.dispose()


def inserted(url: str) -> int:
    bench_engine = create_engine(url)
    try:
        with bench_engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(hits)).scalar()
    finally:
        bench_engine.dispose()


@app.get("/")
def hello():
    return "hello"


@app.post("/insert")
def insert_one():
    # A key as long as a response key, so the unique index does the same work.
    with engine().begin() as conn:
        conn.execute(insert(hits).values(key=secrets.token_urlsafe(32), created_at=utcnow()))
    return "", 204
