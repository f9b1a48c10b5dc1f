"""How people reach the survey engine and what the partnership sees.

Organisations, staff accounts and roles, sign-in and the set-up commands (the
modules here); idea competitions, touchpoints with their QR codes and posters,
class sessions, result dashboards, mail to people who asked to be told, downloads
made in the background, reports and share links for the partnership, personal
invitations to a survey, the register of premises with its trials, and the demo
(the packages).

One direction: each package imports only the packages before it in LAYERS
(touchpoints lead to competitions, class sessions run them, the dashboard
reads them all, the front page shows what is open and published), shared
helpers live once, in `common`, below them all, and `mail` (addresses people
gave, the mail queue) sits just above it, so every feature can tell people,
then `prepared` (downloads made in the background), so every feature can hand
out a file that takes long to make; a package further down reaches one further
up only through the app's hooks (extensions.HOOKS) or the makers it registers
with `prepared`. tests/test_house.py holds the house to it.
"""

LAYERS = ("common", "mail", "prepared", "competitions", "touchpoints", "classes", "dashboard", "front", "reports",
          "invitations", "premises", "demo")


def init_app(app):
    from engagement import (
        accounts,
        backup,
        classes,
        cli,
        competitions,
        dashboard,
        front,
        invitations,
        mail,
        operations,
        people,
        premises,
        prepared,
        reports,
        touchpoints,
    )

    # Imported for their tables: surveys' responses point at touchpoints by table name.
    from engagement.touchpoints import models as _touchpoint_models  # noqa: F401

    app.register_blueprint(operations.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(people.bp)
    mail.init_app(app)
    prepared.init_app(app)
    dashboard.init_app(app)
    touchpoints.init_app(app)
    competitions.init_app(app)
    classes.init_app(app)
    front.init_app(app)
    reports.init_app(app)
    invitations.init_app(app)
    premises.init_app(app)
    accounts.init_login(app)
    for command in (cli.create_org, cli.create_user, cli.seed_demo, backup.backup):
        app.cli.add_command(command)
