"""Public competition pages: `/c/<slug>` is printed on posters and must work for ever."""
from flask import Blueprint

bp = Blueprint("competition", __name__, url_prefix="/c")
