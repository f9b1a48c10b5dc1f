"""Staff read a survey's results: figures, filters in the address, text answers page by page."""
from tests.builders import EVERY_KIND, make_org, make_survey, make_user
from tests.surveys.test_results import add_response


def seeded(db, n=3):
    org = make_org(db)
    survey = make_survey(db, org, EVERY_KIND)
    for i in range(n):
        add_response(db, survey, {0: "13-17" if i % 2 else "18-25", 1: ["Torvet"], 2: "Ja", 4: 3, 5: 7, 6: 12,
                                  7: f"Svar nummer {i}", 8: "Træ"})
    return org, survey


def test_viewer_reads_the_results_with_a_table_for_every_chart(client, db, staff):
    org, survey = seeded(db)
    staff(make_user(db, org, role="viewer"))
    page = client.get(f"/staff/surveys/{survey.id}/results")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<dd>3</dd>" in html  # completed responses
    assert html.count('data-figure="') == html.count("<table") == 8  # timeline and 7 charted questions
    assert "Svar nummer 2" in html
    assert 'id="figures"' in html and "plotly-basic-4.1.1.min.js" in html


def test_filters_travel_in_the_address_so_a_view_can_be_bookmarked(client, db, staff):
    org, survey = seeded(db, n=4)
    staff(make_user(db, org))
    young = next(c.id for c in survey.questions[0].choices if c.label == "13-17")
    html = client.get(f"/staff/surveys/{survey.id}/results?a={young}&from=2020-01-01").get_data(as_text=True)
    assert "<dd>2</dd>" in html
    assert f"export.csv?from=2020-01-01&amp;a={young}" in html  # exports keep the filters
    assert 'value="2020-01-01"' in html


def test_a_mistyped_filter_is_named_and_left_out_instead_of_an_error(client, db, staff):
    org, survey = seeded(db)
    staff(make_user(db, org))
    page = client.get(f"/staff/surveys/{survey.id}/results?from=31-12-2026&a=999999")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "ikke en dato" in html and "udeladt" in html
    assert "<dd>3</dd>" in html


def test_text_answers_are_paged_and_searchable(client, db, staff):
    org, survey = seeded(db, n=25)
    staff(make_user(db, org))
    url = f"/staff/surveys/{survey.id}/results/questions/{survey.questions[7].id}"
    first = client.get(url).get_data(as_text=True)
    assert "Side 1 af 2" in first and "Svar nummer 24" in first and "Svar nummer 0<" not in first
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert "Svar nummer 0" in second
    found = client.get(url + "?search=nummer 1").get_data(as_text=True)
    assert "11 svar" in found  # 1 and 10–19


def test_results_need_a_login(client, db):
    _org, survey = seeded(db, n=1)
    response = client.get(f"/staff/surveys/{survey.id}/results")
    assert response.status_code == 302 and "/staff/login" in response.location


def test_project_lead_sees_that_the_skate_park_poster_is_scanned_often_but_rarely_finished(client, db, staff):
    from sqlalchemy import update

    from engagement.touchpoints.models import Scan, Touchpoint, TouchpointKind
    from surveys.models import Response

    org, survey = seeded(db, n=0)
    park = Touchpoint(organisation_id=org.id, code="PARK2345", name="Skateparken ved Havnen",
                      kind=TouchpointKind.skate_park, survey_id=survey.id)
    db.session.add(park)
    db.session.flush()
    db.session.add_all(Scan(touchpoint_id=park.id, survey_id=survey.id) for _ in range(10))
    db.session.commit()
    finished = add_response(db, survey, {0: "13-17"})
    stopped = add_response(db, survey, {0: "13-17"}, completed=False)
    add_response(db, survey, {0: "18-25"})  # came by the direct link
    db.session.execute(update(Response).where(Response.id.in_([finished, stopped])).values(touchpoint_id=park.id))
    db.session.commit()
    staff(make_user(db, org))
    html = client.get(f"/staff/surveys/{survey.id}/results").get_data(as_text=True)
    table = html[html.index('id="funnel-title"'):]
    row = table[table.index("Skateparken ved Havnen"):].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split("<td>")[1:]]
    assert cells == ["10", "2", "1", "20 %", "50 %"]
    only_park = client.get(f"/staff/surveys/{survey.id}/results?t={park.id}").get_data(as_text=True)
    assert "<dd>1</dd>" in only_park  # one completed response came from the skate park


def test_odd_digits_in_the_address_are_left_out_not_an_error(client, db, staff):
    org, survey = seeded(db, n=1)
    staff(make_user(db, org))
    for query in ("a=²", "t=²", "page=²"):
        assert client.get(f"/staff/surveys/{survey.id}/results?{query}").status_code == 200, query
    text_url = f"/staff/surveys/{survey.id}/results/questions/{survey.questions[7].id}?page=²"
    assert client.get(text_url).status_code == 200


def test_text_answers_of_one_touchpoint_keep_that_filter_when_searched(client, db, staff):
    """The touchpoint filter is a number in the address; the search form carries it on (it once failed)."""
    from sqlalchemy import select, update

    from surveys.models import Response
    from tests.engagement.touchpoints.builders import make_touchpoint

    org, survey = seeded(db, n=4)
    park = make_touchpoint(db, org, survey, name="Skateparken")
    first = db.session.scalar(select(Response.id).where(Response.survey_id == survey.id).order_by(Response.id))
    db.session.execute(update(Response).where(Response.id == first).values(touchpoint_id=park.id))
    db.session.commit()
    staff(make_user(db, org))
    page = client.get(f"/staff/surveys/{survey.id}/results/questions/{survey.questions[7].id}?t={park.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<input type="hidden" name="t" value="{park.id}">' in html
    assert "Svar nummer 0" in html and "Svar nummer 1<" not in html
