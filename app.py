"""Bypuls application factory: read it as the table of contents of the app."""
import os

from flask import Flask, g, has_request_context, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.routing import IntegerConverter

import config as settings
import engagement
import surveys
from extensions import babel, csrf, db, limiter, login_manager, migrate

LANGUAGES = ("da", "en")

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

ERRORS = {
    400: (_l("Something went wrong with the form"), _l("Go back, reload the page and try again.")),
    403: (_l("You do not have access"), _l("Your role does not allow this. Ask an admin in your organisation.")),
    404: (_l("We could not find the page"), _l("Check the address, or scan the code again.")),
    413: (_l("The file is too big"), _l("Choose a smaller file and try again.")),
    429: (_l("Too many tries"), _l("Wait a minute and try again.")),
    500: (_l("Something went wrong on our side"), _l("Try again in a moment. What you sent before this is saved.")),
}


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: a number beyond the database's integers is not found (404),
    instead of an overflow error from SQLite or PostgreSQL (500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseId  # before any route is added
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.from_environment(app.instance_path))
    app.config.update(config or {})
    settings.check_production(app.config)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    surveys.init_app(app)
    engagement.init_app(app)

    app.get_send_file_max_age = cache_for_a_year_if_vendored
    app.before_request(remember_language)
    app.after_request(add_security_headers)
    app.jinja_env.globals["get_locale"] = get_locale
    for code in ERRORS:
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, lambda e: render_error(e, code=400))
    return app


def select_locale() -> str:
    """An explicit choice (?lang=, kept in the session) wins, then the survey's own language, then Danish."""
    if not has_request_context():
        return "da"  # command-line tools and services called directly
    return session.get("lang") or g.get("content_language") or "da"


def remember_language():
    """`?lang=` on any address switches the UI language, also on a page that only redirects."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen


def cache_for_a_year_if_vendored(filename: str | None) -> int | None:
    """Vendored files carry their version in the name (plotly-basic-4.1.1.min.js), so browsers may
    keep them; our own CSS and JS are revalidated, so a change reaches phones at once."""
    return 365 * 24 * 3600 if filename and filename.startswith("vendor/") else None


def add_security_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Survey links carry a response key: never tell another site where the person came from.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    return response


def render_error(error, code: int | None = None):
    code = code or getattr(error, "code", 500) or 500
    title, hint = ERRORS.get(code, ERRORS[500])
    if code == 500:
        db.session.rollback()
    return render_template("errors/error.html", title=title, hint=hint, code=code), code
