"""The survey engine: definitions, question kinds, the answering flow and the staff editor.

It never imports `engagement`; staff pages reach the signed-in user only
through Flask-Login's `current_user` and the attributes documented in
`surveys.staff` (`organisation_id`, `can_edit_surveys`).
"""
from markupsafe import Markup, escape


def init_app(app):
    from surveys import cli, map_staff, public, staff, structure  # noqa: F401 (structure: its flush listener)

    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(map_staff.bp)
    from surveys import template_staff
    app.register_blueprint(template_staff.bp)
    app.cli.add_command(cli.export_survey)
    app.cli.add_command(cli.import_survey)
    app.add_template_filter(paragraphs)
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_date)
    app.add_template_global(content_lang)


def content_lang(language: str) -> Markup:
    """` lang="da"` for an element holding text written in `language` (a survey's or a competition's), when
    the page around it is in another language (the interface in English, the survey in Danish); else
    nothing. Screen readers then read the survey's words with the right voice and browsers spell-check
    them in the right language."""
    from flask_babel import get_locale

    if not language or language == str(get_locale()):
        return Markup("")
    return Markup(' lang="{}"').format(language)


def paragraphs(text: str) -> Markup:
    """Staff-written plain text as paragraphs: blank lines split, everything escaped."""
    parts = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("".join(f"<p>{Markup('<br>').join(escape(p).split(chr(10)))}</p>" for p in parts))


def local_datetime(value) -> str:
    """A stored UTC time as Danish wall-clock time, e.g. 27.11.2026 kl. 14:30."""
    from surveys.timezone import to_local

    return "" if value is None else to_local(value).strftime("%d.%m.%Y %H:%M")


def local_date(value) -> str:
    """A stored UTC time as its Danish date in words, e.g. 27. november 2026 (in English: November 27, 2026)."""
    from flask_babel import format_date

    from surveys.timezone import to_local

    return "" if value is None else format_date(to_local(value).date(), "long")
