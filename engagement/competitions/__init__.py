"""Idea competitions: young people propose, the town sees, everyone votes.

`init_app` wires the package: the public pages at `/c/<slug>` (`public`) and
the staff pages at `/staff/competitions/` (`views`).
"""


def init_app(app):
    from engagement.competitions import models as _models  # noqa: F401
