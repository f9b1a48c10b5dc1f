"""Survey files on the command line: `flask --app app export-survey | import-survey`.

The organisation is found by a plain query on its table, because the survey
engine does not import the `engagement` package that owns it.
"""
import click
from flask_babel import force_locale
from sqlalchemy import select, text

from extensions import db
from surveys import transfer
from surveys.models import Survey


@click.command("export-survey")
@click.argument("slug")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="The file to write (default: standard output).")
def export_survey(slug, output):
    """Write the definition of the survey with this web address (SLUG) as a survey file."""
    survey = db.session.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise click.ClickException(f"No survey has the web address '{slug}' (as in /s/{slug}).")
    output.write(transfer.survey_json(survey))


@click.command("import-survey")
@click.option("--org", "org_slug", required=True, help="The slug of the organisation that gets the survey.")
@click.argument("file", type=click.File("rb"))
def import_survey(org_slug, file):
    """Create a draft survey in an organisation from a survey file (FILE, or - for standard input)."""
    organisation_id = db.session.scalar(text("SELECT id FROM organisations WHERE slug = :slug"),
                                        {"slug": org_slug})
    if organisation_id is None:
        raise click.ClickException(f"No organisation has the slug '{org_slug}'.")
    try:
        # Messages in English, like the other commands; this also spares gettext a missing request.
        with force_locale("en"):
            survey = transfer.import_survey(db.session, organisation_id, file.read())
    except transfer.ImportProblem as problem:
        db.session.rollback()
        raise click.ClickException(f"Nothing was imported. {problem}") from None
    db.session.commit()
    click.echo(f"Imported {survey.title} as draft /s/{survey.slug}")
