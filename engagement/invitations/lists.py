"""Reading the list staff upload: a CSV file (`;`, `,` or tab; UTF-8 with or without BOM, or the
Windows-1252 that Danish Excel writes) or an Excel workbook (.xlsx, its first sheet).

The first row that is not empty holds the column names, in Danish or English (navn/name,
e-mail/email, adresse/address, and postnr/by for an address in three columns). Every row after it
becomes a `Person`, or the reasons it cannot (`RowProblem`, with the row number as the spreadsheet
shows it). Nothing here touches the database: `services.import_list` checks the rows against the
people already invited and stores all of them or none.
"""
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _

MAX_ROWS = 5000
NAME_LENGTH, EMAIL_LENGTH, ADDRESS_LENGTH = 200, 254, 500
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# Column names as people write them, after `header_key` (lower case, no spaces, dashes or dots).
HEADERS = {
    "name": {"navn", "name", "fuldenavn", "fulltnavn", "fullname", "ejer", "owner", "kontaktperson", "contact",
             "contactperson", "modtager", "recipient"},
    "email": {"email", "mail", "emailadresse", "emailaddress", "epost", "epostadresse"},
    "address": {"adresse", "address", "postadresse", "postaladdress", "vejadresse", "gade", "street",
                "streetaddress"},
    "postcode": {"postnr", "postnummer", "postcode", "zip", "zipcode", "postalcode"},
    "city": {"by", "city", "town", "postdistrikt", "bynavn"},
}
XLSX_MAGIC, XLS_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"


class ListProblem(Exception):
    """The file as a whole cannot be read (not a list, no column names we know, too many rows).
    The message is translated and says what to do."""


@dataclass(frozen=True)
class Person:
    row: int
    name: str
    email: str
    postal_address: str


@dataclass(frozen=True)
class RowProblem:
    row: int
    problems: tuple[str, ...]  # translated, e.g. "no name"

    @property
    def message(self) -> str:
        return _("Row %(row)d: %(problems)s.", row=self.row, problems="; ".join(self.problems))


@dataclass
class ReadList:
    people: list[Person] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def read_list(data: bytes) -> ReadList:
    """The people in an uploaded file, and what is wrong with the rows that are not right.

    Checks each row on its own and against the rows above it (the same e-mail twice); whether
    someone is already invited is the caller's to check.

    :raise ListProblem: for an empty or unreadable file, a file without a name column or without
        an e-mail or address column, or more than MAX_ROWS people.
    """
    rows = table_rows(data)
    header_at, columns = find_header(rows)
    result = ReadList()
    seen: dict[str, int] = {}
    for number, cells in rows[header_at + 1:]:
        values = {key: cell(cells, index) for key, index in columns.items()}
        if not any(values.values()):
            continue  # an empty row, as spreadsheets often have at the end
        person, problems = check_row(number, values, seen)
        if problems:
            result.problems.append(RowProblem(number, tuple(problems)))
        else:
            result.people.append(person)
        if len(result.people) + len(result.problems) > MAX_ROWS:
            raise ListProblem(_("The list has more than %(max)d people. Split it into several files.", max=MAX_ROWS))
    if not result.people and not result.problems:
        raise ListProblem(_("The file has column names but nobody under them."))
    return result


def check_row(number: int, values: dict, seen: dict[str, int]) -> tuple[Person | None, list[str]]:
    """The person on a row, or why not. `seen` maps the e-mails of the rows above to their row number."""
    name, email = values.get("name", ""), values.get("email", "")
    address = postal_address(values)
    problems = []
    if not name:
        problems.append(_("no name"))
    elif len(name) > NAME_LENGTH:
        problems.append(_("the name is longer than %(max)d characters", max=NAME_LENGTH))
    if not email and not address:
        problems.append(_("no e-mail and no postal address"))
    if email and (not EMAIL.fullmatch(email) or len(email) > EMAIL_LENGTH):
        problems.append(_("»%(email)s« is not an e-mail address", email=email[:80]))
    elif email and email.lower() in seen:
        problems.append(_("the e-mail %(email)s is also in row %(row)d", email=email, row=seen[email.lower()]))
    if len(address) > ADDRESS_LENGTH:
        problems.append(_("the address is longer than %(max)d characters", max=ADDRESS_LENGTH))
    if email and email.lower() not in seen:
        seen[email.lower()] = number
    return (None if problems else Person(number, name, email, address)), problems


def postal_address(values: dict) -> str:
    """The address as it goes on an envelope, one line per line: an address in one cell is broken
    before its postcode ("Algade 12, 4760 Vordingborg"); postcode and town columns make the last line."""
    lines = [line.strip(" ,") for line in values.get("address", "").splitlines()]
    if len(lines) == 1:
        lines = [part.strip(" ,") for part in re.split(r",\s*(?=\d{4}\s)", lines[0])]
    town = " ".join(part for part in (values.get("postcode", ""), values.get("city", "")) if part)
    return "\n".join(line for line in [*lines, town] if line)


def header_key(text: str) -> str:
    return re.sub(r"[\s\-_.:]", "", text.strip().lower())


def find_header(rows: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    """The index (in `rows`) of the first row that is not empty, and which column holds what.

    :raise ListProblem: if it names no name column, or neither an e-mail nor an address column."""
    at = next((i for i, (_number, cells) in enumerate(rows) if any(cells)), None)
    if at is None:
        raise ListProblem(_("The file is empty."))
    columns: dict[str, int] = {}
    for index, text in enumerate(rows[at][1]):
        key = next((key for key, names in HEADERS.items() if header_key(text) in names), None)
        if key is not None and key not in columns:
            columns[key] = index
    if "name" not in columns or not {"email", "address"} & set(columns):
        raise ListProblem(_("The first row must name the columns: »navn« (or »name«) and »e-mail« and/or "
                            "»adresse« (or »address«). This file's first row is: %(row)s",
                            row=" | ".join(rows[at][1])[:200]))
    return at, columns


def cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def table_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """(row number, cells as trimmed text) for every row of the file, the first row numbered 1.

    :raise ListProblem: for a file that is neither a CSV file nor an .xlsx workbook."""
    if data.startswith(XLSX_MAGIC):
        return workbook_rows(data)
    if data.startswith(XLS_MAGIC):
        raise ListProblem(_("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload it again."))
    if not data.strip():
        raise ListProblem(_("The file is empty."))
    text = decoded(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)  # ties (no separator at all) go to ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [(number, [value.strip() for value in cells]) for number, cells in enumerate(reader, start=1)]
    except csv.Error as error:
        raise ListProblem(_("The file cannot be read as CSV: %(error)s", error=str(error))) from error


def decoded(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else Windows-1252, Danish Excel's "CSV" format."""
    if b"\x00" in data[:2000]:
        raise ListProblem(_("This does not look like a CSV file. Upload a CSV file or an Excel workbook (.xlsx)."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def workbook_rows(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ListProblem(_("The Excel file cannot be read. Save it again as .xlsx, or as CSV.")) from error
    try:
        sheet = book.worksheets[0]
        return [(number, [text_of(value) for value in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()


def text_of(value) -> str:
    """A cell as text: 4760 and 4760.0 (a postcode typed as a number) both as "4760"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
