"""HTTP rules for every address of the app, whatever blueprint serves it.

Who the client is behind the proxy (`TRUSTED_PROXY_HOPS`), which addresses
are refused before any view or CSRF check reads them, the security and cache
headers on every response, static addresses that carry a hash of their file,
and logging. `create_app` calls `init_app` once.
"""
import gc
import hashlib
import logging
import os

from flask import Flask, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

log = logging.getLogger("app.web")
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")

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


def out_of_the_collectors_sight(app: Flask) -> None:
    """Move everything the process has made so far (the imported modules, the app with its routes and settings,
    all kept for the process's life) out of the cyclic garbage collector's sight (gc.freeze), so that a full
    collection looks only at what came later. A full collection ran every few thousand rows of an export and
    walked the whole app each time: more than half of reading an export's answers was spent there.

    Once per app, when it is built; not for tests, which build many apps in one process and would keep each.
    """
    if not app.testing:
        gc.collect()  # what is already garbage is freed now, not kept for good
        gc.freeze()


class DatabaseId(IntegerConverter):
    """`<int:...>` in every route: a number beyond the database's integers is not found (404),
    instead of an overflow error from SQLite or PostgreSQL (500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def init_app(app: Flask) -> None:
    configure_logging(app)
    trust_proxies(app)
    log_settings(app)
    app.session_interface = SessionCookies()
    # URL value preprocessors run before any before_request hook, so also before the CSRF check.
    app.url_value_preprocessor(not_found_if_nul)
    app.url_value_preprocessor(too_big_if_unreadable)
    app.get_send_file_max_age = cache_for_a_year_if_vendored
    app.url_defaults(version_static_urls)
    app.after_request(add_security_headers)


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signer made once per key instead of on every request (twice
    when the cookie is set): a survey screen is cheap enough for that to show."""

    def __init__(self):
        self._signers = {}

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._signers:
            self._signers[keys] = super().get_signing_serializer(app)
        return self._signers[keys]


def only_views_check_rate_limits(app: Flask, limiter) -> None:
    """Every rate limit in Bypuls belongs to a view (`@limiter.limit`) and its decorator checks it. The check that
    Flask-Limiter also runs before every request is for app-wide and blueprint limits, which Bypuls has none
    of; it cost a survey screen or a scan a fifth of its time. Kept if such limits are ever configured."""
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION") \
            or limiter.limit_manager.default_limits or limiter.limit_manager.application_limits:
        return
    checks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in checks:  # not there when RATELIMIT_ENABLED is false
        checks.remove(limiter._check_request_limit)


def configure_logging(app: Flask) -> None:
    """Our loggers (`app.*`, `surveys.*`, `engagement.*`) write to stderr at LOG_LEVEL; never personal data."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")  # no-op if set up
    level = app.config["LOG_LEVEL"] if app.config["LOG_LEVEL"] in logging.getLevelNamesMapping() else "INFO"
    for name in ("app", "surveys", "engagement"):
        logging.getLogger(name).setLevel(level)


def log_settings(app: Flask) -> None:
    """What an operator checks first when something is off; no secrets, no database password."""
    from sqlalchemy.engine import make_url

    config = app.config
    log.info("Bypuls starting: %s, database %s, %d trusted proxy hop(s), rate limits in %s, uploads up to %d MB",
             config["BYPULS_ENV"], make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name(),
             config["TRUSTED_PROXY_HOPS"], config["RATELIMIT_STORAGE_URI"].split(":", 1)[0],
             config["MAX_CONTENT_LENGTH"] // (1024 * 1024))


def trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXY_HOPS proxies, the client's address and scheme come from their X-Forwarded-For
    and X-Forwarded-Proto headers, so rate limits count each visitor, not the proxy. With 0 (the default)
    those headers are ignored: anyone can send them. The Host header is the proxy's to pass on."""
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def not_found_if_nul(endpoint, values) -> None:
    """:raise 404: when a part of the address (`/s/<slug>`, `/c/<slug>`...) holds a NUL character.

    No address we make has one, and PostgreSQL refuses NUL in text, so a query with it would be a 500.
    """
    if any("\x00" in value for value in (values or {}).values() if isinstance(value, str)):
        abort(404)


def too_big_if_unreadable(endpoint, values) -> None:
    """:raise 413: for a form sent in chunks (no Content-Length) that the WSGI server does not end for us.

    Werkzeug reads such a body as empty, to be safe, so the person would be told that the page had
    expired (no CSRF token) instead of that the upload is too big. Servers that end chunked bodies
    (werkzeug's own, gunicorn) say so in `wsgi.input_terminated`; there MAX_CONTENT_LENGTH applies as
    the form is read.
    """
    if (request.content_length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower()
            and "wsgi.input_terminated" not in request.environ and request.mimetype in FORM_TYPES):
        abort(413)


def cache_for_a_year_if_vendored(filename: str | None) -> int | None:
    """Vendored files carry their version in the name (plotly-basic-4.1.1.min.js), and our own CSS and
    JS in their address (`?v=`), so browsers may keep them; an address without it is revalidated."""
    versioned = filename and (filename.startswith("vendor/") or "v" in request.args)
    return 365 * 24 * 3600 if versioned else None


def version_static_urls(endpoint: str, values: dict) -> None:
    """`url_for('static', ...)` adds `?v=` and a hash of the file, so nginx (deploy/) may let browsers
    keep every static file for a year and a changed file still reaches phones at once."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        versions = current_app.extensions.setdefault("static_versions", {})
        filename = values["filename"]
        if filename not in versions or current_app.debug:  # while developing, an edited file shows at once
            path = os.path.join(current_app.static_folder, filename)
            if not os.path.isfile(path):
                return
            with open(path, "rb") as file:
                versions[filename] = hashlib.sha256(file.read()).hexdigest()[:10]
        values["v"] = versions[filename]


def add_security_headers(response):
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    # Survey links carry a response key: never tell another site where the person came from. Our own
    # pages do get it: over HTTPS the CSRF check wants a same-origin Referer, and with "no-referrer"
    # browsers send neither Referer nor Origin, so every form post would fail.
    # A page may ask for less (a share link's page: no-referrer, its token is in the address).
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    # Staff pages, their error pages and exports hold personal data: no browser (a shared school PC's
    # Back button) or proxy may keep a copy. A view that chose its own caching keeps it (QR codes and
    # posters: "private, max-age"). Public pages are left alone: reloading a screen by its key shows the same.
    if request.path == "/staff" or request.path.startswith("/staff/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
