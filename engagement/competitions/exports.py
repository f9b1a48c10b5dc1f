"""All of a competition's ideas as a table, for CSV and Excel.

`idea_rows` is the one place the columns are decided; the staff export routes
and a teacher's class-session download both use it. Cells are written with
the shared spreadsheet helpers (`engagement.common.spreadsheets`), so text that
looks like a spreadsheet formula stays text, and times are Danish time.
"""
import csv
import io

from flask_babel import gettext as _
from sqlalchemy import select

from engagement.common.spreadsheets import csv_cell, formula_safe, local_time, write_xlsx
from engagement.competitions.models import Competition, Idea
from engagement.competitions.results import class_vote_counts
from engagement.competitions.services import vote_counts
from surveys.ages import age_label


def idea_rows(session, competition: Competition, class_session_id: int | None = None,
              with_contact: bool = True) -> tuple[list[str], list[list]]:
    """(headers, rows): one row per idea of every status, oldest first.

    With `class_session_id`, only the ideas sent in that class session (the
    caller checks that the session is the user's organisation's). The contact
    e-mail column is left out when `with_contact` is False (viewers), and is
    empty for anyone who did not consent. Cells are text, int, datetime or None.
    """
    query = select(Idea).where(Idea.competition_id == competition.id)
    if class_session_id is not None:
        query = query.where(Idea.class_session_id == class_session_id)
    ideas = session.scalars(query.order_by(Idea.submitted_at, Idea.id)).all()
    ids = [idea.id for idea in ideas]
    public, classes = vote_counts(session, ids), class_vote_counts(session, ids)
    categories = {category.id: category.name for category in competition.categories}
    headers = [_("Idea number"), _("Sent at"), _("Status"), _("Category"), _("Title"), _("Description"),
               _("Nickname"), _("Age"), _("Votes"), _("Class votes")]
    headers += [_("Contact e-mail")] if with_contact else []
    headers += [_("Photo"), _("Touchpoint number"), _("Class session number")]
    rows = []
    for idea in ideas:
        row = [idea.id, local_time(idea.submitted_at), str(idea.status.label), categories.get(idea.category_id),
               idea.title, idea.description, idea.nickname or None, age_label(idea.age_band),
               public.get(idea.id, 0), classes.get(idea.id, 0)]
        row += [idea.contact_email if idea.contact_consent else None] if with_contact else []
        row += [_("Yes") if idea.photo is not None else _("No"), idea.touchpoint_id, idea.class_session_id]
        rows.append(row)
    return headers, rows


def csv_bytes(headers: list[str], rows: list[list]) -> bytes:
    """CSV for Danish Excel, as the survey export writes it: a byte order mark, ";" between cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([formula_safe(header) for header in headers])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(headers: list[str], rows: list[list]) -> bytes:
    """The workbook; a competition has hundreds of ideas, not millions, so it is built in memory."""
    out = io.BytesIO()
    widths = [40 if index in (5, 6) else max(len(header), 12) for index, header in enumerate(headers, start=1)]
    write_xlsx(out, _("Ideas"), headers, rows, widths)
    return out.getvalue()
