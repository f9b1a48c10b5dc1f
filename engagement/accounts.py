"""Staff sign-in and sign-out."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from engagement.models import Role, User
from extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__, url_prefix="/staff")


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])


def init_login(app):
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str):
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing_url())
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(func.lower(User.email) == form.email.data.strip().lower()))
        if user is not None and user.active and user.check_password(form.password.data):
            # A fresh session at sign-in: nothing set before it (CSRF token included) carries over.
            session.clear()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append(_("The e-mail or the password is wrong."))
    return render_template("engagement/login.html", form=form), 200 if not form.errors else 422


@bp.post("/logout")
@login_required
def logout():
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
