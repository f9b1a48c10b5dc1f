"""File responses for staff downloads: posters, QR codes, reports and exports."""
from flask import make_response


def download(body: bytes, mimetype: str, name: str, inline: bool = False, max_age: int | None = None):
    """`body` as a file called `name`: saved (attachment), or shown in the browser when `inline`.

    Without `max_age` no cache may keep a copy (exports carry unpublished ideas
    and contact e-mails); with it, the browser may reuse it for that many seconds.
    """
    response = make_response(body)
    response.mimetype = mimetype
    response.headers.set("Content-Disposition", "inline" if inline else "attachment", filename=name)
    response.headers["Cache-Control"] = f"private, max-age={max_age}" if max_age else "private, no-store"
    return response
