"""Configuration from the environment, with safe development defaults.

Every setting can be given as an environment variable of the same name. In
production (`BYPULS_ENV=production`) the app refuses to start without a real
`SECRET_KEY`, because a known key lets anyone forge a staff session.
"""
import os

DEV_SECRET = "dev-only-not-secret"


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def from_environment(instance_path: str) -> dict:
    env = os.environ.get
    production = env("BYPULS_ENV", "development") == "production"
    sqlite_url = "sqlite:///" + os.path.join(instance_path, "bypuls.sqlite3")
    return {
        "BYPULS_ENV": "production" if production else "development",
        "SECRET_KEY": env("SECRET_KEY", DEV_SECRET),
        "SQLALCHEMY_DATABASE_URI": env("DATABASE_URL", sqlite_url),
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": env("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # Photos of sketches from phones are a few MB; anything far bigger is a mistake.
        "MAX_CONTENT_LENGTH": int(env("MAX_CONTENT_LENGTH", str(8 * 1024 * 1024))),
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A survey left open on a phone for an afternoon must still submit.
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "da",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }


def check_production(config: dict) -> None:
    """:raise ConfigError: in production when the secret key is missing, the development one or short."""
    if config["BYPULS_ENV"] != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET or len(secret) < 32:
        raise ConfigError(
            "Bypuls will not start in production without a real SECRET_KEY: set the "
            "environment variable SECRET_KEY to a random value of at least 32 characters, "
            "e.g. the output of: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
