"""What the partnership sees: results pages with charts, filters and exports."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/staff/surveys")


def init_app(app):
    import engagement.dashboard.staff_crosstabs  # noqa: F401  (the cross-tab page and its downloads)
    import engagement.dashboard.staff_dropoff  # noqa: F401  (where people stop)
    import engagement.dashboard.staff_periods  # noqa: F401  (two periods side by side)
    import engagement.dashboard.staff_rounds  # noqa: F401  (the rounds of a series side by side)
    from engagement.dashboard import staff, staff_exports, staff_places  # noqa: F401  (they add their routes to bp)

    app.register_blueprint(bp)
