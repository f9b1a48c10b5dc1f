"""The raw data for staff to take with them: `/staff/surveys/<id>/export.csv` and `.xlsx`.

One row per response, oldest first; the results page's filters apply. Both
formats keep memory flat however many responses there are: responses are read
`CHUNK_SIZE` at a time, each chunk's answers with one query, and each chunk is
written out before the next is read. The CSV is sent while it is written; the
XLSX is written to a temporary file and then sent from disk.

The columns are data (`Column`), built once per export by `export_columns`.
Other parts of engagement add their own through `EXTRA_COLUMNS`.
"""
import csv
import io
import math
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import Response as HttpResponse
from flask import request, send_file, stream_with_context
from flask_babel import gettext as _
from flask_login import login_required
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import Select, select

from engagement.dashboard import bp
from engagement.dashboard.filters import filters_from_args
from extensions import db, utcnow
from surveys.editor import load_survey
from surveys.kinds import KINDS, MultipleChoice
from surveys.models import Answer, Question, Response, Survey
from surveys.results import Filters, matching_responses
from surveys.timezone import to_local

CHUNK_SIZE = 1000
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Spreadsheets run a cell that starts with one of these as a formula ("CSV
# injection"): a text answer like =HYPERLINK("http://evil.example") would become
# a live link, or worse, on a council PC. A leading ' makes Excel and LibreOffice
# show the text as typed. Only text is changed: numbers are never user text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of the export.

    `value(response, answers)` gets a row of the responses table (`.id`,
    `.started_at`, `.completed_at`, and any column a later migration adds) and
    that response's answers as {question id: [answer rows with .choice_id,
    .number, .text]}. It returns text, an int or float, a datetime (Danish
    time), or None for an empty cell. Text is made formula-safe when written.
    """
    header: str
    value: Callable[[object, dict], object]


# Attribution columns (a touchpoint, a class session) from other parts of
# engagement, without this module knowing them. Each hook is called once per
# export as hook(session, survey) and returns a list of Columns, which come
# after the timing columns and before the questions. A hook reads what it needs
# once (say, touchpoint names by id) and looks it up per response in `value`.
EXTRA_COLUMNS: list[Callable[[object, Survey], list[Column]]] = []


@bp.get("/<int:survey_id>/export.csv")
@login_required
def export_csv(survey_id):
    """Any staff role. :raise 404: unless the survey is the user's organisation's."""
    survey, query, columns = prepare_export(survey_id)
    response = HttpResponse(stream_with_context(csv_pieces(db.session, query, columns)),
                            mimetype="text/csv; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=export_filename(survey, "csv"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:survey_id>/export.xlsx")
@login_required
def export_xlsx(survey_id):
    """Any staff role. :raise 404: unless the survey is the user's organisation's."""
    survey, query, columns = prepare_export(survey_id)
    file = tempfile.TemporaryFile()  # no name on disk; gone when the response closes it
    try:
        write_xlsx(db.session, query, columns, file)
    except BaseException:
        file.close()
        raise
    size = file.tell()
    file.seek(0)
    response = send_file(file, mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=export_filename(survey, "xlsx"), conditional=False, etag=False)
    response.content_length = size
    response.headers["Cache-Control"] = "private, no-store"
    return response


def prepare_export(survey_id: int) -> tuple[Survey, Select, list[Column]]:
    """Everything an export needs from the request, read before the first byte is sent."""
    survey = load_survey(survey_id)
    # A filter value that cannot be read is left out, as the results page does (it also says so).
    filters, _problems = filters_from_args(survey, request.args)
    return survey, export_query(survey, filters), export_columns(db.session, survey)


def export_filename(survey: Survey, extension: str) -> str:
    return f"{survey.slug}-svar-{to_local(utcnow()).date().isoformat()}.{extension}"


def export_query(survey: Survey, filters: Filters) -> Select:
    """The matching responses' rows, in the order they were started."""
    ids = matching_responses(survey, filters).subquery()
    return (select(Response.__table__).where(Response.id.in_(select(ids.c.id)))
            .order_by(Response.started_at, Response.id))


