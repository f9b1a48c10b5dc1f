"""Staff pages for competitions: `/staff/competitions/...`."""
from flask import Blueprint

bp = Blueprint("competitions", __name__, url_prefix="/staff/competitions")
