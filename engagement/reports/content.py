"""A report, a survey's results or a competition's results as a `Document`, read from the database once:
what every renderer (the page, the self-contained HTML file, the PDF, a share link) draws.

Labels are in the organisation's language of the staff pages (Danish unless the
request says otherwise); survey questions and ideas keep their own words.
"""
from datetime import date

from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from engagement.competitions.models import Competition
from engagement.models import Organisation
from engagement.reports.document import Document, Notice, Section
from engagement.reports.idea_parts import class_blocks, competition_blocks
from engagement.reports.models import Report
from engagement.reports.survey_parts import places_blocks, survey_blocks
from extensions import utcnow
from surveys import rounds
from surveys.models import Survey
from surveys.results import Filters
from surveys.timezone import to_local


def period_text(since: date | None, until: date | None, today: date) -> str:
    if since and until:
        return f"{format_date(since, 'long')} – {format_date(until, 'long')}"
    if since:
        return _("From %(since)s to %(today)s", since=format_date(since, "long"), today=format_date(today, "long"))
    if until:
        return _("Up to %(until)s", until=format_date(until, "long"))
    return _("Everything up to %(today)s", today=format_date(today, "long"))


def new_document(session, organisation_id: int, title: str, introduction: str, since, until,
                 min_group: int) -> Document:
    made = to_local(utcnow()).replace(tzinfo=None)
    organisation = session.get(Organisation, organisation_id)
    return Document(organisation.name, title, introduction, period_text(since, until, made.date()), made,
                    str(get_locale() or "da"), [], min_group)


def report_document(session, report: Report, min_group: int, show_texts: bool = True, progress=None) -> Document:
    """The report with every section filled in. `show_texts` False leaves out free-text answers even where
    a section asks for them (a share link without the tick). `progress` (engagement.prepared.runner.Progress),
    if given, counts the sections as they are read."""
    document = new_document(session, report.organisation_id, report.title, report.introduction, report.since,
                            report.until, min_group)
    filters = Filters(since=report.since, until=report.until)
    if progress:
        progress.start(len(report.sections), "read")
    for index, part in enumerate(report.sections, start=1):
        key = f"s{index}"
        options = part.options or {}
        if part.kind in ("survey", "places") and part.survey is None or part.kind == "competition" and \
                part.competition is None:
            section = Section(key, _("Section %(n)d", n=index), part.text,
                              [Notice(_("What this section showed has been deleted."))])
        elif part.kind == "survey":
            section = Section(key, part.survey.title, part.text, survey_blocks(
                session, part.survey, filters, options, min_group, show_texts and bool(options.get("quotes")), key))
        elif part.kind == "places":
            section = Section(key, _("Places: %(survey)s", survey=part.survey.title), part.text,
                              places_blocks(session, part.survey, filters, key))
        elif part.kind == "competition":
            section = Section(key, part.competition.title, part.text,
                              competition_blocks(session, part.competition, report.since, report.until, key))
        else:
            section = Section(key, _("Class sessions"), part.text,
                              class_blocks(session, report.organisation_id, report.since, report.until, min_group))
        document.sections.append(section)
        if progress:
            progress.advance()
    return document


def survey_document(session, survey: Survey, min_group: int, show_texts: bool) -> Document:
    """A survey's results up to now, every question, free text only when `show_texts`; with the places it
    was reached from."""
    document = new_document(session, survey.organisation_id, survey.title, "", None, None, min_group)
    options = {"rounds": len(rounds.rounds_of(session, survey)) > 1}
    document.sections.append(Section("s1", _("Results"), "", survey_blocks(
        session, survey, Filters(), options, min_group, show_texts, "s1")))
    return document


def competition_document(session, competition: Competition, min_group: int) -> Document:
    """A competition's published ideas with their votes up to now."""
    document = new_document(session, competition.organisation_id, competition.title, competition.brief, None,
                            None, min_group)
    document.sections.append(Section("s1", _("Ideas and votes"), "",
                                     competition_blocks(session, competition, None, None, "s1")))
    return document
