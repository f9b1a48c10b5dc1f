"""Touchpoint codes and the addresses printed with them.

A code is 8 characters from an alphabet without the look-alikes 0/o, 1/l/i,
drawn with `secrets`: 31**8, about 8.5 * 10**11 codes, so nobody finds a
poster's code by trying, and a person typing it from a rainy poster cannot
mix up two letters. Codes are lower case because phones type that by
default; a code typed in capitals is read as the same code.
"""
import re
import secrets

CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8
# What /q/ accepts before it asks the database: anything else is a 404 at once.
CODE_PATTERN = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str | None:
    """The code as stored, or None if `raw` cannot be a code (wrong length or characters)."""
    code = (raw or "").strip().lower()
    return code if CODE_PATTERN.fullmatch(code) else None


def public_url(base_url: str, code: str) -> str:
    """The permanent address of a touchpoint: what its QR code holds, e.g. https://bypuls.dk/q/k7m2x9pq."""
    return f"{base_url.rstrip('/')}/q/{code}"


def short_url(base_url: str, code: str) -> str:
    """The same address as people type it from a poster: without https://."""
    return re.sub(r"^https?://", "", public_url(base_url, code))
