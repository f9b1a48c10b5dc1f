"""Plotly figures as PNG images for the PDFs: drawn by kaleido in Debian's Chromium with the very
plotly.js bundle the results pages load (static/vendor), so a PDF shows the charts the pages show,
not a second set drawn by hand.

Nothing is fetched from the internet: plotly.js and its Danish locale are local files, MathJax (which
kaleido would load from a CDN) is off, and the browser is given a proxy that does not exist, so a
figure pointing at an address outside draws without it and Chromium's own calls home go nowhere.
Map pictures travel inside the figure as `data:` URIs and draw as they are.

A batch starts its own Chromium and stops it afterwards (about a second), so no browser is left
running inside a web worker between requests; one batch runs at a time per process. Each further
figure takes 40-70 ms on two cores.
"""
import asyncio
import copy
import json
import logging
import math
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask_babel import gettext as _
from werkzeug.exceptions import ServiceUnavailable

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parents[2] / "static"
PLOTLY_JS = STATIC / "vendor" / "plotly-basic-4.1.1.min.js"
LOCALE_JS = STATIC / "js" / "plotly-da.js"  # decimal commas and Danish month names, as on the pages
WIDTH = 720  # px: the width a results page draws a chart at (charts.MAP_WIDTH)
FONT = "DejaVu Sans, system-ui, sans-serif"  # DejaVu holds æøå wherever system-ui points
NO_NETWORK = "http://127.0.0.1:9"  # the discard port: any request outside the page fails at once
TIMEOUT = 60  # s for one figure; Chromium that takes longer is stuck
TABS = 2  # on two cores two tabs draw 100 figures in about 6 s, one tab in about 7.5 s

_batch = threading.Lock()


class ChartImagesUnavailable(ServiceUnavailable):
    """Chromium is missing or failed, so no chart image can be drawn. A 503 whose description is a
    translated sentence for the person who asked for the PDF (the view need not catch it)."""

    def __init__(self):
        super().__init__(_("The PDF needs Chromium to draw its charts, and it is missing or failed on the "
                           "server. Ask whoever runs Bypuls to install it (apt-get install chromium)."))

    def __str__(self):
        return self.description


def browser_path() -> str | None:
    """Debian's Chromium: `CHROMIUM_PATH` if set, else `chromium` on PATH. Never a browser kaleido
    downloaded for itself: the issue asks for Debian's."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def png_images(figures: list[dict], width_px: int = WIDTH, scale: float = 2, locale: str = "da",
               drawn: Callable[[], None] | None = None) -> list[bytes]:
    """One PNG per figure, in order, `width_px` wide and as tall as the figure's layout says
    (a map as tall as its picture's aspect needs at that width), times `scale` for print, with
    numbers and dates in `locale` ("da": 2,5 and Danish month names, as static/js/plotly-da.js).
    `drawn()`, if given, is called as each figure is done (from another thread); what it raises
    stops the batch and is raised here.

    :raise ChartImagesUnavailable: if Chromium is missing, does not start or stops answering.
    :raise kaleido's KaleidoError: for a figure plotly.js cannot draw (a bug, not the server).
    """
    if not figures:
        return []
    path = browser_path()
    if not path or not os.access(path, os.X_OK):
        log.error("chart images: no Chromium (CHROMIUM_PATH=%r, PATH has none)", os.environ.get("CHROMIUM_PATH"))
        raise ChartImagesUnavailable()
    jobs = [(as_on_page(figure, width_px),
             dict(format="png", width=width_px, height=page_height(figure, width_px), scale=scale))
            for figure in figures]
    with _batch, ThreadPoolExecutor(max_workers=1) as thread, tempfile.TemporaryDirectory() as folder:
        # kaleido hands plotly.js no config of the figure's: the page's language is set for all figures.
        language = Path(folder) / "language.js"
        language.write_text(f"Plotly.setPlotConfig({{locale: {json.dumps(locale)}}});\n", encoding="utf-8")
        # Its own thread and event loop: the caller may be inside one (Playwright's, an async test).
        return thread.submit(asyncio.run, _draw(jobs, path, language, drawn)).result()


async def _draw(jobs: list[tuple[dict, dict]], path: str, language: Path, drawn=None) -> list[bytes]:
    from choreographer.errors import BrowserClosedError, BrowserFailedError, ChannelClosedError, ChromeNotFoundError
    from kaleido import PageGenerator

    page = PageGenerator(plotly=str(PLOTLY_JS), mathjax=False,
                         others=[(str(LOCALE_JS), "utf-8"), (str(language), "utf-8")])
    try:
        async with _browser_class()(n=min(TABS, len(jobs)), timeout=TIMEOUT, page_generator=page, path=path,
                                    proxy_server=NO_NETWORK) as browser:
            async def one(figure: dict, opts: dict) -> bytes:
                image = await browser.calc_fig(figure, opts=opts)
                if drawn:
                    drawn()
                return image

            return await asyncio.gather(*(one(figure, opts) for figure, opts in jobs))
    except (ChromeNotFoundError, BrowserFailedError, BrowserClosedError, ChannelClosedError, OSError,
            asyncio.TimeoutError) as error:
        log.error("chart images: Chromium at %s failed: %r", path, error)
        raise ChartImagesUnavailable() from error


def _browser_class():
    from kaleido import Kaleido

    class Browser(Kaleido):
        """kaleido 1.5 reloads its page, and so parses plotly.js again, after every figure: 60 % of the
        time of a batch. plotly.js draws each image in a div of its own and removes it, so the next
        figure starts clean (the same pixels come out either way; tests/engagement/reports checks)."""

        async def _return_kaleido_tab(self, tab):
            await self.tabs_ready.put(tab)

    return Browser


def as_on_page(figure: dict, width_px: int) -> dict:
    """The figure as static/js/results.js draws it at `width_px` (a map's density squares as wide as
    a cell), its text in DejaVu Sans."""
    figure = copy.deepcopy(figure)
    layout = figure.setdefault("layout", {})
    layout["font"] = {**layout.get("font", {}), "family": FONT}
    layout["height"] = page_height(figure, width_px)
    margin = layout.get("margin", {})
    plot_width = width_px - margin.get("l", 80) - margin.get("r", 80)
    for trace in figure.get("data", []):
        cells = (trace.get("meta") or {}).get("cells")
        if cells:
            trace["marker"]["size"] = math.ceil(plot_width / cells * 10) / 10 + 0.5
    return figure


def page_height(figure: dict, width_px: int) -> int:
    """px: the layout's height; a figure over a map picture is as tall as the picture needs at
    `width_px` (results.js does the same), so the map is never squeezed."""
    layout = figure.get("layout", {})
    ratio = (layout.get("yaxis") or {}).get("scaleratio")
    if layout.get("images") and ratio:
        margin = layout.get("margin", {})
        return round(width_px * ratio) + margin.get("t", 100) + margin.get("b", 80)
    return int(layout.get("height") or 450)

