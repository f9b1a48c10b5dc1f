"""Staff take the raw data with them: CSV for Danish Excel and XLSX, one row per response."""
import codecs
import contextvars
import csv
import gc
import io
import re
import secrets
import tracemalloc
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import insert, select

from engagement.dashboard import staff_exports as exports
from extensions import utcnow
from surveys.models import Answer, Response
from surveys.timezone import to_local
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.surveys.test_answering import answer

MAY = datetime(2026, 5, 4, 8, 30)  # UTC; 10:30 in Denmark (summer time)
JANUARY = datetime(2026, 1, 15, 12, 0)  # UTC; 13:00 in Denmark (winter time)
DANISH = {0: "Over 25", 1: ["Biblioteket", "Torvet"], 2: "Ja", 4: 2, 5: 10, 6: 2.5,
          7: "Bedre cykelstier, flere bænke og en åben gård – tak!", 8: "Beton"}
PAYLOADS = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", '=HYPERLINK("http://evil.example")']
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MB = 1024 * 1024


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def survey(db, org):
    return make_survey(db, org, EVERY_KIND, slug="bymidten-2026")


@pytest.fixture
def lead(db, org, staff):
    """The project lead of the town-centre partnership, signed in."""
    return staff(make_user(db, org, role="editor"))


def add_response(db, survey, values, started=MAY, seconds=95, completed=True) -> Response:
    """A response stored directly, with `values` by question index: a label, a list of labels, a number or a text."""
    response = Response(survey_id=survey.id, key=secrets.token_urlsafe(32), started_at=started, updated_at=started,
                        completed_at=started + timedelta(seconds=seconds) if completed else None)
    for index, value in values.items():
        question = survey.questions[index]
        labels = {c.label: c.id for c in question.choices}
        for item in value if isinstance(value, list) else [value]:
            if labels:
                response.answers.append(Answer(question_id=question.id, choice_id=labels[item]))
            elif isinstance(item, str):
                response.answers.append(Answer(question_id=question.id, text=item))
            else:
                response.answers.append(Answer(question_id=question.id, number=item))
    db.session.add(response)
    db.session.commit()
    return response




def answer_on_a_phone(app, survey):
    """A young person answers every screen through the public pages, saying no to the weekly visit."""
    phone = app.test_client()

    def choice(index, label):
        return str(next(c.id for c in survey.questions[index].choices if c.label == label))

    values = [choice(0, "13-17"), [choice(1, "Skateparken"), choice(1, "Havnen")], choice(2, "Nej"),
              "Der er ikke noget for os", "4", "8", "15", "Æblekage på torvet!", choice(8, "Træ")]
    url = f"/s/{survey.slug}"
    for value in values:
        posted = answer(phone, url, value)
        assert posted.status_code == 303, posted.get_data(as_text=True)[-500:]
        url = posted.location
    assert url.endswith("/tak")


def csv_rows(client, url) -> list[list[str]]:
    response = client.get(url, buffered=True)
    assert response.status_code == 200, response.status_code
    body = response.get_data()
    assert body.startswith(codecs.BOM_UTF8)  # without it Excel reads æøå as Latin-1
    return list(csv.reader(io.StringIO(body[len(codecs.BOM_UTF8):].decode("utf-8"), newline=""), delimiter=";"))


def xlsx_sheet(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.get_data())).active


def xlsx_rows(client, url) -> list[list]:
    return [[cell.value for cell in row] for row in xlsx_sheet(client, url).iter_rows()]


def local(value: datetime) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M:%S")


