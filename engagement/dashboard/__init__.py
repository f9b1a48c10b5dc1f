"""What the partnership sees: results pages with charts, filters and exports."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/staff/surveys")


def init_app(app):
    import engagement.dashboard.staff_crosstabs  # noqa: F401  (the cross-tab page and its downloads)
    import engagement.dashboard.staff_dropoff  # noqa: F401  (where people stop)
    import engagement.dashboard.staff_periods  # noqa: F401  (two periods side by side)
    import engagement.dashboard.staff_rounds  # noqa: F401  (the rounds of a series side by side)
    from engagement import prepared
    from engagement.dashboard import staff, staff_exports, staff_places  # noqa: F401  (they add their routes to bp)

    app.register_blueprint(bp)
    # Exports of more than EXPORT_DIRECT_LIMIT responses are made in the background.
    prepared.add_maker(app, staff_exports.EXPORT_MAKER,
                       prepared.Maker(staff_exports.make_export, staff_exports.describe_export))