def export_columns(session, survey: Survey) -> list[Column]:
    columns = [
        Column(_("Response number"), lambda response, answers: response.id),
        Column(_("Started at"), lambda response, answers: local_time(response.started_at)),
        Column(_("Completed at"), lambda response, answers: local_time(response.completed_at)),
        Column(_("Seconds to complete"), seconds_to_complete),
    ]
    for hook in EXTRA_COLUMNS:
        columns += hook(session, survey)
    for number, question in enumerate(survey.questions, start=1):
        columns += question_columns(f"{number}. {question.prompt}", question)
    return columns


def question_columns(header: str, question: Question) -> list[Column]:
    """Multiple choice: a column per option, 1 when picked. Other choices: the label. Else the number or text."""
    kind = KINDS[question.kind]
    if isinstance(kind, MultipleChoice):
        return [Column(f"{header}: {choice.label}", picked(question.id, choice.id)) for choice in question.choices]
    if kind.has_choices:
        return [Column(header, chosen_label(question.id, {c.id: c.label for c in question.choices}))]
    return [Column(header, number_or_text(question.id))]


def picked(question_id: int, choice_id: int):
    return lambda response, answers: 1 if any(a.choice_id == choice_id for a in answers.get(question_id, ())) else None


def chosen_label(question_id: int, labels: dict[int, str]):
    return lambda response, answers: next(
        (labels.get(a.choice_id) for a in answers.get(question_id, ()) if a.choice_id is not None), None)


def number_or_text(question_id: int):
    def value(response, answers):
        for answer in answers.get(question_id, ()):
            return as_number(answer.number) if answer.number is not None else answer.text
        return None
    return value


def as_number(number: float) -> int | float | str:
    """Whole numbers without ".0"; infinity, which no spreadsheet can hold as a number, as text."""
    if not math.isfinite(number):
        return str(number)
    return int(number) if number.is_integer() else number


def local_time(value: datetime | None) -> datetime | None:
    return None if value is None else to_local(value).replace(tzinfo=None, microsecond=0)


def seconds_to_complete(response, answers) -> int | None:
    if response.completed_at is None:
        return None
    return round((response.completed_at - response.started_at).total_seconds())


def response_rows(session, query: Select, columns: list[Column]) -> Iterator[list[list]]:
    """The cell values of the responses `query` selects, one list of rows per chunk.

    The responses stream from one query (a server-side cursor on PostgreSQL);
    each chunk's answers come with one more query, so memory holds one chunk.
    """
    result = session.execute(query.execution_options(yield_per=CHUNK_SIZE))
    try:
        for chunk in result.partitions():
            answers = answers_by_response(session, [response.id for response in chunk])
            yield [[column.value(response, answers.get(response.id, {})) for column in columns]
                   for response in chunk]
    finally:
        result.close()


def answers_by_response(session, response_ids: list[int]) -> dict[int, dict[int, list]]:
    grouped: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    answers = Answer.__table__  # plain rows: no ORM loading for a few hundred thousand of them
    rows = session.execute(select(answers.c.response_id, answers.c.question_id, answers.c.choice_id,
                                  answers.c.number, answers.c.text)
                           .where(answers.c.response_id.in_(response_ids))).all()
    for row in rows:
        grouped[row[0]][row[1]].append(row)  # response id, question id
    return grouped


def formula_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_pieces(session, query: Select, columns: list[Column]) -> Iterator[bytes]:
    """The CSV for Danish Excel, a chunk of responses per piece.

    Excel takes a file as UTF-8 only when it starts with a byte order mark (else
    æøå break), and in Danish settings it splits on ";" and reads "2,5" as a
    decimal number ("2.5" would be the 2nd of May), so the file is written that way.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([formula_safe(column.header) for column in columns])
    yield ("\ufeff" + _drain(buffer)).encode("utf-8")
    for rows in response_rows(session, query, columns):
        writer.writerows([csv_cell(value) for value in row] for row in rows)
        yield _drain(buffer).encode("utf-8")


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return formula_safe(value)
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    return str(value).replace(".", ",")


def write_xlsx(session, query: Select, columns: list[Column], file) -> None:
    """Write the workbook to `file` row by row (openpyxl's write-only mode keeps no rows in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Responses"))
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(column.header), 12), 40)
    bold = Font(bold=True)
    sheet.append([xlsx_cell(sheet, column.header, font=bold) for column in columns])
    for rows in response_rows(session, query, columns):
        for row in rows:
            sheet.append([xlsx_cell(sheet, value) for value in row])
    workbook.save(file)


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
