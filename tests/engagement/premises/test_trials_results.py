"""The trial's page compares its feedback survey before, during and after the trial: the numbers read back
from the page equal what the test counts from the responses it stored at chosen times."""
import json
from collections import Counter
from datetime import datetime, time, timedelta

import pytest

from extensions import utcnow
from surveys.timezone import from_local, to_local
from tests.builders import make_org, make_survey, make_user
from tests.engagement.premises.test_trials import FEEDBACK, make_premises, make_trial, page_of, texts
from tests.surveys.test_results import add_response


def local(day, hour=12, minute=0) -> datetime:
    """A Danish wall-clock time on `day` as the naive UTC the database stores."""
    return from_local(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def today():
    return to_local(utcnow()).date()


def period_count(tree, key: str) -> str:
    return " ".join(texts(tree, f'//dl[@class="figures"]/div[@data-period="{key}"]/dd'))


def table_counts(tree, question_id: int, key: str) -> dict[str, int]:
    """{option: count} in the period's column of the question's table."""
    rows = tree.xpath(f'//section[@id="trial-question-{question_id}"]//table/tbody/tr')
    return {" ".join(row.xpath("th")[0].text_content().split()): int(row.xpath(f'td[@data-period="{key}"]')[0].text)
            for row in rows}


def test_before_during_and_after_on_the_trial_page_equal_the_responses_counted_by_hand(client, db, staff, today):
    org = make_org(db)
    survey = make_survey(db, org, FEEDBACK)
    starts, ends = today - timedelta(days=19), today - timedelta(days=10)  # ten days
    trial = make_trial(db, org, make_premises(db, org), survey, starts_on=starts, ends_on=ends)
    people = {  # period -> (started at, answer to the first question, scale)
        "before": [(local(starts - timedelta(days=10), 9), "Godt", 2),  # the first day of "before"
                   (local(starts - timedelta(days=3)), "Dårligt", 1),
                   (local(starts - timedelta(days=1), 23, 30), "Dårligt", 2)],  # late the evening before
        "during": [(local(starts, 0, 10), "Godt", 5),  # ten past midnight on the first day
                   (local(starts + timedelta(days=4)), "Godt", 4),
                   (local(ends, 23, 50), "Okay", 4)],
        "after": [(local(ends + timedelta(days=1), 0, 5), "Okay", 3),
                  (local(today - timedelta(days=1)), "Godt", 5)],
    }
    for rows in people.values():
        for started, choice, scale in rows:
            add_response(db, survey, {0: choice, 1: scale}, started=started)
    add_response(db, survey, {0: "Godt", 1: 5}, started=local(starts - timedelta(days=11)))  # before "before"
    add_response(db, survey, {0: "Dårligt"}, started=local(starts + timedelta(days=1)), completed=False)
    question = survey.questions[0]
    staff(make_user(db, org, role="viewer"))

    tree = page_of(client.get(f"/staff/trials/{trial.id}"))
    for key, rows in people.items():
        assert period_count(tree, key) == f"{len(rows)} svar", key
        expected = Counter(choice for _started, choice, _scale in rows)
        assert table_counts(tree, question.id, key) == {label: expected[label] for label in ("Godt", "Okay", "Dårligt")}
    names = texts(tree, '//dl[@class="figures"]/div/dt')
    day = "%d.%m.%Y"
    assert names == [f"Før: {(starts - timedelta(days=10)).strftime(day)}–{(starts - timedelta(days=1)).strftime(day)}",
                     f"Under: {starts.strftime(day)}–{ends.strftime(day)}",
                     f"Efter: {(ends + timedelta(days=1)).strftime(day)}–{today.strftime(day)}"]
    medians = " ".join(texts(tree, f'//section[@id="trial-question-{survey.questions[1].id}"]/p'))
    assert "Median i Før" in medians and "Median i Under" in medians and "Median i Efter" in medians
    # One chart per question, with a bar series per period in its own colour.
    figures = json.loads(tree.xpath('//script[@id="figures"]')[0].text)
    traces = figures[f"p{question.id}"]["data"]
    assert [t["name"] for t in traces] == names
    assert len({t["marker"]["color"] for t in traces}) == 3
    # The two-period page, with before and during filled in.
    link = tree.xpath('//a[contains(@href, "/periods?")]/@href')[0]
    assert f"/staff/surveys/{survey.id}/periods?" in link
    assert f"a_since={(starts - timedelta(days=10)).isoformat()}" in link and f"b_until={ends.isoformat()}" in link


def test_a_running_trial_has_no_after_yet_and_says_so_and_an_empty_period_says_it_is_empty(client, db, staff, today):
    org = make_org(db)
    survey = make_survey(db, org, FEEDBACK)
    trial = make_trial(db, org, make_premises(db, org), survey, starts_on=today - timedelta(days=2),
                       ends_on=today + timedelta(days=5))
    add_response(db, survey, {0: "Godt", 1: 4}, started=local(today - timedelta(days=1)))
    staff(make_user(db, org, role="viewer"))
    tree = page_of(client.get(f"/staff/trials/{trial.id}"))
    assert period_count(tree, "before") == "0 svar" and period_count(tree, "during") == "1 svar"
    assert not tree.xpath('//div[@data-period="after"]')
    notices = " ".join(texts(tree, '//p[@class="notice"]'))
    after_day = (today + timedelta(days=6)).strftime("%d.%m.%Y")
    assert f"»Efter« begynder dagen efter, at afprøvningen slutter, altså {after_day}." in notices
    assert tree.xpath('//p[@data-empty="before"]') and "har ingen svar" in notices


def test_a_trial_that_has_not_started_says_when_during_begins(client, db, staff, today):
    org = make_org(db)
    survey = make_survey(db, org, FEEDBACK)
    starts = today + timedelta(days=7)
    trial = make_trial(db, org, make_premises(db, org), survey, starts_on=starts, ends_on=starts + timedelta(days=6))
    staff(make_user(db, org))
    notices = " ".join(texts(page_of(client.get(f"/staff/trials/{trial.id}")), '//p[@class="notice"]'))
    assert f"Afprøvningen begynder {starts.strftime('%d.%m.%Y')}: indtil da har »Under« ingen svar." in notices


def test_a_trial_without_a_feedback_survey_says_there_is_nothing_to_compare(client, db, staff):
    org = make_org(db)
    trial = make_trial(db, org, make_premises(db, org))
    staff(make_user(db, org))
    page = client.get(f"/staff/trials/{trial.id}").get_data(as_text=True)
    assert "Uden en undersøgelse til feedback er der intet at sammenligne endnu." in page
    assert 'id="figures"' not in page


def test_small_groups_are_shown_on_the_staff_page(client, db, staff, today, app, monkeypatch):
    """MIN_GROUP_SIZE is for what leaves the staff pages: one answer is still one answer here."""
    monkeypatch.setitem(app.config, "MIN_GROUP_SIZE", 5)
    org = make_org(db)
    survey = make_survey(db, org, FEEDBACK)
    trial = make_trial(db, org, make_premises(db, org), survey, starts_on=today - timedelta(days=3),
                       ends_on=today + timedelta(days=3))
    add_response(db, survey, {0: "Okay", 1: 3}, started=local(today - timedelta(days=2)))
    staff(make_user(db, org))
    tree = page_of(client.get(f"/staff/trials/{trial.id}"))
    assert table_counts(tree, survey.questions[0].id, "during") == {"Godt": 0, "Okay": 1, "Dårligt": 0}
