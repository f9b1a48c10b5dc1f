"""Idea competitions: young people propose, the town sees, everyone votes.

`init_app` wires the package: the public pages at `/c/<slug>` (`public`), the
staff pages at `/staff/competitions/` (`staff`, with moderation and results in
`staff_moderation` and `staff_results`) and the device cookie that
voting sets (`device`). The e-mails people leave with ideas are engagement.mail subscriptions; the
mails about an idea are written in `notices`.
"""


def init_app(app):
    from engagement.competitions import device, public, staff, staff_moderation, staff_results  # noqa: F401

    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)  # with the routes of staff_moderation and staff_results
    app.after_request(device.set_cookie_if_new)
