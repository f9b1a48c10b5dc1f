"""Staff compare the rounds of a series: the page and its CSV show the counts made here, question by
question, matched by lineage; what a round did not ask says so."""
import csv
import io
from collections import Counter
from statistics import median

import pytest
from lxml import html as lxml_html

from surveys import editing, rounds
from surveys.editing import ChoiceEdit, QuestionEdit
from surveys.models import SurveyStatus
from tests.builders import make_org, make_survey, make_user
from tests.surveys.test_results import add_response

QUESTIONS = [
    {"kind": "single_choice", "prompt": "Hvor ofte kommer du i bymidten?",
     "choices": ["Dagligt", "Ugentligt", "Sjældent"]},
    {"kind": "scale", "prompt": "Hvor tryg føler du dig?"},
    {"kind": "multiple_choice", "prompt": "Hvad laver du der?", "choices": ["Handler", "Mødes", "Spiser"]},
    {"kind": "short_text", "prompt": "Hvad mangler der?", "required": False},
]
FIRST = [("Dagligt", 2, ["Handler"]), ("Dagligt", 4, ["Handler", "Mødes"]), ("Ugentligt", 5, ["Spiser"]),
         ("Sjældent", 1, ["Mødes"]), ("Ugentligt", 4, ["Mødes", "Spiser"])]
SECOND = [("Dagligt", 5, ["Handler"], "Ja"), ("Ugentligt", 4, ["Handler", "Spiser"], "Nej"),
          ("Ugentligt", 3, ["Mødes"], "Ja")]


@pytest.fixture
def series(db):
    """Round 1 with five answers; round 2 drops "Sjældent", adds a yes/no question and has three answers;
    round 3 has no answers yet."""
    org = make_org(db)
    first = make_survey(db, org, QUESTIONS, slug="bymidten", status="closed")
    for often, safe, doing in FIRST:
        add_response(db, first, {0: often, 1: safe, 2: doing, 3: "En skatehal"})
    add_response(db, first, {0: "Sjældent", 1: 1}, completed=False)  # unfinished: never counted
    second = rounds.start_round(db.session, first, rounds.NewRound())
    single = second.questions[0]
    editing.save_question(db.session, second, single, QuestionEdit(
        kind="single_choice", prompt=single.prompt,
        choices=[ChoiceEdit(c.id, c.label, remove=c.label == "Sjældent") for c in single.choices]))
    editing.save_question(db.session, second, None, QuestionEdit(kind="yes_no", prompt="Vil du komme igen?"))
    second.status = SurveyStatus.open
    db.session.commit()
    for often, safe, doing, again in SECOND:
        add_response(db, second, {0: often, 1: safe, 2: doing, 4: again})
    third = rounds.start_round(db.session, second, rounds.NewRound())
    db.session.commit()
    return org, first, second, third


def table(page: str, lineage: str):
    """{row key: {round: cell text}} of the comparison table of one question."""
    tree = lxml_html.fromstring(page)
    found = tree.xpath(f'//table[@data-lineage="{lineage}"]')[0]
    rows = {}
    for row in found.xpath(".//tbody/tr"):
        key = row.get("data-option") or row.get("data-measure")
        rows[key] = {int(td.get("data-round")): " ".join(td.text_content().split()) for td in row.xpath("./td")}
    return rows


def share(count: int, total: int) -> str:
    text = f"{round(100 * count / total, 1):.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def test_staff_see_each_question_across_rounds_with_the_counts_made_here(client, db, staff, series):
    org, first, second, third = series
    staff(make_user(db, org, "viewer"))
    page = client.get(f"/staff/surveys/{second.id}/rounds")
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    single = table(html, first.questions[0].lineage)
    for number, answers in ((1, [a[0] for a in FIRST]), (2, [a[0] for a in SECOND])):
        counted = Counter(answers)
        for choice in second.questions[0].choices:
            n = counted[choice.label]
            assert single[choice.lineage][number] == f"{n} ({share(n, len(answers))} %)"
        assert single["n"][number] == str(len(answers))
    removed = next(c for c in first.questions[0].choices if c.label == "Sjældent")
    assert single[removed.lineage][1] == f"1 ({share(1, 5)} %)"
    assert single[removed.lineage][2] == "not asked in Round 2" or single[removed.lineage][2].startswith("ikke stillet")
    assert single["n"][3] == "0 (no answers yet)" or single["n"][3].startswith("0 (")

    scale = table(html, first.questions[1].lineage)
    for number, answers in ((1, [a[1] for a in FIRST]), (2, [a[1] for a in SECOND])):
        assert scale["median"][number] == f"{median(answers):g}".replace(".", ",")
        assert scale["top"][number] == f"{share(sum(v >= 4 for v in answers), len(answers))} %"
    assert scale["median"][3] == "–"

    several = table(html, first.questions[2].lineage)
    picks = Counter(p for a in SECOND for p in a[2])
    for choice in second.questions[2].choices:
        assert several[choice.lineage][2] == f"{picks[choice.label]} ({share(picks[choice.label], 3)} %)"
    assert several["n"][2] == "3"  # people, not picks

    added = table(html, second.questions[4].lineage)
    yes = next(c for c in second.questions[4].choices if c.label == "Ja")
    assert added[yes.lineage][1].lower().startswith(("not asked", "ikke stillet"))
    assert added[yes.lineage][2] == f"2 ({share(2, 3)} %)"
    assert "Hvad mangler der?" in html  # the text question is listed as not compared


