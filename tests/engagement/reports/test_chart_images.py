"""The PDFs' charts are images of the pages' own Plotly figures, drawn by Debian's Chromium with the
vendored plotly.js, without the internet; a server without Chromium says so in words."""
import base64
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask_babel import force_locale
from PIL import Image, ImageChops

from engagement.common import chart_images
from engagement.common.chart_images import ChartImagesUnavailable, png_images
from engagement.common.charts import GREEN, bars_figure, map_layout

HOUSE_GREEN = tuple(int(GREEN[i:i + 2], 16) for i in (1, 3, 5))  # #1d6b4f
MAP_BLUE = (40, 90, 200)


def answers_figure(rows=(("Bænke", 12), ("Træer", 7), ("Læ", 3))) -> dict:
    return bars_figure({"rows": list(rows), "respondents": 20})


def picture_uri(colour=MAP_BLUE, size=(400, 300)) -> str:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def map_figure(source: str) -> dict:
    """A point over a map picture, as the results page draws where people pointed."""
    return {"data": [{"type": "scatter", "mode": "markers", "x": [0.5], "y": [0.5],
                      "marker": {"size": 30, "color": GREEN}}],
            "layout": map_layout(source, 0.75)}


def share_of(image: Image.Image, colour: tuple) -> float:
    counts = {found: n for n, found in image.convert("RGB").getcolors(1 << 24)}
    return counts.get(colour, 0) / (image.width * image.height)


def same_pixels(png: bytes, other: bytes) -> bool:
    first, second = (Image.open(io.BytesIO(b)).convert("RGB") for b in (png, other))
    return first.size == second.size and ImageChops.difference(first, second).getbbox() is None


def test_a_bar_chart_is_drawn_by_plotly_in_the_house_green_at_twice_the_page_width(app):
    figure = answers_figure()
    with app.app_context():
        [png] = png_images([figure])
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (2 * 720, 2 * figure["layout"]["height"])
    assert share_of(image, HOUSE_GREEN) > 0.05  # the bars
    assert share_of(image, (255, 255, 255)) > 0.3  # on white paper, not a blank or black canvas
    # The labels are drawn left of the bars: dark text pixels in the left margin.
    assert image.crop((0, 0, 200, image.height)).convert("L").getextrema()[0] < 100


def test_a_map_picture_given_as_a_data_uri_is_drawn_under_the_points(app):
    with app.app_context():
        [png] = png_images([map_figure(picture_uri())], scale=1)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (720, round(720 * 0.75) + 20)  # as tall as the map needs at that width
    assert image.getpixel((40, 60)) == MAP_BLUE  # the picture, far from the point
    assert image.getpixel((360, 10 + 270)) == HOUSE_GREEN  # the point, in the middle of the map


class Recorder(BaseHTTPRequestHandler):
    """A proxy that answers nothing and writes down every address asked for."""
    seen: list[str] = []

    def do_GET(self):
        Recorder.seen.append(self.path)
        self.send_error(502)

    do_CONNECT = do_GET

    def log_message(self, *args):
        pass


def test_nothing_is_fetched_from_the_internet_and_a_picture_out_there_is_simply_left_out(app, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Recorder.seen = []
    monkeypatch.setattr(chart_images, "NO_NETWORK", f"http://127.0.0.1:{server.server_port}")
    try:
        with app.app_context():
            bars, outside = png_images([answers_figure(), map_figure("http://pictures.example/map.png")], scale=1)
    finally:
        server.shutdown()
    # What went outside went through the proxy: the picture the figure names, and Chromium's own calls
    # home (which the dead proxy of production stops), but never plotly.js, MathJax or a web font.
    assert any("pictures.example" in address for address in Recorder.seen)
    assert not [address for address in Recorder.seen if any(word in address.lower() for word in
                                                            ("plot", "mathjax", "cdn", "font", ".js"))]
    assert share_of(Image.open(io.BytesIO(bars)), HOUSE_GREEN) > 0.05
    drawn = Image.open(io.BytesIO(outside)).convert("RGB")
    assert drawn.getpixel((40, 60)) == (255, 255, 255) and drawn.getpixel((360, 280)) == HOUSE_GREEN


def test_a_batch_draws_each_figure_exactly_as_it_is_drawn_alone(app):
    """kaleido reloads its page after every figure; we do not (chart_images.Browser), so nothing of one
    figure may be left in the next."""
    first, second = answers_figure(), answers_figure([("Ja", 3), ("Nej", 9), ("Ved ikke", 1), ("Måske", 4)])
    with app.app_context():
        alone = png_images([first]) + png_images([second])
        batch = png_images([second, first, second])
    assert [same_pixels(*pair) for pair in zip(batch, [alone[1], alone[0], alone[1]], strict=True)] == [True] * 3


def test_danish_and_english_axes_differ_only_where_the_number_format_does(app):
    """The page draws numbers in the reader's language (static/js/plotly-da.js): 2,5 not 2.5."""
    figure = bars_figure({"rows": [("Bænke", 30), ("Træer", 15)], "respondents": 40})  # ticks 0, 5 … 30
    halves = {"data": [{"type": "bar", "x": ["a", "b"], "y": [0.5, 2.5], "marker": {"color": GREEN}}],
              "layout": {"height": 300, "margin": {"t": 10, "b": 30}, "yaxis": {"dtick": 0.5}}}  # 0, 0.5 … 2.5
    with app.app_context():
        danish = png_images([figure, halves], locale="da")
        english = png_images([figure, halves], locale="en")
    assert same_pixels(danish[0], english[0]) and not same_pixels(danish[1], english[1])


@pytest.mark.parametrize("chromium", ["/nowhere/chromium", "/bin/false"])
def test_a_server_whose_chromium_is_missing_or_broken_says_what_to_install(app, monkeypatch, chromium):
    monkeypatch.setenv("CHROMIUM_PATH", chromium)
    with app.app_context(), force_locale("en"), pytest.raises(ChartImagesUnavailable) as raised:
        png_images([answers_figure()])
    assert "Chromium" in str(raised.value) and "apt-get install chromium" in str(raised.value)
    assert raised.value.code == 503  # a page with the sentence, not a 500


def test_without_chromium_on_the_path_the_charts_cannot_be_drawn(app, monkeypatch, tmp_path):
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with app.app_context(), pytest.raises(ChartImagesUnavailable):
        png_images([answers_figure()])


def test_no_figures_need_no_browser(app, monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", "/nowhere/chromium")
    with app.app_context():
        assert png_images([]) == []
