"""The raw data for staff to take with them: `/staff/surveys/<id>/export.csv` and `.xlsx`.

One row per response, oldest first; the results page's filters apply. Both
formats keep memory flat however many responses there are: responses are read
`CHUNK_SIZE` at a time, each chunk's answers with one query, and each chunk is
written out before the next is read. The CSV is sent while it is written; the
XLSX is written to a temporary file and then sent from disk.

More than EXPORT_DIRECT_LIMIT matching responses (20,000: a fifth of the bench's
100,000, whose Excel file took 8 s on a quiet small server and 36 s on a slow,
shared one) could hold an app server past gunicorn's 30 s: the request then
starts the export in the background (engagement.prepared, the maker
"survey_export") and sends the person to a page that shows its progress.

The columns are data (a `Column`, or a question's `Columns` worked out together),
built once per export by `export_columns`. Other parts of engagement add their
own through the "export_columns" hook.
"""
import csv
import io
import itertools
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator

from flask import Response as HttpResponse
from flask import current_app, request, send_file, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import Select, func, select
from werkzeug.exceptions import NotFound

from engagement.common.spreadsheets import (
    XLSX_MIMETYPE,
    Column,
    Columns,
    csv_cell,
    formula_safe,
    headers_of,
    local_time,
    row_maker,
    write_xlsx,
)
from engagement.dashboard import bp
from engagement.dashboard.filters import filter_args, filters_from_args, filters_from_json, filters_to_json
from engagement.prepared import Description
from engagement.prepared.staff import prepare
from extensions import db, hooks, utcnow
from surveys.kinds import KINDS
from surveys.models import Answer, Question, Response, Survey
from surveys.results import Filters, matching_responses
from surveys.staff import load_survey
from surveys.timezone import to_local

CHUNK_SIZE = 1000
NO_ANSWERS: dict = {}
MIMETYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MIMETYPE}
EXPORT_MAKER = "survey_export"  # stored with each background export: never rename it