def number(cell: str) -> float | None:
    return float(cell.replace(",", ".")) if cell else None


def test_the_csv_holds_the_same_figures(client, db, staff, series):
    org, first, second, third = series
    staff(make_user(db, org, "viewer"))
    got = client.get(f"/staff/surveys/{first.id}/rounds.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    body = rows[1:]
    single = [r for r in body if r[0] == QUESTIONS[0]["prompt"]]
    counted = Counter(a[0] for a in FIRST)
    round_one = {r[1]: r for r in single if r[2] in ("Round 1", "Runde 1")}
    for label, n in counted.items():
        assert round_one[label][3:5] == ["5", str(n)] and number(round_one[label][5]) == round(100 * n / 5, 1)
    round_two = {r[1]: r for r in single if r[2] in ("Round 2", "Runde 2")}
    assert round_two["Sjældent"][4].lower().startswith(("not asked", "ikke stillet"))
    assert round_two["Ugentligt"][3:5] == ["3", "2"] and number(round_two["Ugentligt"][5]) == round(200 / 3, 1)
    medians = {r[2]: r[6] for r in body if r[0] == QUESTIONS[1]["prompt"] and r[1] in ("Median",)}
    assert [number(medians[k]) for k in sorted(medians)] == [4, 4, None]
    added = [r for r in body if r[0] == "Vil du komme igen?" and r[2] in ("Round 1", "Runde 1")]
    assert len(added) == 1 and added[0][4].lower().startswith(("not asked", "ikke stillet"))


def test_a_series_of_one_round_says_there_is_nothing_to_compare_yet(client, db, staff):
    org = make_org(db)
    alone = make_survey(db, org, QUESTIONS)
    staff(make_user(db, org, "viewer"))
    page = client.get(f"/staff/surveys/{alone.id}/rounds")
    assert page.status_code == 200
    assert "intet at sammenligne endnu" in page.get_data(as_text=True)
    assert client.get(f"/staff/surveys/{alone.id}/rounds.csv").status_code == 200


def test_results_page_links_to_the_comparison_only_for_a_series(client, db, staff, series):
    org, first, second, third = series
    alone = make_survey(db, org, QUESTIONS)
    staff(make_user(db, org, "viewer"))
    results = client.get(f"/staff/surveys/{first.id}/results").get_data(as_text=True)
    assert f"/staff/surveys/{first.id}/rounds" in results
    assert "/rounds" not in client.get(f"/staff/surveys/{alone.id}/results").get_data(as_text=True)


def test_another_organisations_staff_get_404(client, db, staff, series):
    org, first, second, third = series
    staff(make_user(db, make_org(db), "admin"))
    assert client.get(f"/staff/surveys/{first.id}/rounds").status_code == 404
    assert client.get(f"/staff/surveys/{first.id}/rounds.csv").status_code == 404


def test_the_excel_file_holds_the_same_figures_as_numbers(client, db, staff, series):
    from openpyxl import load_workbook

    org, first, _second, _third = series
    staff(make_user(db, org, "viewer"))
    got = client.get(f"/staff/surveys/{first.id}/rounds.xlsx")
    assert got.status_code == 200 and got.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(got.data), read_only=True).active.iter_rows(values_only=True))
    counted = Counter(a[0] for a in FIRST)
    round_one = {r[1]: r for r in rows[1:] if r[0] == QUESTIONS[0]["prompt"] and r[2] in ("Round 1", "Runde 1")}
    for label, n in counted.items():
        assert round_one[label][3:6] == (5, n, round(100 * n / 5, 1))


def test_a_cross_tab_by_round_counts_each_round_as_made_here(client, db, staff, series):
    org, first, second, third = series
    staff(make_user(db, org, "viewer"))
    question = third.questions[0]  # the latest round's wording; found in each round by its lineage
    got = client.get(f"/staff/surveys/{third.id}/results/crosstab.csv?q={question.id}&by=round")
    assert got.status_code == 200
    rows = list(csv.reader(io.StringIO(got.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], {row[0]: row for row in rows[1:]}
    assert header[2:5] == ["Dagligt", "Ugentligt", "Sjældent"]
    counted = Counter(a[0] for a in FIRST)
    assert body["Runde 1"][1:5] == ["5", str(counted["Dagligt"]), str(counted["Ugentligt"]), str(counted["Sjældent"])]
    assert body["Runde 2"][1:5] == ["3", "1", "2", "0"]  # "Sjældent" was not offered in round 2
    assert body["Runde 3"][1] == "0"
    page = client.get(f"/staff/surveys/{third.id}/results/crosstab?q={question.id}&by=round").get_data(as_text=True)
    assert 'data-figure="crosstab"' in page or "id=\"figures\"" in page
    text = third.questions[3]
    refused = client.get(f"/staff/surveys/{third.id}/results/crosstab?q={text.id}&by=round")
    assert refused.status_code == 200 and "faste svarmuligheder" in refused.get_data(as_text=True)


def test_a_cross_tab_by_round_of_a_survey_of_one_round_says_so(client, db, staff):
    org = make_org(db)
    alone = make_survey(db, org, QUESTIONS)
    staff(make_user(db, org, "viewer"))
    page = client.get(f"/staff/surveys/{alone.id}/results/crosstab?q={alone.questions[0].id}&by=round")
    assert page.status_code == 200 and "kun én runde" in page.get_data(as_text=True)
