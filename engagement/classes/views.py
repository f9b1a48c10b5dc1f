"""Teacher pages for class sessions: `/staff/classes/...`, the projector view included."""
from flask import Blueprint

bp = Blueprint("classes", __name__, url_prefix="/staff/classes")
