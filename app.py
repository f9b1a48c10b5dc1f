"""Bypuls application factory: read it as the table of contents of the app."""
import logging
import os

from flask import Flask, g, has_request_context, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

import config as settings
import engagement
import surveys
import web
from extensions import babel, csrf, db, limiter, login_manager, migrate, ping_when_idle

LANGUAGES = ("da", "en")
app_log = logging.getLogger("app")

ERRORS = {
    400: (_l("Something went wrong with the form"), _l("Go back, reload the page and try again.")),
    403: (_l("You do not have access"), _l("Your role does not allow this. Ask an admin in your organisation.")),
    404: (_l("We could not find the page"), _l("Check the address, or scan the code again.")),
    413: (_l("The file is too big"), _l("Choose a smaller file and try again.")),
    429: (_l("Too many tries"), _l("Wait a minute and try again.")),
    500: (_l("Something went wrong on our side"), _l("Try again in a moment. What you sent before this is saved.")),
    # Something the server needs is missing (Chromium for a PDF's charts): the error says what.
    503: (_l("This cannot be made right now"), _l("Try again later.")),
}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = web.DatabaseId  # before any route is added
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.from_environment(app.instance_path))
    app.config.update(config or {})
    database_url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", settings.engine_options(database_url))
    settings.check_production(app.config)
    web.init_app(app)

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            ping_when_idle(engine)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    web.only_views_check_rate_limits(app, limiter)
    # Templates get `current_user` as Flask-Login's lazy proxy, not loaded for every page: a public page
    # that never shows it never loads the user, so its session protection never runs for respondents
    # and their session cookie is not re-sent with every screen.
    login_manager.init_app(app, add_context_processor=False)
    app.jinja_env.globals["current_user"] = current_user
    babel.init_app(app, locale_selector=select_locale)

    surveys.init_app(app)
    engagement.init_app(app)

    app.before_request(remember_language)
    app.jinja_env.globals["get_locale"] = get_locale
    for code in ERRORS:
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, lambda e: render_error(e, code=400))
    web.out_of_the_collectors_sight(app)
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


def render_error(error, code: int | None = None):
    code = code or getattr(error, "code", 500) or 500
    if code in (413, 429):  # an operator wants to see these; the address and the body stay out of it
        app_log.warning("%s on %s %s", "Upload too big" if code == 413 else "Rate limit hit", request.method,
                        request.endpoint or "an unknown address")
    title, hint = ERRORS.get(code, ERRORS[500])
    if code == 503 and getattr(error, "description", None):
        hint = error.description
    if code == 500:
        db.session.rollback()
    return render_template("errors/error.html", title=title, hint=hint, code=code), code
