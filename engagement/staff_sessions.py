"""Staff sessions kept in the database, so that signing out really ends them.

A signed cookie alone cannot be taken back: a copy of it would keep working after
logout. So each sign-in starts a row in `staff_sessions`, the browser's Flask
session holds the row's random token, and a request is signed in only through a
live row of an active user. Ending a session deletes its row, on every app server
at once.

Rows do not pile up: starting a session deletes every row older than the session
lifetime (Flask's `PERMANENT_SESSION_LIFETIME`, which also bounds the cookie), so
the table holds at most the sign-ins of one lifetime. Ended sessions leave no row.

Services here take a database session and plain values and never commit.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from engagement.models import NOBODY_HASH, StaffSession, User, password_matches

# The key under which the browser's Flask session holds its token.
TOKEN_KEY = "staff_session"


def authenticate(db_session, email: str, password: str) -> User | None:
    """The active user with this e-mail (any case, spaces around ignored) and password, else None.

    Takes one argon2 verify whether the e-mail is unknown, the user deactivated or the password
    wrong, so the time of a refusal does not tell which e-mails belong to staff.
    """
    user = db_session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    matches = password_matches(user.password_hash if user else NOBODY_HASH, password)
    return user if user is not None and matches and user.active else None


def start(db_session, user: User, now: datetime, lifetime: timedelta) -> str:
    """A new session of `user`: returns the token for the browser's Flask session. Also deletes
    every session older than `lifetime`, which no cookie can still reach."""
    db_session.execute(delete(StaffSession).where(StaffSession.created_at <= now - lifetime))
    token = secrets.token_urlsafe(32)
    db_session.add(StaffSession(token_hash=digest(token), user_id=user.id, created_at=now))
    db_session.flush()
    return token


def end(db_session, token: str | None) -> None:
    """Ends the session of this token; an unknown or missing token is already ended."""
    if token:
        db_session.execute(delete(StaffSession).where(StaffSession.token_hash == digest(token)))


def end_all(db_session, user_id: int) -> None:
    """Ends every session of the user, on every device and every copy of a cookie."""
    db_session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))


def user_for(db_session, user_id: str, token: str | None, now: datetime, lifetime: timedelta) -> User | None:
    """The user whose live session this token is, or None: no token, the session ended or older
    than `lifetime`, the user deactivated, or `user_id` (from the cookie) naming someone else."""
    if not token or not user_id.isdigit():
        return None
    return db_session.scalar(select(User).join(StaffSession, StaffSession.user_id == User.id).where(
        StaffSession.token_hash == digest(token), StaffSession.created_at > now - lifetime,
        User.id == int(user_id), User.active.is_(True)))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