def test_project_lead_downloads_answers_as_csv_that_danish_excel_reads(app, db, survey, lead):
    may = add_response(db, survey, DANISH)
    january = add_response(db, survey, {**DANISH, 2: "Nej", 3: 'Flere "hyggelige" steder;\nogså om vinteren',
                                        6: -3, 7: "Ærligt talt: ø-hop"}, started=JANUARY, seconds=61)
    answer_on_a_phone(app, survey)
    phone = db.session.scalar(select(Response).where(Response.id.not_in([may.id, january.id])))

    response = lead.get(f"/staff/surveys/{survey.id}/export.csv", buffered=True)
    assert response.mimetype == "text/csv" and response.mimetype_params["charset"] == "utf-8"
    today = to_local(utcnow()).date().isoformat()
    assert response.headers["Content-Disposition"] == f"attachment; filename=bymidten-2026-svar-{today}.csv"
    body = response.get_data()
    # CRLF line ends, as Excel writes them; the one bare line feed is inside a quoted answer.
    assert body.endswith(b"\r\n") and body.count(b"\r\n") == 4 and b'steder;\nogs' in body

    header, *rows = csv_rows(lead, f"/staff/surveys/{survey.id}/export.csv")
    assert header[4:] == [
        "1. Hvor gammel er du?", "2. Hvor mødes du med venner?: Skateparken",
        "2. Hvor mødes du med venner?: Biblioteket",
        "2. Hvor mødes du med venner?: Havnen", "2. Hvor mødes du med venner?: Torvet",
        "3. Kommer du i bymidten hver uge?", "4. Hvorfor ikke?", "5. Hvor tryg føler du dig om aftenen?",
        "6. Hvor gerne vil du anbefale bymidten til en ven?", "7. Hvor mange minutter tager turen ind til byen?",
        "8. Hvad mangler du i bymidten?", "9. Hvilken bænk er bedst?"]
    assert rows == [  # ordered by start time, not by response number
        [str(january.id), "2026-01-15 13:00:00", "2026-01-15 13:01:01", "61", "Over 25", "", "1", "", "1", "Nej",
         'Flere "hyggelige" steder;\nogså om vinteren', "2", "10", "-3", "Ærligt talt: ø-hop", "Beton"],
        [str(may.id), "2026-05-04 10:30:00", "2026-05-04 10:31:35", "95", "Over 25", "", "1", "", "1", "Ja",
         "", "2", "10", "2,5", "Bedre cykelstier, flere bænke og en åben gård – tak!", "Beton"],
        [str(phone.id), local(phone.started_at), local(phone.completed_at),
         str(round((phone.completed_at - phone.started_at).total_seconds())), "13-17", "1", "", "1", "", "Nej",
         "Der er ikke noget for os", "4", "8", "15", "Æblekage på torvet!", "Træ"],
    ]


def test_project_lead_downloads_the_same_answers_as_xlsx_with_numbers_as_numbers(app, db, survey, lead):
    add_response(db, survey, DANISH)
    january = add_response(db, survey, {**DANISH, 6: -3}, started=JANUARY, seconds=61)
    answer_on_a_phone(app, survey)
    response = lead.get(f"/staff/surveys/{survey.id}/export.xlsx")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert re.fullmatch(r"attachment; filename=bymidten-2026-svar-\d{4}-\d\d-\d\d\.xlsx",
                        response.headers["Content-Disposition"])
    assert response.content_length == len(response.get_data())

    from_csv = csv_rows(lead, f"/staff/surveys/{survey.id}/export.csv")
    from_xlsx = xlsx_rows(lead, f"/staff/surveys/{survey.id}/export.xlsx")
    assert from_xlsx[0] == from_csv[0]
    for xlsx_row, csv_row in zip(from_xlsx[1:], from_csv[1:], strict=True):
        assert [as_csv(value) for value in xlsx_row] == csv_row
    assert from_xlsx[1][:4] == [january.id, datetime(2026, 1, 15, 13, 0), datetime(2026, 1, 15, 13, 1, 1), 61]
    assert from_xlsx[1][13] == -3 and from_xlsx[2][13] == 2.5 and from_xlsx[2][11:13] == [2, 10]
    assert all(isinstance(value, int) for row in from_xlsx[1:] for value in row[:1] + row[3:4] + row[11:13])


