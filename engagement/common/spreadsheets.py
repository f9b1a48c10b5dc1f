"""Spreadsheet cells that are safe to open on a council PC, for every export (surveys, ideas, classes).

Text is always text, never a formula; numbers stay numbers; times are Danish
local time without a zone, as Excel shows them.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from surveys.timezone import to_local

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Spreadsheets run a cell that starts with one of these as a formula ("CSV
# injection"): a text answer like =HYPERLINK("http://evil.example") would become
# a live link, or worse, on a council PC. A leading ' makes Excel and LibreOffice
# show the text as typed. Only text is changed: numbers are never user text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of a survey export (engagement.dashboard.staff_exports; other packages add theirs
    through the "export_columns" hook).

    `value(response, answers)` gets a row of the responses table (`.id`,
    `.started_at`, `.completed_at`, and any column a later migration adds) and
    that response's answers as {question id: [answer rows with .choice_id,
    .number, .text]}. It returns text, an int or float, a datetime (Danish
    time), or None for an empty cell. Text is made formula-safe when written.
    """
    header: str
    value: Callable[[object, dict], object]


def formula_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def local_time(value: datetime | None) -> datetime | None:
    return None if value is None else to_local(value).replace(tzinfo=None, microsecond=0)


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return formula_safe(value)
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    return str(value).replace(".", ",")


def xlsx_cell(sheet, value, font=None):
    """Numbers stay numbers and times stay times; text is always a text cell, never a formula."""
    if isinstance(value, str):
        # openpyxl refuses control characters that XML 1.0 cannot hold; a pasted one must not stop the export.
        cell = WriteOnlyCell(sheet, formula_safe(ILLEGAL_CHARACTERS_RE.sub("", value)))
        cell.data_type = "s"  # else openpyxl makes "#N/A" an error cell
    elif isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    else:
        return value
    if font:
        cell.font = font
    return cell
