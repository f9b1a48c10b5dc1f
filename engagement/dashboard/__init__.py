"""What the partnership sees: results pages with charts, filters and exports."""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/staff/surveys")


def init_app(app):
    from engagement.dashboard import staff, staff_exports, staff_places  # noqa: F401  (they add their routes to bp)

    app.register_blueprint(bp)
