"""The survey workbook is written by our own streaming writer (engagement.common.spreadsheets.write_xlsx),
and must say cell for cell what openpyxl's write-only mode said before it."""
import io
from datetime import datetime, timedelta

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from engagement.common.spreadsheets import formula_safe, headers_of
from engagement.dashboard import staff_exports as exports
from surveys.results import Filters
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.engagement.test_exports import DANISH, JANUARY, MAY, PAYLOADS, add_response, insert_responses

ODD_TEXTS = PAYLOADS + ["  mellemrum foran og bagved  ", "klokke\x07 og\x1b escape", "linje\r\nskift", "<b>&amp;</b>",
                        "#N/A", "Ærø og Søby – “citat”"]


def openpyxl_workbook(headers: list[str], rows: list[list]) -> bytes:
    """The workbook as the export wrote it with openpyxl's write-only mode until the streaming writer."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Besvarelser")
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(header), 12), 40)

    def cell(value, font=None):
        if isinstance(value, str):
            made = WriteOnlyCell(sheet, formula_safe(ILLEGAL_CHARACTERS_RE.sub("", value)))
            made.data_type = "s"
        elif isinstance(value, datetime):
            made = WriteOnlyCell(sheet, value)
            made.number_format = "yyyy-mm-dd hh:mm:ss"
        else:
            return value
        if font:
            made.font = font
        return made

    sheet.append([cell(header, Font(bold=True)) for header in headers])
    for row in rows:
        sheet.append([cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_few_hundred_responses_give_the_same_workbook_as_openpyxl_wrote(db, staff):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND, slug="bymidten-2026")
    insert_responses(db, survey, 300)
    for n, text in enumerate(ODD_TEXTS):
        add_response(db, survey, {**DANISH, 3: text, 7: text}, started=(MAY if n % 2 else JANUARY) + timedelta(days=n))
    add_response(db, survey, {0: "Under 13", 6: -0.5}, started=MAY + timedelta(hours=5), completed=False)
    client = staff(make_user(db, org, role="viewer"))

    response = client.get(f"/staff/surveys/{survey.id}/export.xlsx?incomplete=1&lang=da")
    assert response.status_code == 200
    got = load_workbook(io.BytesIO(response.get_data()))
    columns = exports.export_columns(db.session, survey)
    query = exports.export_query(survey, Filters(include_incomplete=True))
    rows = [row for chunk in exports.response_rows(db.session, query, columns) for row in chunk]
    want = load_workbook(io.BytesIO(openpyxl_workbook(headers_of(columns), rows)))

    sheet, before = got.active, want.active
    assert sheet.title == before.title == "Besvarelser"
    assert sheet.freeze_panes == before.freeze_panes == "A2"
    assert sheet.max_row == before.max_row == 1 + 300 + len(ODD_TEXTS) + 1
    assert sheet.max_column == before.max_column == len(headers_of(columns))
    for letter in (get_column_letter(n) for n in range(1, len(headers_of(columns)) + 1)):
        assert sheet.column_dimensions[letter].width == before.column_dimensions[letter].width
    for new_row, old_row in zip(sheet.iter_rows(), before.iter_rows(), strict=True):
        for new, old in zip(new_row, old_row, strict=True):
            assert (new.value, new.data_type, new.number_format, new.font.b) == \
                (old.value, old.data_type, old.number_format, old.font.b), new.coordinate
    # What "the same as before" means for staff: the header in bold, times in Danish time,
    # labels of the options picked, numbers as numbers, and text never a formula.
    assert all(cell.font.b for cell in sheet[1]) and sheet["E1"].value == "1. Hvor gammel er du?"
    first_odd = next(row for row in sheet.iter_rows(min_row=2) if row[10].value == "'" + PAYLOADS[0])
    assert first_odd[1].value == datetime(2026, 1, 15, 13, 0) and first_odd[1].number_format == "yyyy-mm-dd hh:mm:ss"
    assert first_odd[4].value == "Over 25" and first_odd[13].value == 2.5
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    assert {cell.value for cell in cells if isinstance(cell.value, str) and cell.value.startswith("'")} >= \
        {"'" + payload for payload in PAYLOADS}
    assert "klokke og escape" in {cell.value for cell in cells}
