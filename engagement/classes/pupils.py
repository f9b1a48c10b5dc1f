"""Pupils' pages: `/join`, where a class session's code leads."""
from flask import Blueprint

bp = Blueprint("join", __name__)
