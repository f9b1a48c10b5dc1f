"""The small common layer that both `surveys` and `engagement` may import.

It holds the Flask extension objects, created unbound here and bound to an
app in `create_app`, so that neither package has to import the other to reach
the database or the rate limiter.
"""
import fcntl
import select as socket_select  # sqlalchemy's select is the one this module calls select
import time
from dataclasses import dataclass
from functools import wraps

from flask import Flask, abort, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_required
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# The key function sees the address only in memory: nothing here is stored with it.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


# Plug-in points. A package that sends people somewhere or adds to an export plugs its functions in
# from its init_app with `add_hook`; the code that runs them asks `hooks(name)`. They are kept on the
# app (app.extensions), never in module-level lists, so two apps in one process never share them.
HOOKS = {
    # (survey, via) -> the Response columns to set for a survey started through the `via` token in its
    # address, e.g. {"touchpoint_id": 7}; {} for a token the package does not know.
    "survey_attribution",
    # (competition, via) -> the Idea columns to set, as above.
    "idea_attribution",
    # (competition, idea) -> for an idea sent in a place that says its own "what happens next" on the
    # receipt (a class session): {"waiting": text, "back_url": url, "back_label": text}; None otherwise.
    "idea_receipt",
    # (session, survey) -> extra columns (engagement.common.spreadsheets.Column) for survey exports.
    "export_columns",
    # (survey) -> [(text, url)]: where the thank-you page of a survey sends a person next.
    "thanks_links",
    # (session, previous round, new round, repoint: bool) -> a translated sentence for staff, or None: after
    # staff started the next round of a survey (surveys.rounds), e.g. touchpoints re-pointed to it. Flush only.
    "round_started",
    # (session, today: date) -> int: clear the personal contacts kept until `today` or earlier (e.g. premises
    # owners, engagement.premises) and say how many; `flask purge-contacts` runs them after its own. Flush only.
    "purge_contacts",
    # (session, organisation_id) -> [note]: what the organisation tried out and decided (engagement.premises
    # trials), for its public front page; each note has `title`, `starts_on`, `ends_on`, `when` (the days in
    # words), `place` (an address or ""), `decision` (a translated label, or None while undecided), `note`
    # (the public note) and `running` (today is one of its days).
    "public_trial_notes",
    # (session, idea) -> [note] as above: the trials a published idea led to, for the idea's public page.
    "idea_trial_notes",
    # (session, survey, key, now) -> None: a post left the response with this key completed (also a resend
    # of a completed one: be idempotent), e.g. a personal invitation is marked answered. Flush only.
    "response_completed",
}


def add_hook(app: Flask, name: str, function) -> None:
    """:raise KeyError: for a name that is not one of HOOKS (a typo would otherwise never run)."""
    if name not in HOOKS:
        raise KeyError(f"No plug-in point is called {name!r}; see extensions.HOOKS")
    app.extensions.setdefault("bypuls.hooks", {}).setdefault(name, []).append(function)


def hooks(name: str) -> tuple:
    """The functions plugged into `name` of the current app, in the order they were added."""
    return tuple(current_app.extensions.get("bypuls.hooks", {}).get(name, ()))


def staff_only(may):
    """The one access decorator: signed in, and `may(current_user)` is true; else 403. A visitor who
    is not signed in goes to the login page. `may` is a rule such as "an admin or an editor"."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not may(current_user):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


def owned_or_404(model, object_id: int):
    """The `model` row with this id in the signed-in user's organisation.

    :raise 404: if there is none, also when the id is another organisation's: nobody learns it exists.
    """
    return db.first_or_404(select(model).where(model.id == object_id,
                                               model.organisation_id == current_user.organisation_id))


@dataclass
class Page:
    items: list
    page: int
    pages: int
    total: int


def page_of(session, query, page: int, per_page: int) -> Page:
    """One page of the rows of `query` (a select of one entity or column, in its order) with the
    number of pages; a page number out of range gives the nearest page, never an empty one."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, page, pages, total)


