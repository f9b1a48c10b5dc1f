"""Staff pages and exports hold personal data and unpublished work: no browser or proxy may keep a copy
(`Cache-Control: no-store`), on every page under /staff/, its error pages and its downloads. Public
survey pages and our static files keep their own caching."""
import re

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.builders import EVERY_KIND, make_competition, make_idea, make_org, make_survey, make_user
from tests.engagement.classes.builders import make_class_session
from tests.engagement.touchpoints.builders import make_touchpoint


@pytest.fixture(autouse=True)
def status_codes_not_exceptions(app, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def staff_urls(app, ids: dict) -> list[str]:
    """One address for every GET route under /staff/, from the URL map: ids of real rows where known,
    1 for the other numbers (a 404 page, which must not be kept either)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or "GET" not in rule.methods:
            continue
        values = {name: sorted(conv.items)[0] if isinstance(conv, AnyConverter)
                  else ids.get(name, 1) if isinstance(conv, IntegerConverter) else "a4"
                  for name, conv in rule._converters.items()}
        urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def no_store(response) -> bool:
    return "no-store" in response.headers.get("Cache-Control", "")


def test_every_staff_page_and_download_tells_browsers_and_proxies_not_to_keep_it(app, client, db, staff):
    org = make_org(db)
    admin = make_user(db, org, role="admin")
    survey = make_survey(db, org, EVERY_KIND)
    competition = make_competition(db, org, categories=["Kultur"])
    ids = {"survey_id": survey.id, "question_id": survey.questions[0].id, "competition_id": competition.id,
           "idea_id": make_idea(db, competition).id, "category_id": competition.categories[0].id,
           "touchpoint_id": make_touchpoint(db, org, survey).id, "user_id": admin.id,
           "class_session_id": make_class_session(db, admin, survey=survey).id, "size": 256}
    staff(admin)
    urls = staff_urls(app, ids)
    assert len(urls) >= 40
    kept = []
    for url in urls:
        response = client.get(url)
        personal = response.mimetype in ("text/html", "text/csv", "application/json") or \
            "attachment" in response.headers.get("Content-Disposition", "") or response.status_code >= 300
        if personal and not no_store(response):
            kept.append((url, response.status_code, response.headers.get("Cache-Control")))
        elif not personal:  # pictures, posters and QR codes may stay, but only in this browser
            assert "private" in response.headers.get("Cache-Control", ""), url
    assert kept == []
    assert sum(client.get(url).status_code == 200 for url in urls) >= 30  # real pages, not only errors


@pytest.mark.parametrize("path", ["/staff/login", "/staff/findes-ikke", "/staff/surveys/999999/results"])
def test_staff_error_and_login_pages_are_not_kept_either(client, db, path):
    assert no_store(client.get(path))


def test_public_survey_pages_and_static_files_keep_their_caching(client, db):
    survey = make_survey(db, make_org(db), EVERY_KIND[:1])
    assert not no_store(client.get(f"/s/{survey.slug}"))
    assert not no_store(client.get("/static/css/public.css"))
    assert client.get("/static/vendor/plotly-basic-4.1.1.min.js").cache_control.max_age == 365 * 24 * 3600
    assert re.search(r"max-age=\d+", client.get("/static/vendor/plotly-basic-4.1.1.min.js").headers["Cache-Control"])
