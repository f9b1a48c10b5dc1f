"""Command-line set-up: `flask --app app create-org | create-user | seed-demo`."""
import click
from sqlalchemy import func, select

from engagement.models import Organisation, Role, User
from extensions import db
from surveys.forms import is_slug


@click.command("create-org")
@click.option("--slug", required=True, help="Short name used in commands, e.g. vordingborg.")
@click.option("--name", required=True, help="The name people see, e.g. 'Vordingborg bymidte'.")
def create_org(slug, name):
    """Create an organisation (a municipality or one town's partnership)."""
    if not is_slug(slug) or not name.strip():
        raise click.ClickException("The slug must be small letters a-z, digits and single dashes, "
                                   "and the name must not be empty.")
    if db.session.scalar(select(Organisation).where(Organisation.slug == slug)):
        raise click.ClickException(f"An organisation with the slug '{slug}' already exists.")
    db.session.add(Organisation(slug=slug, name=name))
    db.session.commit()
    click.echo(f"Created organisation {slug}: {name}")


@click.command("create-user")
@click.option("--org", "org_slug", required=True, help="The organisation's slug.")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given.")
def create_user(org_slug, email, role, password):
    """Create a staff user with a role in an organisation."""
    email = email.strip()
    org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        raise click.ClickException(f"No organisation has the slug '{org_slug}'.")
    if db.session.scalar(select(User).where(func.lower(User.email) == email.lower())):
        raise click.ClickException(f"A user with the e-mail {email} already exists.")
    if len(password) < 10:
        raise click.ClickException("The password must have at least 10 characters.")
    user = User(organisation=org, email=email, role=Role(role))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email} in {org_slug}")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if any organisation exists already.")
def seed_demo(if_empty):
    """Create the demo organisation 'Vordingborg bymidte' with two surveys and their answers."""
    from engagement.demo.seed import DEMO_EMAIL, DEMO_PASSWORD, seed

    if if_empty and db.session.scalar(select(func.count()).select_from(Organisation)):
        return
    seed(db.session)
    db.session.commit()
    click.echo(f"Demo ready. Staff login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
