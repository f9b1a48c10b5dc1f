"""Plotly figures (plain dicts), built from the survey engine's tallies, for every page that draws
results: the survey results page, the projector of a class session, the idea competitions' results.

Plotly renders a little HTML in labels (links, bold, line breaks), and
respondents' and staff's words are data, never markup: every string that
reaches a figure goes through `plain`, which escapes it. Plotly turns
`&lt;`, `&gt;` and `&amp;` back into the characters they stand for.
"""
from html import escape

from flask_babel import gettext as _

GREEN, GREY, RED = "#1d6b4f", "#8a8178", "#b0413e"
DIVERGING = ["#b0413e", "#e29a86", "#c9c3bb", "#8fc1a9", "#1d6b4f"]
BASE_LAYOUT = {"margin": {"l": 10, "r": 20, "t": 10, "b": 40}, "font": {"family": "system-ui, sans-serif", "size": 14},
               "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff", "showlegend": False}


def plain(text) -> str:
    """`text` for a Plotly label, shown as typed: `<`, `>` and `&` escaped, so no tag or entity in it is
    rendered. Quotes stay as they are: Plotly decodes only a few named entities, and would print
    `&quot;` literally (labels are never put inside an HTML attribute)."""
    return escape(str(text), quote=False)


def percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def count_axis(counts) -> dict:
    """An axis that counts people: whole numbers only. Plotly steps a short axis in halves (0, 0.5, 1 …),
    so up to 10 it steps in ones; beyond 10 its own steps are whole numbers already."""
    axis = {"rangemode": "tozero", "automargin": True}
    return {**axis, "dtick": 1} if max(counts, default=0) <= 10 else axis


def timeline_figure(points, unit: str) -> dict:
    fmt = "%d.%m. %H:00" if unit == "hour" else "%d.%m.%Y"
    return {"data": [{"type": "bar", "x": [p.strftime("%Y-%m-%d %H:%M") for p, _n in points],
                      "y": [n for _p, n in points], "marker": {"color": GREEN},
                      "hovertemplate": "%{x|" + fmt + "}: %{y}<extra></extra>"}],
            "layout": {**BASE_LAYOUT, "height": 260, "xaxis": {"type": "date", "automargin": True},
                       "yaxis": {"rangemode": "tozero", "automargin": True}}}


def bars_figure(result: dict) -> dict:
    rows, total = result["rows"], result["respondents"]
    labels = [plain(label) for label, _n in rows]
    return {"data": [{"type": "bar", "orientation": "h", "y": labels, "x": [n for _l, n in rows],
                      "text": [f"{n} ({percent(n, total)} %)" for _l, n in rows], "textposition": "auto",
                      "marker": {"color": GREEN}, "hoverinfo": "skip", "cliponaxis": False}],
            "layout": {**BASE_LAYOUT, "height": 60 + 42 * len(rows), "margin": {**BASE_LAYOUT["margin"], "l": 10},
                       "yaxis": {"autorange": "reversed", "automargin": True},
                       "xaxis": count_axis(n for _l, n in rows)}}


def diverging_figure(result: dict) -> dict:
    """1–5 scale as one stacked bar: 1 and 2 left of zero, 3 split across it, 4 and 5 right of it."""
    total = result["respondents"] or 1
    share = {v: 100 * n / total for v, n in result["values"]}
    pieces = [(3, -share[3] / 2, True), (2, -share[2], True), (1, -share[1], True),
              (3, share[3] / 2, False), (4, share[4], True), (5, share[5], True)]
    data = [{"type": "bar", "orientation": "h", "y": [""], "x": [width], "name": str(value),
             "marker": {"color": DIVERGING[value - 1]}, "showlegend": in_legend, "legendrank": value,
             "hovertemplate": f"{value}: {round(share[value])} %<extra></extra>"}
            for value, width, in_legend in pieces]
    low, high = plain(result.get("low_label") or "1"), plain(result.get("high_label") or "5")
    ends = [{"text": f"← {low}", "x": 0, "xanchor": "left"}, {"text": f"{high} →", "x": 1, "xanchor": "right"}]
    return {"data": data,
            "layout": {**BASE_LAYOUT, "barmode": "relative", "height": 190, "showlegend": True,
                       "margin": {**BASE_LAYOUT["margin"], "t": 30},
                       "legend": {"orientation": "h", "y": -0.35, "x": 0.5, "xanchor": "center"},
                       "xaxis": {"ticksuffix": " %", "zeroline": True, "zerolinewidth": 2, "zerolinecolor": "#333",
                                 "automargin": True},
                       "annotations": [{**end, "xref": "paper", "y": 1.2, "yref": "paper", "showarrow": False}
                                       for end in ends]}}


