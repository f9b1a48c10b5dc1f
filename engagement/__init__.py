"""How people reach the survey engine and what the partnership sees.

For now: organisations, staff accounts and roles, sign-in, and the CLI that
sets them up. Touchpoints, competitions, classes and dashboards follow.
"""


def init_app(app):
    from engagement import accounts, cli, dashboard, touchpoints
    from engagement.touchpoints import models as _touchpoint_models  # noqa: F401  (tables for the mappers)

    app.register_blueprint(accounts.bp)
    dashboard.init_app(app)
    touchpoints.init_app(app)
    accounts.init_login(app)
    for command in (cli.create_org, cli.create_user, cli.seed_demo):
        app.cli.add_command(command)
