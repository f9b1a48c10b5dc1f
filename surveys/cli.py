import click
@click.command("export-survey")
def export_survey():
    raise click.ClickException("not yet")
@click.command("import-survey")
def import_survey():
    raise click.ClickException("not yet")