def histogram_figure(result: dict) -> dict:
    """Bars per value or per bin; the median is written under the chart, not on it."""
    values = result["values"]
    return {"data": [{"type": "bar", "x": [plain(v) for v, _n in values], "y": [n for _v, n in values],
                      "marker": {"color": GREEN}, "hovertemplate": "%{x}: %{y}<extra></extra>"}],
            "layout": {**BASE_LAYOUT, "height": 280, "bargap": 0.1, "xaxis": {"type": "category", "automargin": True},
                       "yaxis": count_axis(n for _v, n in values)}}


def format_median(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def funnel_figure(rows: list[dict]) -> dict:
    """Scans, started and completed side by side for each place that has a code."""
    places = [row for row in rows if row["touchpoint_id"]]
    names = [plain(row["name"]) for row in places]
    steps = [("scans", "#8fc1a9", _("Scans")), ("started", "#4f9a7a", _("Started")),
             ("completed", GREEN, _("Completed"))]
    data = [{"type": "bar", "orientation": "h", "name": plain(label), "y": names,
             "x": [row[key] for row in places], "marker": {"color": colour},
             "hovertemplate": "%{y}: %{x}<extra>" + plain(label) + "</extra>"} for key, colour, label in steps]
    return {"data": data,
            "layout": {**BASE_LAYOUT, "barmode": "group", "showlegend": True, "height": 90 + 80 * len(places),
                       "legend": {"orientation": "h", "y": -0.15, "traceorder": "normal"},
                       "yaxis": {"autorange": "reversed", "automargin": True},
                       "xaxis": {"rangemode": "tozero", "automargin": True}}}


# Places per cell, light to dark: readable over a pale town map, and the darkest is where most people pointed.
HEAT = [[0, "#fed976"], [0.35, "#fd8d3c"], [0.7, "#e31a1c"], [1, "#800026"]]
MAP_WIDTH = 720  # px: the width a map figure is laid out for; it shrinks with the page, keeping its aspect


def map_layout(picture_url: str, aspect: float, bottom: int = 10) -> dict:
    """A figure's layout with the map picture behind it: x and y are shares of the map's width and height
    (y downwards, as the points are stored), drawn in the map's own aspect, without zoom or axes.
    `results.js` sets its height from the width it gets, so the map fills it; `bottom` leaves room below."""
    axis = {"visible": False, "fixedrange": True, "showgrid": False, "zeroline": False, "constrain": "domain"}
    return {**BASE_LAYOUT, "height": round(MAP_WIDTH * aspect) + 10 + bottom,
            "margin": {"l": 0, "r": 0, "t": 10, "b": bottom},
            "dragmode": False, "hovermode": "closest",
            "xaxis": {**axis, "range": [0, 1]},
            "yaxis": {**axis, "range": [1, 0], "scaleanchor": "x", "scaleratio": aspect},
            "images": [{"source": picture_url, "xref": "x", "yref": "y", "x": 0, "y": 0, "sizex": 1, "sizey": 1,
                        "xanchor": "left", "yanchor": "top", "sizing": "stretch", "layer": "below"}]}


def density_figure(place, picture_url: str, area_labels: dict) -> dict:
    """A place question's points over its map: the count per cell of the grid (surveys.places) as
    squares coloured by count, a heat map the basic Plotly bundle can draw, and, when there are few,
    the points themselves on top. `results.js` makes each square as large as its cell on screen
    (Plotly sizes markers in pixels, and the chart's width follows the page)."""
    cells = place.cells
    per_cell = _("Places here")
    data = [{"type": "scatter", "mode": "markers", "x": [(c + 0.5) / place.columns for c, _r, _n in cells],
             "y": [(r + 0.5) / place.rows for _c, r, _n in cells], "customdata": [n for _c, _r, n in cells],
             "meta": {"cells": place.columns}, "opacity": 0.75,
             "marker": {"symbol": "square", "size": MAP_WIDTH / place.columns, "line": {"width": 0},
                        "color": [n for _c, _r, n in cells], "colorscale": HEAT, "cmin": 0,
                        "colorbar": {"title": {"text": plain(per_cell), "side": "top"}, "orientation": "h",
                                     "thickness": 10, "len": 0.5, "x": 0.5, "xanchor": "center", "y": -0.02,
                                     "yanchor": "top", "tickformat": "d",
                                     **({"dtick": 1} if max(n for _c, _r, n in cells) <= 10 else {})}},
             "hovertemplate": plain(per_cell) + ": %{customdata}<extra></extra>"}]
    if place.points:
        data.append({"type": "scatter", "mode": "markers", "x": [x for x, _y, _a in place.points],
                     "y": [y for _x, y, _a in place.points],
                     "text": [plain(area_labels.get(a) or _("Outside every named area")) for _x, _y, a in place.points],
                     "marker": {"size": 5, "color": "#1a1a1a", "opacity": 0.85,
                                "line": {"width": 1, "color": "#ffffff"}},
                     "hovertemplate": "%{text}<extra></extra>"})
    return {"data": data, "layout": map_layout(picture_url, place.survey_map.aspect, bottom=70)}


def touchpoints_figure(rows: list[dict], picture_url: str, aspect: float) -> dict:
    """Where the answers came from: each touchpoint placed on the map, as a circle whose area grows with
    its number of responses, and its name."""
    largest = max((row["responses"] for row in rows), default=0) or 1
    sizes = [12 + 38 * (row["responses"] / largest) ** 0.5 for row in rows]
    return {"data": [{"type": "scatter", "mode": "markers+text", "x": [row["x"] for row in rows],
                      "y": [row["y"] for row in rows], "customdata": [row["responses"] for row in rows],
                      "text": [plain(row["name"]) for row in rows], "textposition": "top center",
                      "textfont": {"color": "#111111", "size": 13},
                      "marker": {"size": sizes, "color": GREEN, "opacity": 0.8,
                                 "line": {"width": 2, "color": "#ffffff"}},
                      "hovertemplate": "%{text}: %{customdata}<extra></extra>"}],
            "layout": map_layout(picture_url, aspect)}


FIGURES = {"bars": bars_figure, "diverging": diverging_figure, "histogram": histogram_figure,
           "map": bars_figure}  # a place question's counts per named area; its map is density_figure


def question_figure(result: dict) -> dict | None:
    build = FIGURES.get(result.get("chart"))
    return build(result) if build and result["respondents"] and result.get("rows", True) else None


# Options side by side: distinct at a glance and on paper, with green (the house colour) first.
OPTION_COLOURS = ["#1d6b4f", "#e29a86", "#4a6fa5", "#d9a520", "#8a8178", "#7b4f9d", "#8fc1a9", "#b0413e"]


def crosstab_figure(groups: list[str], options: list[str], counts: list[list[int]],
                    percents: list[list[float]], scale: bool = False) -> dict:
    """A cross-tab as grouped bars: one group of bars per row (`groups`), one bar per option, as long as
    the option's share of the row (`percents[row][option]`, so groups of any size compare); the count
    is written on the bar. A scale's points (`scale`) go from red to green."""
    colours = DIVERGING if scale and len(options) == len(DIVERGING) else OPTION_COLOURS
    names = [plain(group) for group in groups]
    data = [{"type": "bar", "orientation": "h", "name": plain(option), "y": names,
             "x": [round(row[index], 1) for row in percents], "customdata": [row[index] for row in counts],
             "text": [f"{row[index]}" for row in counts], "textposition": "auto",
             "marker": {"color": colours[index % len(colours)]}, "cliponaxis": False,
             "hovertemplate": "%{y}: %{customdata} (%{x} %)<extra>" + plain(option) + "</extra>"}
            for index, option in enumerate(options)]
    return {"data": data,
            "layout": {**BASE_LAYOUT, "barmode": "group", "showlegend": True,
                       "height": 110 + len(groups) * (14 + 18 * len(options)),
                       "legend": {"orientation": "h", "y": -0.12, "traceorder": "normal"},
                       "yaxis": {"autorange": "reversed", "automargin": True},
                       "xaxis": {"ticksuffix": " %", "rangemode": "tozero", "automargin": True}}}


def dropoff_figure(rows: list[dict], biggest_id: int | None) -> dict:
    """Where people stop, as a funnel read from the top: per question how many saw it, answered it and
    stopped on it; the stop bar of the question where most people stopped is red, the others grey."""
    names = [plain(f"{row['position']}. {_short(row['prompt'])}") for row in rows]
    steps = [("saw", "#8fc1a9", _("Saw it")), ("answered", GREEN, _("Answered it")),
             ("stopped", None, _("Stopped there"))]
    data = [{"type": "bar", "orientation": "h", "name": plain(label), "y": names,
             "x": [row[key] for row in rows],
             "marker": {"color": colour or [RED if row["question_id"] == biggest_id else GREY for row in rows]},
             "hovertemplate": "%{y}: %{x}<extra>" + plain(label) + "</extra>"} for key, colour, label in steps]
    return {"data": data,
            "layout": {**BASE_LAYOUT, "barmode": "group", "showlegend": True, "height": 90 + 70 * len(rows),
                       "legend": {"orientation": "h", "y": -0.1, "traceorder": "normal"},
                       "yaxis": {"autorange": "reversed", "automargin": True},
                       "xaxis": count_axis(row["saw"] for row in rows)}}


def periods_figure(question: dict, names: list[str]) -> dict:
    """One question's options in each period as grouped bars of shares (the periods have different n)."""
    colours = ["#8fc1a9", GREEN, "#4a6fa5"]  # a third period (after a trial) in blue: two greens blur together
    labels = [plain(_short(row["label"])) for row in question["rows"]]
    data = []
    for i, name in enumerate(names):
        total = question["n"][i]
        counts = [row["counts"][i] for row in question["rows"]]
        data.append({"type": "bar", "orientation": "h", "name": plain(name), "y": labels,
                     "x": [percent(n, total) for n in counts],
                     "text": [f"{percent(n, total)} % ({n})" for n in counts], "textposition": "auto",
                     "marker": {"color": colours[i % len(colours)]}, "cliponaxis": False,
                     "hovertemplate": "%{y}: %{x} %<extra>" + plain(name) + "</extra>"})
    return {"data": data,
            "layout": {**BASE_LAYOUT, "barmode": "group", "showlegend": True,
                       "height": 90 + 30 * len(names) * len(labels),
                       "legend": {"orientation": "h", "y": -0.1, "traceorder": "normal"},
                       "yaxis": {"autorange": "reversed", "automargin": True, "type": "category"},
                       "xaxis": {"ticksuffix": " %", "rangemode": "tozero", "automargin": True}}}


def _short(text: str, length: int = 40) -> str:
    text = str(text)
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"
