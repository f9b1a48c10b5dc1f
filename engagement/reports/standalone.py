"""A report as one self-contained HTML file: the styles, Plotly.js, its Danish words and the script that
draws the charts are inlined, the idea photos are data: addresses, so the file opens from an e-mail
attachment on a laptop with no network and nothing outside it is ever requested."""
import os
from functools import cache

from flask import current_app, render_template
from markupsafe import Markup

from engagement.reports.document import Document

STYLES = ("css/report.css", "vendor/plotly-basic-4.1.1.css")
SCRIPTS = ("vendor/plotly-basic-4.1.1.min.js", "js/plotly-da.js", "js/results.js")


@cache
def inlined(static_folder: str, names: tuple[str, ...]) -> str:
    """The files' text joined; "</" is escaped so no script or style can end its element early."""
    parts = []
    for name in names:
        with open(os.path.join(static_folder, name), encoding="utf-8") as file:
            parts.append(file.read().replace("</", "<\\/"))
    return "\n".join(parts)


def html(document: Document) -> str:
    folder = current_app.static_folder
    return render_template("engagement/reports/standalone.html", doc=document,
                           styles=Markup(inlined(folder, STYLES)), scripts=Markup(inlined(folder, SCRIPTS)))