@bp.get("/<int:survey_id>/export.csv")
@login_required
def export_csv(survey_id):
    """Any staff role. :raise 404: unless the survey is the user's organisation's."""
    survey, filters = export_request(survey_id)
    if too_many_for_now(survey, filters):
        return export_in_background(survey, filters, "csv")
    query, columns = export_query(survey, filters), export_columns(db.session, survey)
    response = HttpResponse(stream_with_context(csv_pieces(db.session, query, columns)),
                            mimetype=MIMETYPES["csv"])
    response.headers.set("Content-Disposition", "attachment", filename=export_filename(survey, "csv"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/<int:survey_id>/export.xlsx")
@login_required
def export_xlsx(survey_id):
    """Any staff role. :raise 404: unless the survey is the user's organisation's."""
    survey, filters = export_request(survey_id)
    if too_many_for_now(survey, filters):
        return export_in_background(survey, filters, "xlsx")
    query, columns = export_query(survey, filters), export_columns(db.session, survey)
    file = tempfile.TemporaryFile()  # no name on disk; gone when the response closes it
    try:
        write_workbook(db.session, query, columns, file)
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


def export_request(survey_id: int) -> tuple[Survey, Filters]:
    """The survey and the results page's filters, from the request."""
    survey = load_survey(survey_id)
    # A filter value that cannot be read is left out, as the results page does (it also says so).
    filters, _problems = filters_from_args(survey, request.args)
    return survey, filters


def too_many_for_now(survey: Survey, filters: Filters) -> bool:
    """More matching responses than EXPORT_DIRECT_LIMIT: the file is made in the background. Counted no
    further than the limit, so the answer costs little however many there are."""
    limit = current_app.config["EXPORT_DIRECT_LIMIT"]
    first = matching_responses(survey, filters).limit(limit + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(first)) > limit


def export_in_background(survey: Survey, filters: Filters, extension: str):
    """The redirect to the page of the export made in the background (engagement.prepared)."""
    return prepare(EXPORT_MAKER, {"survey_id": survey.id, "format": extension, "filters": filters_to_json(filters)},
                   export_filename(survey, extension), MIMETYPES[extension], unit="responses")


def make_export(session, download, progress, file) -> None:
    """The export as the download asked for it (a maker of engagement.prepared), in a thread: the survey is
    loaded through the download's organisation, and the filters are those the request had checked.

    :raise NotFound: if the survey has been deleted since.
    """
    survey = session.scalar(select(Survey).where(Survey.id == download.params["survey_id"],
                                                 Survey.organisation_id == download.organisation_id))
    if survey is None:
        raise NotFound(_("The survey has been deleted."))
    filters = filters_from_json(download.params["filters"])
    progress.start(session.scalar(select(func.count()).select_from(matching_responses(survey, filters).subquery())),
                   "responses")
    query, columns = export_query(survey, filters), export_columns(session, survey)
    if download.params["format"] == "csv":
        for piece in csv_pieces(session, query, columns, progress.advance):
            file.write(piece)
    else:
        write_workbook(session, query, columns, file, progress.advance)


def describe_export(download) -> Description:
    survey = db.session.scalar(select(Survey).where(Survey.id == download.params["survey_id"],
                                                    Survey.organisation_id == download.organisation_id))
    if survey is None:
        return Description(_("Responses to a deleted survey"), url_for("editor.index"), _("Surveys"))
    filters = filters_from_json(download.params["filters"])
    what = (_("The responses to »%(title)s« as a CSV file", title=survey.title) if download.params["format"] == "csv"
            else _("The responses to »%(title)s« as an Excel file", title=survey.title))
    return Description(what, url_for("dashboard.results_page", survey_id=survey.id, **filter_args(filters)),
                       _("Back to the results"))


def export_filename(survey: Survey, extension: str) -> str:
    return f"{survey.slug}-svar-{to_local(utcnow()).date().isoformat()}.{extension}"


def export_query(survey: Survey, filters: Filters) -> Select:
    """The matching responses' rows, in the order they were started."""
    ids = matching_responses(survey, filters).subquery()
    return (select(Response.__table__).where(Response.id.in_(select(ids.c.id)))
            .order_by(Response.started_at, Response.id))


def export_columns(session, survey: Survey) -> list[Column | Columns]:
    columns = [
        Column(_("Response number"), lambda response, answers: response.id),
        Column(_("Started at"), lambda response, answers: local_time(response.started_at)),
        Column(_("Completed at"), lambda response, answers: local_time(response.completed_at)),
        Column(_("Seconds to complete"), seconds_to_complete),
    ]
    # Attribution columns (a touchpoint, a class session) from other packages, after the timing columns:
    # each reads what it needs once (say, touchpoint names by id) and looks it up per response.
    for hook in hooks("export_columns"):
        columns += hook(session, survey)
    for number, question in enumerate(survey.questions, start=1):
        columns.append(question_columns(f"{number}. {question.prompt}", question))
    return columns


def question_columns(header: str, question: Question) -> Columns:
    """The question's columns as its kind lays them out (surveys.kinds.Kind.export_columns)."""
    return Columns(*KINDS[question.kind].export_columns(header, question))


def seconds_to_complete(response, answers) -> int | None:
    if response.completed_at is None:
        return None
    return round((response.completed_at - response.started_at).total_seconds())


def response_rows(session, query: Select, columns: list[Column | Columns],
                  counted: Callable[[int], None] | None = None) -> Iterator[list[list]]:
    """The cell values of the responses `query` selects, one list of rows per chunk; `counted(n)` is told
    the number of responses in each chunk as it is read (a background export's progress).

    The responses stream from one query (a server-side cursor on PostgreSQL);
    each chunk's answers come with one more query, so memory holds one chunk.
    """
    row = row_maker(columns)
    result = session.execute(query.execution_options(yield_per=CHUNK_SIZE))
    try:
        for chunk in result.partitions():
            answers = answers_by_response(session, [response.id for response in chunk])
            # The hot loop of an export: a call per question (and per single column), nothing more.
            rows = [row(response, answers.get(response.id, NO_ANSWERS)) for response in chunk]
            if counted:
                counted(len(rows))
            yield rows
    finally:
        result.close()


def answers_by_response(session, response_ids: list[int]) -> dict[int, dict[int, list]]:
    """{response id: {question id: its answer rows, in the order they were stored}}: a person's places in the
    order they marked them. That order is the index's on (response, question), so SQLite need not sort."""
    grouped: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    answers = Answer.__table__  # plain rows: no ORM loading for a few hundred thousand of them
    rows = session.execute(select(answers.c.response_id, answers.c.question_id, answers.c.choice_id,
                                  answers.c.number, answers.c.text, answers.c.x, answers.c.y)
                           .where(answers.c.response_id.in_(response_ids))
                           .order_by(answers.c.response_id, answers.c.question_id, answers.c.id)).all()
    for row in rows:
        grouped[row[0]][row[1]].append(row)  # response id, question id
    return grouped


def csv_pieces(session, query: Select, columns: list[Column | Columns],
               counted: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The CSV for Danish Excel, a chunk of responses per piece.

    Excel takes a file as UTF-8 only when it starts with a byte order mark (else
    æøå break), and in Danish settings it splits on ";" and reads "2,5" as a
    decimal number ("2.5" would be the 2nd of May), so the file is written that way.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([formula_safe(header) for header in headers_of(columns)])
    yield ("\ufeff" + _drain(buffer)).encode("utf-8")
    for rows in response_rows(session, query, columns, counted):
        writer.writerows([csv_cell(value) for value in row] for row in rows)
        yield _drain(buffer).encode("utf-8")


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def write_workbook(session, query: Select, columns: list[Column | Columns], file,
                   counted: Callable[[int], None] | None = None) -> None:
    """Write the workbook to `file` as the responses are read (engagement.common.spreadsheets.write_xlsx)."""
    rows = itertools.chain.from_iterable(response_rows(session, query, columns, counted))
    headers = headers_of(columns)
    write_xlsx(file, _("Responses"), headers, rows, [min(max(len(header), 12), 40) for header in headers])
