"""The report as one HTML file, opened as a council member would open an e-mail attachment: from disk,
with no network. Every request outside the file is blocked (and recorded); every chart must still draw.
And the staff pages of reports pass axe."""
import re

from playwright.sync_api import expect

from engagement.competitions.models import IdeaPhoto
from tests.browser.test_class_lesson import sign_in
from tests.builders import make_competition, make_idea, make_org, make_user
from tests.engagement.reports.test_reports import make_report, survey_with_answers


def a_full_report(db):
    org = make_org(db, name="Vordingborg Bymidte")
    survey = survey_with_answers(db, org)
    competition = make_competition(db, org)
    idea = make_idea(db, competition, title="Skatehal i Algade 12")
    from tests.builders import map_picture

    jpeg = map_picture(size=(300, 200), fmt="JPEG")
    db.session.add(IdeaPhoto(idea_id=idea.id, content_type="image/webp", width=300, height=200, data=jpeg,
                             thumbnail=jpeg, print_jpeg=jpeg))
    db.session.commit()
    age, weekly = survey.questions[0], survey.questions[2]
    report = make_report(db, org, [("survey", survey, {"crosstabs": [[weekly.id, f"question:{age.id}"]]}),
                                   ("places", survey, {}), ("competition", competition, {}), ("classes", None, {})])
    return org, report


def test_the_html_file_draws_every_chart_with_the_network_blocked(client, db, staff, chromium, tmp_path):
    org, report = a_full_report(db)
    staff(make_user(db, org, role="viewer"))
    download = client.get(f"/staff/reports/{report.id}/report.html")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    html = download.get_data(as_text=True)
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.S)  # Plotly's code holds links it never follows
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", markup), "the file points outside itself"
    assert "<link" not in markup and "<script src" not in markup
    path = tmp_path / "rapport.html"
    path.write_text(html, encoding="utf-8")

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    outside = []

    def block(route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", block)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        charts = page.locator("[data-figure]")
        expected = len(re.findall(r'data-figure="', html))
        assert expected >= 6  # time, 7 questions, a cross-tab, the places funnel, the votes
        expect(page.locator("[data-figure] .main-svg").first).to_be_visible()
        expect(page.locator("[data-figure]:has(svg.main-svg)")).to_have_count(expected)
        assert charts.count() == expected
        expect(page.get_by_role("heading", name="Skatehal i Algade 12")).to_be_visible()
        photo = page.get_by_role("img", name="Foto sendt med idéen")
        expect(photo).to_be_visible()
        assert page.evaluate("img => img.naturalWidth", photo.element_handle()) == 300
        assert outside == []
    finally:
        context.close()


def test_the_report_pages_pass_axe(new_page, db, axe):
    org, report = a_full_report(db)
    user = make_user(db, org, role="editor")
    page = new_page(viewport={"width": 1280, "height": 900})
    sign_in(page, user)
    for url in ("/staff/reports/", f"/staff/reports/{report.id}", f"/staff/reports/{report.id}/edit",
                "/staff/reports/new"):
        page.goto(url)
        if url == f"/staff/reports/{report.id}":
            expect(page.locator("[data-figure]:has(svg.main-svg)").first).to_be_visible()
        axe(page, url)
