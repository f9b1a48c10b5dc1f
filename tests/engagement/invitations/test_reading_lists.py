"""Staff's own lists, as Excel and Danish Windows write them, read into people or into one clear message
per wrong row."""
import pytest

from engagement.invitations.lists import ListProblem, read_list
from tests.engagement.invitations.conftest import OWNERS, csv_bytes, xlsx_bytes


@pytest.fixture(autouse=True)
def danish(app):
    with app.test_request_context(headers={"Accept-Language": "da"}):
        yield


def people(read):
    return [(p.row, p.name, p.email, p.postal_address) for p in read.people]


EXPECTED = [(2, "Åse Ørnsø", "aase@example.dk", "Algade 12\n4760 Vordingborg"),
            (3, "Bent Hansen", "", "Slotsgade 3\n4760 Vordingborg"),
            (4, "Carla Jensen", "carla@example.dk", "")]


@pytest.mark.parametrize("data", [
    csv_bytes(OWNERS), csv_bytes(OWNERS, sep=","), csv_bytes(OWNERS, bom=True), csv_bytes(OWNERS, sep="\t"),
    csv_bytes(OWNERS, encoding="cp1252"), xlsx_bytes(OWNERS)],
    ids=["semicolon", "comma", "utf8-bom", "tab", "windows-1252", "xlsx"])
def test_a_list_in_any_of_the_usual_shapes_reads_the_same(data):
    read = read_list(data)
    assert read.problems == [] and people(read) == EXPECTED


def test_english_headers_and_an_address_in_three_columns_with_a_numeric_postcode():
    rows = [[None], ["Name", "Email", "Address", "Zip", "City", "Notes"],
            ["Dorte Dam", "dorte@example.dk", "Havnegade 1", 4760, "Vordingborg", "ejer siden 1999"]]
    read = read_list(xlsx_bytes(rows))
    assert people(read) == [(3, "Dorte Dam", "dorte@example.dk", "Havnegade 1\n4760 Vordingborg")]


def test_each_wrong_row_gets_its_own_message_with_its_row_number_and_what_is_wrong():
    rows = [["Navn", "E-mail", "Adresse"],
            ["", "x@example.dk", ""],
            ["Eva", "", ""],
            ["Finn", "finn@example", ""],
            ["Gurli", "gurli@example.dk", ""],
            ["", "", ""],
            ["Gurli igen", "GURLI@example.dk", ""],
            ["", "ikke-en-mail", ""]]
    read = read_list(csv_bytes(rows))
    assert [p.message for p in read.problems] == [
        "Række 2: intet navn.",
        "Række 3: hverken e-mail eller postadresse.",
        "Række 4: »finn@example« er ikke en e-mailadresse.",
        "Række 7: e-mailen GURLI@example.dk står også i række 5.",
        "Række 8: intet navn; »ikke-en-mail« er ikke en e-mailadresse.",
    ]
    assert people(read) == [(5, "Gurli", "gurli@example.dk", "")]


@pytest.mark.parametrize("data, message", [
    (b"", "Filen er tom."),
    (csv_bytes([["Fornavn", "Telefon"], ["Åse", "12345678"]]), "Første række skal navngive kolonnerne"),
    (csv_bytes([["navn", "adresse"]]), "Filen har kolonnenavne, men ingen personer under dem."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "gammel Excel-fil (.xls)"),
    (b"PK\x03\x04 not really a workbook", "Excel-filen kan ikke læses"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Det ligner ikke en CSV-fil"),
])
def test_a_file_that_is_not_a_list_says_what_to_do(data, message):
    with pytest.raises(ListProblem) as refused:
        read_list(data)
    assert message in str(refused.value)
