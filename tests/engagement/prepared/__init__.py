"""What the tests of background downloads share: a survey with answers, and waiting for a download."""
import time
from datetime import timedelta

from extensions import utcnow
from tests.builders import EVERY_KIND, make_survey
from tests.surveys.test_results import add_response

FINISHED = ("ready", "failed")


def every_kind_survey_with_answers(db, org, finished: int, unfinished: int = 0, **overrides):
    """The EVERY_KIND survey with `finished` responses (each a little different) and `unfinished` ones."""
    survey = make_survey(db, org, EVERY_KIND, **{"title": "Unge i bymidten", **overrides})
    for n in range(finished + unfinished):
        add_response(db, survey, {0: ["Under 13", "13-17", "18-25"][n % 3], 1: ["Havnen", "Torvet"], 2: "Ja",
                                  4: n % 5 + 1, 5: n % 11, 6: 10 + n, 7: f"Flere bænke nummer {n} – tak!",
                                  8: "Træ"},
                     started=utcnow() - timedelta(hours=2, minutes=n), completed=n < finished)
    return survey


def wait_until_finished(client, download_id: int, timeout: float = 60) -> dict:
    """Poll the download's progress as its page does, until it is ready or failed; its last state.

    :raise AssertionError: if it has not finished within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        state = client.get(f"/staff/downloads/{download_id}/progress").json
        if state["status"] in FINISHED:
            return state
        assert time.monotonic() < deadline, f"download {download_id} not finished after {timeout} s: {state}"
        time.sleep(0.05)
