"""Staff sign-in and sign-out.

A browser is signed in only through a live row in `staff_sessions` (see
engagement/staff_sessions.py): logging out deletes it, so a copy of the cookie
taken before is signed out too.
"""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from engagement import staff_sessions
from engagement.models import Role, User
from extensions import db, limiter, login_manager, utcnow

bp = Blueprint("accounts", __name__, url_prefix="/staff")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])


def init_login(app):
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of this browser's live staff session; None (signed out) once it has ended."""
    return staff_sessions.user_for(db.session, user_id, session.get(staff_sessions.TOKEN_KEY), utcnow(),
                                   current_app.permanent_session_lifetime)


def keep_signed_in(user: User) -> None:
    """Starts a new staff session of `user` for this browser; the caller commits."""
    session[staff_sessions.TOKEN_KEY] = staff_sessions.start(db.session, user, utcnow(),
                                                             current_app.permanent_session_lifetime)


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = staff_sessions.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            # A fresh session at sign-in: nothing set before it (CSRF token included) carries over.
            session.clear()
            keep_signed_in(user)
            db.session.commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(_("The e-mail or the password is wrong."))
    return render_template("engagement/accounts/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
    staff_sessions.end(db.session, session.get(staff_sessions.TOKEN_KEY))
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."))
    return redirect(url_for("accounts.login"))


@bp.get("/")
@login_required
def home():
    return redirect(landing_url())


def landing_url() -> str:
    """Where a signed-in user starts: a teacher at their class sessions, everyone else at the surveys."""
    return url_for("classes.index" if current_user.role is Role.teacher else "editor.index")


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host.

    Browsers drop tabs and newlines and read backslashes as slashes, so
    `/\tevil.example` would become `//evil.example`: such targets are refused.
    """
    if (target and target.isprintable() and target.startswith("/") and not target.startswith("//")
            and "\\" not in target and not urlsplit(target).netloc):
        return target
    return landing_url()
