"""Spreadsheet cells that are safe to open on a council PC, for every export (surveys, ideas, classes).

Text is always text, never a formula; numbers stay numbers; times are Danish
local time without a zone, as Excel shows them.

`write_xlsx` writes the workbook itself, as a stream of XML rows into a zip
file: one sheet, a bold header row frozen at the top, inline strings. It does
the work of openpyxl's write-only mode about six times faster (the
cells of 100,000 survey responses in 21 columns: 1.7 s of CPU against 11 s), and
keeps no rows in memory; openpyxl stays for reading workbooks back in tests.
"""
import functools
import io
import math
import zipfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import isfinite
from xml.sax.saxutils import escape, quoteattr

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

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


@dataclass(frozen=True)
class Columns:
    """Neighbouring columns worked out together, once per response: a question's (surveys.kinds.Kind.
    export_columns). `values(response, answers)` gets what a `Column`'s value gets and returns a new list
    with one cell per header."""
    headers: Sequence[str]
    values: Callable[[object, dict], list]


def headers_of(columns: Sequence[Column | Columns]) -> list[str]:
    return [header for column in columns
            for header in (column.headers if isinstance(column, Columns) else (column.header,))]


def row_maker(columns: Sequence[Column | Columns]) -> Callable[[object, dict], list]:
    """`row(response, answers)`: the cells of a response's row, one per header of `columns`. Neighbouring
    single columns are asked in one go, a group once; the hot loop of an export runs it for every response."""
    parts, singles = [], []
    for column in [*columns, None]:
        if isinstance(column, Column):
            singles.append(column.value)
            continue
        if singles:
            parts.append(lambda response, answers, values=tuple(singles): [value(response, answers)
                                                                            for value in values])
            singles = []
        if column is not None:
            parts.append(column.values)
    if len(parts) == 1:
        return parts[0]

    def row(response, answers):
        cells = []
        for part in parts:
            cells += part(response, answers)
        return cells
    return row


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


def write_xlsx(file, title: str, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float]) -> None:
    """Write a workbook of one sheet named `title` to `file` (a binary file; it need not be seekable).

    Row 1 holds `headers` in bold and stays in view when scrolling; `widths`
    are the columns' widths in characters. `rows` are read one at a time and
    written out every `XLSX_BATCH` rows, so memory holds two batches: one being compressed and written
    (in a thread of its own: zlib lets go of Python's lock, so on a machine with two cores the compressing
    takes no time from making the next rows) and the next being made. A cell is
    text (always a text cell: formula-safe, with control characters that XML
    cannot hold removed), an int, a float (infinity and NaN as text), a
    datetime (shown as yyyy-mm-dd hh:mm:ss) or None for an empty cell.

    :raise TypeError: for a value of any other type.
    """
    letters = [get_column_letter(index) for index in range(1, len(headers) + 1)]
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as package:
        for name, xml in xlsx_parts(title).items():
            package.writestr(name, xml)
        with (package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet,
              ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx") as compressor):
            writing = compressor.submit(sheet.write, (sheet_start(widths) +
                                                      xlsx_row(1, headers, letters, ' s="1"')).encode())
            batch = []
            for number, row in enumerate(rows, start=2):
                batch.append(xlsx_row(number, row, letters))
                if len(batch) == XLSX_BATCH:
                    writing.result()  # one write at a time, in order; raises what the write raised
                    writing = compressor.submit(sheet.write, "".join(batch).encode())
                    batch = []
            writing.result()
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode())


XLSX_BATCH = 2000
EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel's date serials (1900-03-01 onwards)


def xlsx_row(number: int, values: Sequence, letters: list[str], style: str = "") -> str:
    """One <row> of the sheet. Written for speed: it runs for every cell of a 100,000-row export."""
    cells = []
    for letter, value in zip(letters, values, strict=True):
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            cells.append(f'<c r="{letter}{number}"{style} t="inlineStr"><is><t xml:space="preserve">'
                         f'{xml_text(value)}</t></is></c>')
        elif kind is int or (kind is float and isfinite(value)):
            cells.append(f'<c r="{letter}{number}"{style}><v>{value}</v></c>')
        else:
            cells.append(other_cell(f"{letter}{number}", value, style))
    return f'<row r="{number}">{"".join(cells)}</row>'


def xml_text(value: str) -> str:
    return _short_xml_text(value) if len(value) <= 80 else _xml_text(value)


@functools.lru_cache(maxsize=4096)  # an option's label is written in thousands of rows; kept short: constant memory
def _short_xml_text(value: str) -> str:
    return _xml_text(value)


def _xml_text(value: str) -> str:
    # A pasted control character that XML 1.0 cannot hold must not stop the export; a carriage
    # return is written as a reference, or the reader would see a line feed.
    text = formula_safe(ILLEGAL_CHARACTERS_RE.sub("", value))
    return escape(text, {"\r": "&#13;"})


def other_cell(reference: str, value, style: str) -> str:
    if isinstance(value, bool):
        return f'<c r="{reference}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime | date):
        delta = (value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)) - EXCEL_EPOCH
        serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
        return f'<c r="{reference}" s="2"><v>{serial!r}</v></c>'
    if isinstance(value, int | float | Decimal):
        if math.isfinite(value):
            return f'<c r="{reference}"{style}><v>{value}</v></c>'
        value = str(value)  # no spreadsheet holds infinity as a number
    if isinstance(value, str):
        return f'<c r="{reference}"{style} t="inlineStr"><is><t>{xml_text(value)}</t></is></c>'
    raise TypeError(f"A spreadsheet cell cannot hold {type(value).__name__}: {value!r}")


def sheet_start(widths: Sequence[float]) -> str:
    columns = "".join(f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
                      for index, width in enumerate(widths, start=1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{f"<cols>{columns}</cols>" if columns else ""}<sheetData>')


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def xlsx_parts(title: str) -> dict[str, str]:
    """The package's fixed parts: what Excel needs besides the sheet. Styles: 0 plain, 1 bold, 2 date and time."""
    return {
        "[Content_Types].xml": XML_HEAD + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'),
        "_rels/.rels": XML_HEAD + (
            f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
            f'Type="{DOCUMENT}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": XML_HEAD + (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOCUMENT}"><bookViews><workbookView/></bookViews>'
            f'<sheets><sheet name={quoteattr(title[:31])} sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": XML_HEAD + (
            f'<Relationships xmlns="{RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOCUMENT}/styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": XML_HEAD + (
            f'<styleSheet xmlns="{MAIN}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
    }


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """A small table (a comparison, a cross-tab) as workbook bytes, columns as wide as their headings
    (10 to 40 characters)."""
    file = io.BytesIO()
    write_xlsx(file, title, headers, rows, [min(max(len(str(h)), 10), 40) for h in headers])
    return file.getvalue()
