"""The small common layer that both `surveys` and `engagement` may import.

It holds the Flask extension objects, created unbound here and bound to an
app in `create_app`, so that neither package has to import the other to reach
the database or the rate limiter.
"""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

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


def utcnow():
    """Naive UTC: SQLite drops time zones, so every stored time is UTC without one."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).replace(tzinfo=None)
