"""The summary for a premises' owner, "What the town wants for Algade 12": the ideas sent about the place
with their votes and photos, what the classes did, what people said about each trial there, and how
often the posters at the place were scanned. One `Document`, drawn as the staff page and as the PDF the
town-centre manager hands the owner, by the renderers of the board packs (engagement.reports).

It holds nothing about the owner and nobody's contact: the premises' owner fields and staff notes are
never read here. The minimum group size applies as in every report.
"""
from flask_babel import format_date, format_number, ngettext
from flask_babel import gettext as _

from engagement.premises.linked import Linked, linked
from engagement.premises.models import Premises, Trial
from engagement.reports.content import new_document
from engagement.reports.document import Document, KeyFigures, Notice, Section, Table
from engagement.reports.idea_parts import competition_blocks
from engagement.reports.survey_parts import survey_blocks
from surveys.results import Filters


def short_address(address: str) -> str:
    """"Algade 12" of "Algade 12, 4760 Vordingborg": the street and number the owner knows the place by."""
    return address.split(",", 1)[0].strip() or address


def owner_summary(session, premises: Premises, min_group: int) -> Document:
    """Everything the place has gathered up to now, a section per competition, class work, trial and poster."""
    place = short_address(premises.address)
    found = linked(session, premises, min_group)
    document = new_document(session, premises.organisation_id, _("What the town wants for %(address)s", address=place),
                            _("This is what people in town have said about %(address)s: the ideas they sent and "
                              "voted for, what school classes came up with, and what they thought of what was "
                              "tried out there.", address=place), None, None, min_group)
    for competition in found.competitions:
        key = f"c{competition.competition.id}"
        document.sections.append(Section(key, competition.competition.title, competition.competition.brief,
                                         competition_blocks(session, competition.competition, None, None, key)))
    if found.classes:
        document.sections.append(class_section(found))
    for trial in found.trials:
        document.sections.append(trial_section(session, trial, min_group))
    if found.touchpoints:
        document.sections.append(poster_section(found))
    if not document.sections:
        document.sections.append(Section("nothing", _("Nothing yet"), "", [Notice(
            _("Nothing has been gathered about this place yet: no ideas, class sessions or trials."))]))
    return document


def class_section(found: Linked) -> Section:
    rows = [[row.day, row.class_session.name, row.worked_on, row.result] for row in found.classes]
    return Section("classes", _("School classes"), _("Classes that worked on the place in a lesson."), [
        KeyFigures([(_("Class sessions"), format_number(len(rows)))]),
        Table([_("Date"), _("Class"), _("Worked on"), _("Result")], rows)])


def trial_section(session, trial: Trial, min_group: int) -> Section:
    """What was tried, when, what was decided, and the feedback survey's results in the trial's days."""
    period = _("Tried from %(start)s to %(end)s.", start=format_date(trial.starts_on, "long"),
               end=format_date(trial.ends_on, "long"))
    words = [period, trial.description]
    if trial.decision is not None:
        words.append(_("Decision: %(decision)s.", decision=trial.decision.label))
        words.append(trial.public_note)
    key = f"t{trial.id}"
    if trial.survey is None:
        blocks = [Notice(_("The trial had no feedback survey."))]
    else:
        blocks = survey_blocks(session, trial.survey, Filters(since=trial.starts_on, until=trial.ends_on), {},
                               min_group, False, key)
    return Section(key, _("Trial: %(title)s", title=trial.title), "\n\n".join(w for w in words if w), blocks)


def poster_section(found: Linked) -> Section:
    scans = sum(found.scans[t.id]["scans"] for t in found.touchpoints)
    rows = [[t.name, format_number(found.scans[t.id]["scans"]), format_number(found.scans[t.id]["completed"]),
             format_number(found.scans[t.id]["ideas"])] for t in found.touchpoints]
    return Section("posters", _("Posters at the place"), ngettext(
        "The posters at the place were scanned %(num)d time in all.",
        "The posters at the place were scanned %(num)d times in all.", scans),
        [Table([_("Poster"), _("Scans"), _("Completed answers"), _("Ideas sent")], rows)])
