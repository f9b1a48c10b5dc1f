"""Idea competitions: young people propose, the town sees, everyone votes.

`init_app` wires the package: the public pages at `/c/<slug>` (`public`), the
staff pages at `/staff/competitions/` (`views`) and the device cookie that
voting sets (`device`).
"""


def init_app(app):
    from engagement.competitions import device, public, views

    app.register_blueprint(public.bp)
    app.register_blueprint(views.bp)
    app.after_request(device.set_cookie_if_new)