@event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record):
    """WAL lets readers work while one writer commits; FULL makes an acknowledged
    commit survive a power cut, not only a killed process; foreign keys are off by
    default in SQLite."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


# A pooled connection to a database server that has lain unused this long is checked before it is used again.
PING_AFTER_IDLE_SECONDS = 1.0
RETURNED_AT = "returned_to_pool_at"


def ping_when_idle(engine) -> None:
    """Check a pooled connection to a database server before use when the server may have dropped it: when
    the server has said something on it while it lay in the pool (a server that stops or ends a connection
    says so before it closes it; an idle connection is otherwise silent), or when it lay unused for
    PING_AFTER_IDLE_SECONDS or more (a firewall may drop it without a word). A dead one is replaced by a new
    one before the request sees it.

    SQLAlchemy's pool_pre_ping checks every time: a round trip to the server on every request, 15–25 % of a
    survey screen's time on PostgreSQL. Looking for a word from the server costs no round trip. What is left
    unchecked is a connection dropped without a word within a second of its last use: the request that
    finds it gets the error page and the pool is renewed for the next. Nothing for SQLite, whose file
    cannot drop a connection."""
    if engine.dialect.name == "sqlite":
        return
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def returned(_dbapi_connection, record) -> None:
        record.info[RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def check_if_in_doubt(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get(RETURNED_AT)  # none yet: a connection just opened
        if returned_at is None:
            return
        try:
            if time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS and not _server_spoke(dbapi_connection):
                return
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:  # also the driver's word that it knows the connection closed
            raise DisconnectionError("the database server dropped a pooled connection") from error  # a new one


def _server_spoke(dbapi_connection) -> bool:
    """Whether the server sent anything (or closed the socket) since the last reply was read, without
    waiting: on a connection with nothing asked, that is a notice that it is ending, or the end itself."""
    poll = socket_select.poll()
    poll.register(dbapi_connection.fileno(), socket_select.POLLIN | socket_select.POLLPRI)
    return bool(poll.poll(0))


WRITER_TURN = "sqlite_writer_turn"


def wait_for_write_turn(session) -> None:
    """SQLite: wait in line for this session's turn to write, and keep it until its transaction ends.

    SQLite lets one writer in at a time. A writer that finds the database locked sleeps and tries again
    (busy_timeout) in growing steps of up to 100 ms, so under load the lock is often free while writers
    sleep: answers came in at a third of the rate of a bare insert, with a long tail. Writers that queue
    on an OS file lock beside the database (flock) are woken the moment the one before them is done.
    Other writers (a scan, a staff edit) need not queue: SQLite's own lock still guards every write.
    Nothing for other databases, or a SQLite database that is not a file. The OS drops the lock of a
    process that dies, so a killed worker never blocks the others."""
    database = session.get_bind().url.database if session.get_bind().dialect.name == "sqlite" else None
    if not database or database == ":memory:" or WRITER_TURN in session.info:
        return
    turn = open(f"{database}-writers", "a+b")  # noqa: SIM115 (closed when the transaction ends)
    try:
        fcntl.flock(turn, fcntl.LOCK_EX)
    except BaseException:
        turn.close()
        raise
    session.info[WRITER_TURN] = turn


RELAXED = "commit_without_waiting_for_disk"


def commit_without_waiting_for_disk(session) -> None:
    """Let this transaction's commit return before the disk has it, for rows that are cheap to lose in a power
    cut (a scan: a count), never for what a person sent. A killed app server still loses none of them, since
    the database has them; a crash of the machine itself may lose the last fraction of a second of them.

    Call it before the transaction's first write. PostgreSQL: synchronous_commit off for this transaction.
    SQLite (WAL): synchronous NORMAL for this connection until it goes back to the pool, where it is set to
    FULL again before anyone else can use it (`_durable_again`). Nothing if the transaction already wrote."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    elif connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("PRAGMA synchronous=NORMAL")  # SQLite refuses it inside a transaction
        connection.connection.info[RELAXED] = True


def reads_only(session) -> None:
    """Declare that this request only reads: on PostgreSQL its statements then run outside a transaction, so
    no BEGIN and ROLLBACK travel to the server (a survey screen's GET makes two round trips, the pool's ping
    and the SELECT, instead of four). Each statement sees what was committed when it ran, which is all a page
    that only shows needs. Call it before the session's first statement; nothing if that has run, or on SQLite
    (whose reads begin no transaction the server must be told of). The pool sets the connection back when it
    is returned."""
    session = session() if callable(session) else session  # Flask-SQLAlchemy's db.session is a scoped_session
    if session.get_transaction() is None and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@event.listens_for(Pool, "checkin")
def _durable_again(dbapi_connection, record) -> None:
    if dbapi_connection is not None and record is not None and record.info.pop(RELAXED, False):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


@event.listens_for(Session, "after_transaction_end")
def _end_write_turn(session, transaction) -> None:
    if transaction.parent is None and WRITER_TURN in session.info:
        session.info.pop(WRITER_TURN).close()  # closing the file lets the next writer in


def utcnow():
    """Naive UTC: SQLite drops time zones, so every stored time is UTC without one."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(tzinfo=None)
