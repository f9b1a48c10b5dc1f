"""Page weight: a page's HTML plus the stylesheets and scripts it links, compressed as a server would.

Each file is compressed on its own (gzip -9; brotli at quality 11 when the
`brotli` package is installed), as a server or proxy sends them, and the
sizes are added up. The linked files are found by parsing the HTML, so a new
stylesheet or script is counted without changing this file.
"""
import gzip
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

from sqlalchemy import select

from bench.load import CSRF, DEMO_SLUG, FIXED_KEY
from bench.report import kib, table
from bench.scale import bench_app
from engagement.demo.seed import DEMO_EMAIL, DEMO_PASSWORD
from extensions import db
from surveys.models import Survey

try:
    import brotli
except ImportError:  # optional: requirements-bench.txt installs it
    brotli = None

TARGET = 14 * 1024


class LinkedFiles(HTMLParser):
    """Collects `<link rel=stylesheet href>` and `<script src>` of a page, in order."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.found.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.found.append(attrs["src"])


@dataclass
class File:
    name: str
    raw: int
    gzip: int
    brotli: int | None


@dataclass
class Page:
    label: str
    status: str  # "ok", or why it was not measured
    files: list[File]

    def total(self, attribute: str) -> int | None:
        values = [getattr(f, attribute) for f in self.files]
        return None if any(v is None for v in values) else sum(values)


def compressed(name: str, body: bytes) -> File:
    return File(name, len(body), len(gzip.compress(body, compresslevel=9, mtime=0)),
                len(brotli.compress(body, quality=11)) if brotli else None)


def page_with_files(client, label: str, path: str) -> Page:
    reply = client.get(path)
    if reply.status_code != 200:
        why = "not yet" if reply.status_code == 404 else "failed"
        return Page(label, f"{why} (GET {path} gave {reply.status_code})", [])
    html = reply.get_data()
    parser = LinkedFiles()
    parser.feed(html.decode("utf-8"))
    files = [compressed(f"HTML {path}", html)]
    for url in parser.found:
        parts = urlsplit(url)
        if parts.netloc:
            files.append(File(f"{url} (another host: not counted)", 0, 0, 0))
            continue
        linked = client.get(parts.path)
        files.append(compressed(parts.path, linked.get_data()) if linked.status_code == 200
                     else File(f"{parts.path} (gave {linked.status_code})", 0, 0, 0))
    return Page(label, "ok", files)


def measure_pages(url: str) -> list[Page]:
    """The first screen of the demo survey (the one with the intro) and the staff results page."""
    app = bench_app(url)
    with app.app_context():
        survey = db.session.scalar(select(Survey).where(Survey.slug == DEMO_SLUG))
        survey_id, first_question = survey.id, survey.questions[0].id
    client = app.test_client()
    pages = [page_with_files(client, "Public survey page (first screen)",
                             f"/s/{DEMO_SLUG}/{FIXED_KEY}/{first_question}")]
    if not log_in(client):
        return pages + [Page("Staff results page", "not measured: the demo login failed", [])]
    pages.append(page_with_files(client, "Staff results page", f"/staff/surveys/{survey_id}/results"))
    return pages


def log_in(client) -> bool:
    found = CSRF.search(client.get("/staff/login").get_data(as_text=True))
    if not found:
        return False
    reply = client.post("/staff/login", data={"csrf_token": found.group(1), "email": DEMO_EMAIL,
                                              "password": DEMO_PASSWORD})
    return reply.status_code in (302, 303)


def section(pages: list[Page]) -> str:
    out = ["## 3. Page weight", "",
           "Each file compressed on its own, as a server sends it; the app itself sends everything "
           "uncompressed (nothing in Flask or gunicorn compresses), so these sizes need a proxy that "
           f"compresses (nginx `gzip on`, Caddy `encode`). Target for the public page: {kib(TARGET)} or less "
           "(one TCP initial window, about 14.6 KB)." + ("" if brotli else " brotli: not installed."), ""]
    for page in pages:
        if page.status != "ok":
            out += [f"**{page.label}**: {page.status}.", ""]
            continue
        rows = [[f.name, f"{f.raw:,} B", f"{f.gzip:,} B", "–" if f.brotli is None else f"{f.brotli:,} B"]
                for f in page.files]
        best = min(v for v in (page.total("gzip"), page.total("brotli")) if v is not None)
        rows.append(["**Total**", f"**{page.total('raw'):,} B**", f"**{page.total('gzip'):,} B**",
                     "–" if page.total("brotli") is None else f"**{page.total('brotli'):,} B**"])
        out += [f"**{page.label}**", "", table(["File", "Raw", "gzip -9", "brotli 11"], rows), ""]
        if page.label.startswith("Public"):
            verdict = "meets" if page.total("gzip") <= TARGET else "**misses**"
            out += [f"- gzip total {kib(page.total('gzip'))} (best {kib(best)}): {verdict} the "
                    f"{kib(TARGET)} target.", ""]
    return "\n".join(out)