def as_csv(value) -> str:
    """How the CSV writes a typed XLSX value."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value).replace(".", ",")


def test_unfinished_responses_are_left_out_unless_staff_ask_for_them(db, survey, lead):
    done = add_response(db, survey, DANISH)
    unfinished = add_response(db, survey, {0: "Under 13"}, started=MAY + timedelta(hours=1), completed=False)
    url = f"/staff/surveys/{survey.id}/export"
    assert [row[0] for row in csv_rows(lead, f"{url}.csv")[1:]] == [str(done.id)]
    assert [row[0] for row in xlsx_rows(lead, f"{url}.xlsx")[1:]] == [done.id]
    rows = csv_rows(lead, f"{url}.csv?incomplete=1")[1:]
    assert [row[:5] for row in rows[1:]] == [[str(unfinished.id), "2026-05-04 11:30:00", "", "", "Under 13"]]
    assert [row[:4] for row in xlsx_rows(lead, f"{url}.xlsx?incomplete=1")[2:]] == [
        [unfinished.id, datetime(2026, 5, 4, 11, 30), None, None]]


def test_the_results_page_filters_apply_to_the_export(db, survey, lead):
    yes = next(c.id for c in survey.questions[2].choices if c.label == "Ja")
    early = add_response(db, survey, {**DANISH, 2: "Ja"}, started=datetime(2026, 5, 4, 12, 0))
    # 22:30 UTC on the 4th is 00:30 on the 5th in Denmark: a Danish day counts.
    past_midnight = add_response(db, survey, {**DANISH, 2: "Nej"}, started=datetime(2026, 5, 4, 22, 30))
    june = add_response(db, survey, {**DANISH, 2: "Ja"}, started=datetime(2026, 6, 1, 9, 0))
    url = f"/staff/surveys/{survey.id}/export"

    def exported(query, kind="csv"):
        rows = (csv_rows if kind == "csv" else xlsx_rows)(lead, f"{url}.{kind}?{query}")[1:]
        return [int(row[0]) for row in rows]

    assert exported("from=2026-05-05") == [past_midnight.id, june.id]
    assert exported("to=2026-05-31") == [early.id, past_midnight.id]
    assert exported(f"a={yes}") == [early.id, june.id]
    assert exported(f"a={yes}&from=2026-05-05", "xlsx") == [june.id]
    assert exported("from=31-05-2026&a=nonsense") == [early.id, past_midnight.id, june.id]  # unreadable: left out


def test_formulas_in_labels_and_answers_reach_excel_as_plain_text(db, org, lead):
    survey = make_survey(db, org, [
        {"kind": "single_choice", "prompt": "Hvad er bedst?", "choices": PAYLOADS[:4] + PAYLOADS[5:] + ["Tab"]},
        {"kind": "short_text", "prompt": "=Hvorfor?"},
        {"kind": "number", "prompt": "Hvor mange grader var der?", "settings": {"min": -30, "max": 40}},
        {"kind": "multiple_choice", "prompt": "Hvad mere?", "choices": ["@home", "+plus"]},
    ])
    # The editor strips a leading tab, but an imported survey might keep one.
    survey.questions[0].choices[-1].label = "\tTAB"
    db.session.commit()
    for payload in PAYLOADS:
        add_response(db, survey, {0: payload, 1: payload, 2: -3, 3: ["@home"]})
    add_response(db, survey, {0: PAYLOADS[0], 1: "\rcarriage", 2: -0.5})
    url = f"/staff/surveys/{survey.id}/export"

    header, *rows = csv_rows(lead, f"{url}.csv")
    assert header[4:] == ["1. Hvad er bedst?", "2. =Hvorfor?", "3. Hvor mange grader var der?",
                          "4. Hvad mere?: @home", "4. Hvad mere?: +plus"]
    assert [row[4:6] for row in rows] == [["'" + p, "'" + p] for p in PAYLOADS] + [["'=1+1", "'\rcarriage"]]
    assert [row[6] for row in rows] == ["-3"] * len(PAYLOADS) + ["-0,5"]  # real numbers are left alone
    for cell in (cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)):
        float(cell.replace(",", "."))  # only numbers may start like a formula

    sheet = xlsx_sheet(lead, f"{url}.xlsx")
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert [cell.value for cell in cells if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)] == []
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    # Depending on the XML writer a carriage return may come back as a line feed; the text is still quoted.
    assert [[cell.replace("\r", "\n") for cell in row[4:6]] for row in values] == \
        [[cell.replace("\r", "\n") for cell in row[4:6]] for row in rows]
    assert [row[6] for row in values] == [-3] * len(PAYLOADS) + [-0.5]


def test_odd_stored_text_and_numbers_still_give_a_workbook_excel_opens(db, org, lead):
    survey = make_survey(db, org, [{"kind": "short_text", "prompt": "Hvad?"},
                                   {"kind": "number", "prompt": "Hvor meget?"}])
    add_response(db, survey, {0: "#N/A", 1: float("inf")})
    add_response(db, survey, {0: "klokke\x07 og\x1b escape", 1: -float("inf")}, started=MAY + timedelta(hours=1))
    cells = [row for row in xlsx_sheet(lead, f"/staff/surveys/{survey.id}/export.xlsx").iter_rows(min_row=2)]
    assert [(row[4].value, row[4].data_type) for row in cells] == [("#N/A", "s"), ("klokke og escape", "s")]
    assert [row[5].value for row in cells] == ["inf", "'-inf"]
    assert [row[4:] for row in csv_rows(lead, f"/staff/surveys/{survey.id}/export.csv")[1:]] == [
        ["#N/A", "inf"], ["klokke\x07 og\x1b escape", "'-inf"]]


def test_survey_without_responses_exports_only_the_header(db, survey, lead):
    assert len(csv_rows(lead, f"/staff/surveys/{survey.id}/export.csv")) == 1
    assert len(xlsx_rows(lead, f"/staff/surveys/{survey.id}/export.xlsx")) == 1


def test_a_touchpoint_column_can_join_the_export_through_the_hook(app, db, survey, lead, monkeypatch):
    library = add_response(db, survey, DANISH)
    square = add_response(db, survey, DANISH, started=MAY + timedelta(hours=1))
    calls = []

    def touchpoint_columns(session, survey):
        calls.append(survey.id)
        names = {library.id: "Plakat ved biblioteket", square.id: "=Plakat på torvet"}  # read once per export
        return [exports.Column("Touchpoint", lambda response, answers: names[response.id])]

    monkeypatch.setitem(app.extensions["bypuls.hooks"], "export_columns", [touchpoint_columns])
    header, *rows = csv_rows(lead, f"/staff/surveys/{survey.id}/export.csv")
    assert header[4:6] == ["Touchpoint", "1. Hvor gammel er du?"]
    assert [row[4] for row in rows] == ["Plakat ved biblioteket", "'=Plakat på torvet"]
    assert calls == [survey.id]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_staff_of_another_organisation_get_404_for_the_export(db, survey, staff, kind):
    add_response(db, survey, DANISH)
    client = staff(make_user(db, make_org(db), role="admin"))
    assert client.get(f"/staff/surveys/{survey.id}/export.{kind}").status_code == 404


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_nobody_downloads_answers_without_signing_in(client, db, survey, kind):
    add_response(db, survey, DANISH)
    response = client.get(f"/staff/surveys/{survey.id}/export.{kind}")
    assert response.status_code == 302 and "/staff/login" in response.location


@pytest.mark.parametrize("role", ["admin", "teacher", "viewer"])
def test_every_staff_role_may_export_including_a_viewer(db, org, survey, staff, role):
    add_response(db, survey, DANISH)
    client = staff(make_user(db, org, role=role))
    assert len(csv_rows(client, f"/staff/surveys/{survey.id}/export.csv")) == 2
    assert len(xlsx_rows(client, f"/staff/surveys/{survey.id}/export.xlsx")) == 2


def insert_responses(db, survey, how_many: int, first: int = 0) -> None:
    """`how_many` completed responses with 10 answers each, in two bulk inserts."""
    q = survey.questions
    choices = [[c.id for c in question.choices] for question in q]
    started = datetime(2026, 5, 1)
    # Core inserts on the tables: the ORM would split rows whose None columns differ into one statement each.
    responses, answers = Response.__table__, Answer.__table__
    db.session.execute(insert(responses), [
        {"survey_id": survey.id, "key": f"k{first + n}", "started_at": started + timedelta(seconds=first + n),
         "updated_at": started, "completed_at": started + timedelta(seconds=first + n + 90)}
        for n in range(how_many)])
    ids = db.session.scalars(select(responses.c.id).where(responses.c.survey_id == survey.id)
                             .order_by(responses.c.id).offset(first)).all()
    db.session.execute(insert(answers), [
        {"response_id": response_id, "question_id": q[index].id, "choice_id": None, "number": None, "text": None,
         **value}
        for n, response_id in enumerate(ids, start=first)
        for index, value in (
            (0, {"choice_id": choices[0][n % 4]}), (1, {"choice_id": choices[1][n % 4]}),
            (1, {"choice_id": choices[1][(n + 1) % 4]}), (2, {"choice_id": choices[2][n % 2]}),
            (3, {"text": f"Svar nr. {n}: æøå"}), (4, {"number": n % 5 + 1}), (5, {"number": n % 11}),
            (6, {"number": n % 300 + 0.5}), (7, {"text": f"Flere bænke og mere grønt ved havnen, tak – nummer {n}"}),
            (8, {"choice_id": choices[8][n % 2]}))])
    db.session.commit()


def streamed_export_peak(client, url) -> tuple[int, int]:
    """(rows, peak bytes of Python memory) while the CSV is read piece by piece, as a browser would.

    The request and the reading of its body run in one fresh context, as in a WSGI
    server's thread. (IsolatedClient would read the first piece in a context of its
    own and the rest in the test's, which stream_with_context cannot survive.)
    """
    def download():
        response = FlaskClient.open(client, url)
        try:
            return sum(piece.count(b"\r\n") for piece in response.iter_encoded()) - 1
        finally:
            response.close()

    gc.collect()
    tracemalloc.start()
    try:
        rows = contextvars.Context().run(download)
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_exporting_ten_thousand_responses_takes_no_more_memory_than_a_quarter_as_many(db, org, survey, staff):
    """Flat memory: the peak is one chunk of responses, however many there are.

    10,000 and not 100,000 responses because tracemalloc makes the export about six
    times slower; the report of the exports work has the figures for 100,000.
    """
    client = staff(make_user(db, org, role="viewer"))
    url = f"/staff/surveys/{survey.id}/export.csv"
    insert_responses(db, survey, 2_500)
    small_rows, small_peak = streamed_export_peak(client, url)
    insert_responses(db, survey, 7_500, first=2_500)
    large_rows, large_peak = streamed_export_peak(client, url)
    print(f"\nCSV export peak: {small_peak / MB:.1f} MB for {small_rows} responses, "
          f"{large_peak / MB:.1f} MB for {large_rows} responses")
    assert (small_rows, large_rows) == (2_500, 10_000)
    # Reading all 10,000 responses at once (CHUNK_SIZE = 10_000) peaks at about 50 MB.
    assert large_peak < 10 * MB
    assert large_peak < 1.3 * small_peak  # four times the rows, about the same memory
