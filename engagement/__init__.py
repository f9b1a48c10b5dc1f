"""How people reach the survey engine and what the partnership sees.

Organisations, staff accounts and roles, sign-in and the set-up commands;
results dashboards and exports; touchpoints with their QR codes and posters.
Competitions and classes follow.
"""


def init_app(app):
    from engagement import accounts, backup, classes, cli, competitions, dashboard, operations, people, touchpoints
    # Imported for their tables: surveys' responses point at touchpoints by table name.
    from engagement.touchpoints import models as _touchpoint_models  # noqa: F401

    app.register_blueprint(operations.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(people.bp)
    dashboard.init_app(app)
    touchpoints.init_app(app)
    competitions.init_app(app)
    classes.init_app(app)
    accounts.init_login(app)
    for command in (cli.create_org, cli.create_user, cli.seed_demo, backup.backup):
        app.cli.add_command(command)
