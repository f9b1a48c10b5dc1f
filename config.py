"""Configuration from the environment, with safe development defaults.

Every setting can be given as an environment variable of the same name. In
production (`BYPULS_ENV=production`) the app refuses to start without a real
`SECRET_KEY`, because a known key lets anyone forge a staff session, and
without `PUBLIC_BASE_URL`, because every QR code and poster prints it: a
wrong one cannot be taken back once the posters hang in town.
"""
import os
from urllib.parse import urlsplit

DEV_SECRET = "dev-only-not-secret"
DEV_PUBLIC_BASE_URL = "http://127.0.0.1:5000"
TRUE = ("1", "true", "yes", "on")


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def from_environment(instance_path: str) -> dict:
    env = os.environ.get
    production = env("BYPULS_ENV", "development") == "production"
    sqlite_url = "sqlite:///" + os.path.join(instance_path, "bypuls.sqlite3")
    return {
        "BYPULS_ENV": "production" if production else "development",
        "SECRET_KEY": env("SECRET_KEY", DEV_SECRET),
        # The address printed in QR codes and on posters; never taken from a request's Host header.
        "PUBLIC_BASE_URL": (env("PUBLIC_BASE_URL") or ("" if production else DEV_PUBLIC_BASE_URL)).strip().rstrip("/"),
        "SQLALCHEMY_DATABASE_URI": env("DATABASE_URL", sqlite_url),
        # A survey export of more matching responses than this is made in the background, with a page that
        # shows its progress: no request may hold an app server past gunicorn's 30 s (engagement.prepared).
        "EXPORT_DIRECT_LIMIT": int(env("EXPORT_DIRECT_LIMIT", "20000")),
        # Likewise a report PDF of more charts than this (a cross-tab of a big survey counts as more than one):
        # each chart is read, drawn by Chromium and laid out (engagement.reports.background).
        "REPORT_PDF_DIRECT_CHARTS": int(env("REPORT_PDF_DIRECT_CHARTS", "20")),
        # Wherever results leave the staff pages, a group smaller than this shows no numbers.
        "MIN_GROUP_SIZE": int(env("MIN_GROUP_SIZE", "5")),
        # What the app writes to stderr (the journal under systemd): debug, info, warning or error.
        "LOG_LEVEL": env("LOG_LEVEL", "info").upper(),
        # How many proxies stand in front (nginx: 1). 0 ignores X-Forwarded-* headers, since anyone can send them.
        "TRUSTED_PROXY_HOPS": env("TRUSTED_PROXY_HOPS", "0"),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # Wrong class-session codes per address (right ones are not counted): a class shares one address,
        # and 6 characters of 31 cannot be guessed at this rate.
        "JOIN_RATE_LIMIT": env("JOIN_RATE_LIMIT", "60 per minute;300 per hour"),
        # Ideas sent per address: cleaning a photo costs about 1.5 s of CPU, but a school sends from one
        # address, and a class of 35 sends at once (tests/engagement/classes/test_load.py), some twice.
        "IDEA_RATE_LIMIT": env("IDEA_RATE_LIMIT", "60 per minute;600 per hour"),
        # Per address: a school class votes from one address, so it is generous.
        "VOTE_RATE_LIMIT": env("VOTE_RATE_LIMIT", "60 per minute;600 per hour"),
        # "Tell me when the results come" per address: a class subscribes from one address, but nobody should
        # be able to put thousands of other people's addresses on the list.
        "SUBSCRIBE_RATE_LIMIT": env("SUBSCRIBE_RATE_LIMIT", "40 per minute;200 per hour"),
        # Map pictures drawn for phones without JavaScript (a place question's zoomed part with its pins,
        # about 10–20 ms of CPU each) per address: a class taps from one address, two or three pictures a
        # pupil per place question, so it is generous; the whole map without pins is cached by browsers.
        "MAP_VIEW_RATE_LIMIT": env("MAP_VIEW_RATE_LIMIT", "300 per minute;3000 per hour"),
        "SHARE_GUESS_RATE_LIMIT": env("SHARE_GUESS_RATE_LIMIT", "20 per minute"),
        # Largest request body, in MB (MAX_UPLOAD_MB). Phone photos of sketches are 3–12 MB; anything
        # far bigger is a mistake and gets the "file is too big" page (413).
        "MAX_CONTENT_LENGTH": int(float(env("MAX_UPLOAD_MB", "15")) * 1024 * 1024),
        # The mail server that `flask send-mail` hands the mail queue to (engagement.mail). Nothing is sent
        # from a page: a mail server that is down or refuses only delays the mail.
        "MAIL_SERVER": env("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env("MAIL_USE_TLS", "false").lower() in TRUE,  # STARTTLS, usually port 587
        "MAIL_USE_SSL": env("MAIL_USE_SSL", "false").lower() in TRUE,  # TLS from the start, usually port 465
        "MAIL_USERNAME": env("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER", "Bypuls <bypuls@localhost>"),
        "MAIL_BACKEND": "smtp",  # also in tests: they send to a real SMTP server of their own
        "MAIL_TIMEOUT": 30,  # seconds; a mail server that does not answer must not hold the queue for ever
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A survey left open on a phone for an afternoon must still submit.
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "da",
    }


def engine_options(database_url: str) -> dict:
    """A database server may drop a pooled connection (restarted, idle too long): extensions.ping_when_idle
    checks one that has lain unused, instead of SQLAlchemy's pool_pre_ping, which costs every request a round
    trip. A SQLite file cannot drop one."""
    return {"pool_pre_ping": False}


def check_production(config: dict) -> None:
    """:raise ConfigError: when TRUSTED_PROXY_HOPS is not a small whole number or both MAIL_USE_TLS and
    MAIL_USE_SSL are on; in production also when the secret key is missing, the development one or short,
    or when PUBLIC_BASE_URL is missing or not an https address (the session cookie is Secure-only there);
    the message names every problem."""
    problems = []
    hops = str(config.get("TRUSTED_PROXY_HOPS", 0)).strip()
    if hops.isdigit() and int(hops) <= 5:
        config["TRUSTED_PROXY_HOPS"] = int(hops)
    else:
        problems.append(
            f"TRUSTED_PROXY_HOPS must be the number of proxies in front of Bypuls (0 to 5, nginx alone: 1); "
            f"now it is {hops!r}.")
    if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
        problems.append("MAIL_USE_TLS (STARTTLS, usually port 587) and MAIL_USE_SSL (TLS from the start, usually "
                        "port 465) exclude each other: set the one your mail server offers to true.")
    if config["BYPULS_ENV"] != "production":
        if problems:
            raise ConfigError("\n".join(problems))
        return
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET or len(secret) < 32:
        problems.append(
            "Bypuls will not start in production without a real SECRET_KEY: set the "
            "environment variable SECRET_KEY to a random value of at least 32 characters, "
            "e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    base_url = config.get("PUBLIC_BASE_URL") or ""
    if is_public_base_url(base_url) and not base_url.startswith("https://"):
        problems.append(
            "Bypuls will not start in production with an http:// PUBLIC_BASE_URL: its cookies are sent "
            "over HTTPS only, so nobody could log in or answer through that address. Set PUBLIC_BASE_URL "
            f"to the https:// address people reach this server at; now it is {base_url!r}.")
    elif not is_public_base_url(base_url):
        problems.append(
            "Bypuls will not start in production without PUBLIC_BASE_URL: set the environment "
            "variable PUBLIC_BASE_URL to the address people reach this server at, e.g. "
            "https://bypuls.vordingborg.dk. It is printed in every QR code and on every "
            "poster, so it cannot come from the request. "
            + (f"Now it is {base_url!r}, which is not such an address." if base_url else "Now it is not set.")
        )
    if problems:
        raise ConfigError("\n".join(problems))


def is_public_base_url(value: str) -> bool:
    """An absolute http(s) address with a host and nothing after it but an optional path prefix."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not (parts.query or parts.fragment)
