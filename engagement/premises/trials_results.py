"""A trial's feedback before, during and after it: the periods comparison of the survey engine
(surveys.periods) over three periods of the feedback survey.

BEFORE is as many days as the trial lasts, ending the day before it starts, so the two compare like
with like; DURING is the trial's own days; AFTER runs from the day after it ends up to today, and
exists only once the trial is over. These are staff figures: no minimum group size applies.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _

from engagement.common import charts
from engagement.premises.models import Trial
from surveys.periods import Period, compare_periods
from surveys.results import Filters


@dataclass
class TrialPeriod:
    key: str  # "before", "during", "after"
    name: str  # "Before: 01.05.2026–31.05.2026"
    period: Period


@dataclass
class TrialResults:
    periods: list[TrialPeriod]
    comparison: dict
    figures: dict = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)  # periods that have not begun, said as sentences

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.periods]


def trial_periods(trial: Trial, today: date) -> tuple[list[TrialPeriod], list[str]]:
    """The periods that can be compared today, and a sentence for each one that cannot yet."""
    length = (trial.ends_on - trial.starts_on).days + 1
    before = Period(trial.starts_on - timedelta(days=length), trial.starts_on - timedelta(days=1))
    periods = [TrialPeriod("before", _("Before: %(span)s", span=span(before)), before),
               TrialPeriod("during", _("During: %(span)s", span=span(Period(trial.starts_on, trial.ends_on))),
                           Period(trial.starts_on, trial.ends_on))]
    waiting = []
    if today < trial.starts_on:
        waiting.append(_("The trial starts on %(day)s: until then, “During” has no answers.",
                         day=day(trial.starts_on)))
    if today > trial.ends_on:
        after = Period(trial.ends_on + timedelta(days=1), today)
        periods.append(TrialPeriod("after", _("After: %(span)s", span=span(after)), after))
    else:
        waiting.append(_("“After” begins the day after the trial ends, on %(day)s.",
                         day=day(trial.ends_on + timedelta(days=1))))
    return periods, waiting


def trial_results(session, trial: Trial, today: date) -> TrialResults | None:
    """The feedback survey's closed questions compared over the periods, with a chart per question that
    has answers in some period; None for a trial without a feedback survey."""
    if trial.survey is None:
        return None
    periods, waiting = trial_periods(trial, today)
    comparison = compare_periods(session, trial.survey, Filters(), [p.period for p in periods])
    results = TrialResults(periods, comparison, waiting=waiting)
    for question in comparison["questions"]:
        if question["rows"] and any(question["n"]):
            results.figures[f"p{question['question_id']}"] = charts.periods_figure(question, results.names)
    return results


def periods_link_args(results: TrialResults) -> dict:
    """The address arguments of the two-period page (dashboard.periods_page) for before and during."""
    before, during = results.periods[0].period, results.periods[1].period
    return {"a_since": before.since.isoformat(), "a_until": before.until.isoformat(),
            "b_since": during.since.isoformat(), "b_until": during.until.isoformat()}


def day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def span(period: Period) -> str:
    return f"{day(period.since)}–{day(period.until)}"
