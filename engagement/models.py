"""Organisations (tenants), the staff who work in them and their signed-in browsers."""
import enum
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db, utcnow

_hasher = PasswordHasher()
# Verified against when nobody has the typed e-mail, so every login costs one argon2 verify and its time
# tells nothing. Made by `_hasher`; tests/engagement/test_sessions.py checks its cost still matches.
NOBODY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$W7StSwlZrjySC4UcWWXGxQ$JcPSb1CeaQ7fKQo5i7Zz2ni8ATB5aAycZHgcKz/bndw"


def password_matches(password_hash: str, password: str) -> bool:
    """One argon2 verify; False for a wrong password or a broken hash, never an exception."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Role(enum.Enum):
    admin = "admin"
    editor = "editor"
    teacher = "teacher"
    viewer = "viewer"


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list["User"]] = relationship(back_populates="organisation")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(db.Enum(Role, native_enum=False, length=20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    # The survey engine asks these instead of importing Role (it must not import engagement).
    @property
    def can_edit_surveys(self) -> bool:
        return self.role in (Role.admin, Role.editor)

    @property
    def role_name(self) -> str:
        return self.role.value


class StaffSession(db.Model):
    """One signed-in browser of a staff user (engagement/staff_sessions.py starts and ends them).

    The browser's signed cookie holds a random token; the row holds only its SHA-256, so a copy of
    the database signs nobody in. Ending a session deletes its row.
    """
    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
