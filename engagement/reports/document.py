"""A report as plain values, ready to draw: the one shape the HTML page, the self-contained HTML file,
the PDF and the share links all render, so the four always say the same.

Text here is already translated and formatted (numbers as Danish text); figures
are the Plotly dicts of `engagement.common.charts`, whose labels are escaped
with `plain`. Nothing here touches the database.
"""
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # cells as text, already formatted
    caption: str = ""


@dataclass
class Chart:
    """A Plotly figure with its numbers as a table: the table is the chart's text alternative on the page
    and is printed under the chart's image in the PDF."""
    key: str  # unique in the document: the id of the chart's element
    title: str
    figure: dict
    table: Table | None = None
    note: str = ""  # e.g. "312 answered · each could pick more than one"


@dataclass
class KeyFigures:
    items: list[tuple[str, str]]  # (label, value), e.g. ("Finished", "1.204")


@dataclass
class Notice:
    """A sentence in place of numbers: too few answered, nothing in the period, a comparison not possible;
    `title` names what it stands in for (a question's chart), when it stands in for one."""
    text: str
    title: str = ""


@dataclass
class Quotes:
    title: str
    texts: list[str]


@dataclass
class IdeaCard:
    title: str
    text: str
    meta: str  # e.g. "42 votes · Category: Skate · Age 13–15"
    photo_jpeg: bytes | None = None  # the idea's print JPEG, when it has a photo


Block = Chart | KeyFigures | Notice | Quotes | Table | IdeaCard


@dataclass
class Section:
    anchor: str  # the element id of its heading, for the table of contents
    heading: str
    text: str  # staff's own words under the heading
    blocks: list = field(default_factory=list)  # of Block


@dataclass
class Document:
    organisation: str
    title: str
    introduction: str
    period: str  # e.g. "1. januar 2026 – 31. marts 2026"
    made_at: datetime  # Danish local time
    language: str  # of the labels: "da" or "en"
    sections: list[Section] = field(default_factory=list)
    min_group: int = 5

    def charts(self) -> list[Chart]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Chart)]

    def figures(self) -> dict[str, dict]:
        """The Plotly figures by their chart's key: the JSON the pages draw from."""
        return {chart.key: chart.figure for chart in self.charts()}
